"""System checks that keep the platform's promises true at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def argon2_first(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher"):
        return [checks.Warning("Argon2 is not the first password hasher.", id="guanxi.W001")]
    return []
