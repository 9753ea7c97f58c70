"""E-mail settings from the environment: one URL, or the single GUANXI_EMAIL_* values.

    GUANXI_EMAIL_URL=smtp://user:password@mail.example.cn:587?tls=1   SMTP with STARTTLS
    GUANXI_EMAIL_URL=smtps://user:password@mail.example.cn:465        SMTP over TLS
    GUANXI_EMAIL_URL=console:                                         print to the console
    GUANXI_EMAIL_URL=file:///var/lib/guanxi/outbox                    write .log files

Without a URL, GUANXI_EMAIL_HOST (with _PORT, _HOST_USER, _HOST_PASSWORD, _USE_TLS,
_USE_SSL) selects SMTP. With neither, nothing is sent and nothing fails: messages are
written as files to the outbox folder in the data directory. GUANXI_EMAIL_BACKEND names
a backend class explicitly and overrides the choice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
FILE = "django.core.mail.backends.filebased.EmailBackend"
TRUE = {"1", "true", "yes", "on"}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE


def email_settings_from_url(url: str) -> dict[str, Any]:
    """Django's EMAIL_* settings described by one URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if scheme in {"smtp", "smtps"}:
        ssl = scheme == "smtps" or _flag(query.get("ssl"))
        tls = not ssl and (_flag(query.get("tls")) or _flag(query.get("starttls")))
        return {
            "EMAIL_BACKEND": SMTP,
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if ssl else 587 if tls else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": tls,
            "EMAIL_USE_SSL": ssl,
        }
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("GUANXI_EMAIL_URL: file:// needs a folder")
        return {"EMAIL_BACKEND": FILE, "EMAIL_FILE_PATH": unquote(parts.path)}
    raise ImproperlyConfigured(
        f"GUANXI_EMAIL_URL: unknown scheme {scheme!r} (use smtp, smtps, console or file)"
    )


def email_settings(env: Callable[[str], str | None], outbox: Path) -> dict[str, Any]:
    """The e-mail settings for this environment (`env` reads GUANXI_-prefixed variables)."""
    defaults: dict[str, Any] = {
        "EMAIL_HOST": "localhost",
        "EMAIL_PORT": 25,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_FILE_PATH": str(outbox),
    }
    url = env("EMAIL_URL")
    host = env("EMAIL_HOST")
    chosen: Mapping[str, Any]
    if url:
        chosen = email_settings_from_url(url)
    elif host:
        chosen = {
            "EMAIL_BACKEND": SMTP,
            "EMAIL_HOST": host,
            "EMAIL_PORT": int(env("EMAIL_PORT") or "25"),
            "EMAIL_HOST_USER": env("EMAIL_HOST_USER") or "",
            "EMAIL_HOST_PASSWORD": env("EMAIL_HOST_PASSWORD") or "",
            "EMAIL_USE_TLS": _flag(env("EMAIL_USE_TLS")),
            "EMAIL_USE_SSL": _flag(env("EMAIL_USE_SSL")),
        }
    else:
        chosen = {"EMAIL_BACKEND": FILE}
    result = defaults | dict(chosen)
    # An explicit backend class (e.g. a provider's API backend) always wins.
    result["EMAIL_BACKEND"] = env("EMAIL_BACKEND") or result["EMAIL_BACKEND"]
    return result
