"""Check that the zh-Hans catalog is complete and its compiled .mo is current.

Run as `python -m guanxi.core.i18ncheck`; exits non-zero with the missing strings.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
LOCALE = PACKAGE / "locale"
# The shared catalog, then one per app that keeps its own (guanxi/<app>/locale/).
CATALOG = Path("zh_Hans") / "LC_MESSAGES" / "django.po"
CATALOGS = [LOCALE / CATALOG, *sorted(PACKAGE.glob(f"*/locale/{CATALOG}"))]


def _entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry but the header; plural forms use msgstr[0]."""
    entries: list[tuple[str, str, bool]] = []
    msgid, msgstr, fuzzy, field = "", "", False, ""
    in_entry = False

    def flush() -> None:
        if in_entry and msgid:
            entries.append((msgid, msgstr, fuzzy))

    for raw in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            flush()
            msgid, msgstr, fuzzy, field, in_entry = "", "", False, "", False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            in_entry, field, msgid = True, "id", line[6:].strip('"')
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            field, msgstr = "str", line.split(" ", 1)[1].strip('"')
        elif line.startswith("msgstr["):
            field = "other"
        elif line.startswith('"'):
            if field == "id":
                msgid += line.strip('"')
            elif field == "str":
                msgstr += line.strip('"')
    return entries


def problems() -> list[str]:
    found: list[str] = []
    for po in CATALOGS:
        if not po.exists():
            found.append(f"{po}: missing")
            continue
        for msgid, msgstr, fuzzy in _entries(po):
            if fuzzy:
                found.append(f"{po.name}: fuzzy: {msgid!r}")
            elif not msgstr:
                found.append(f"{po.name}: untranslated: {msgid!r}")
        mo = po.with_suffix(".mo")
        msgfmt = shutil.which("msgfmt")
        if not mo.exists():
            found.append(f"{mo}: missing (run manage.py compilemessages)")
        elif msgfmt:
            with tempfile.TemporaryDirectory() as tmp:
                fresh = Path(tmp) / "django.mo"
                subprocess.run([msgfmt, "-o", str(fresh), str(po)], check=True)  # noqa: S603
                if fresh.read_bytes() != mo.read_bytes():
                    found.append(f"{mo}: stale (run manage.py compilemessages)")
    return found


def unextracted() -> list[str]:
    """Strings in the code that the catalog does not have yet (runs makemessages on a copy)."""
    import os

    root = LOCALE.parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        for name in ("guanxi", "config", "manage.py"):
            src = root / name
            if src.is_dir():
                shutil.copytree(
                    src, copy / name, ignore=shutil.ignore_patterns("static", "__pycache__")
                )
            else:
                shutil.copy(src, copy / name)
        env = {**os.environ, "GUANXI_DATA_DIR": str(copy / "data"), "PYTHONPATH": str(copy)}
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v0"],
            cwd=copy,
            env=env,
            check=True,
        )
        fresh = {m for po in copy.glob(f"guanxi/**/locale/{CATALOG}") for m, _s, _f in _entries(po)}
    known = {m for po in CATALOGS if po.exists() for m, _s, _f in _entries(po)}
    return [f"not in the catalog: {m!r}" for m in sorted(fresh - known)]


def main() -> int:
    found = problems()
    if shutil.which("xgettext"):
        found += unextracted()
    for line in found:
        print(line, file=sys.stderr)  # noqa: T201
    if not found:
        print("translations: complete")  # noqa: T201
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
