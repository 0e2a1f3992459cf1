"""Both catalogues (en, zh_Hans) cover every user-facing string of the code, translated."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
LANGUAGES = ["en", "zh_Hans"]
DOMAINS = {"django": [], "djangojs": ["-d", "djangojs"]}


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    """The committed catalogues, updated with the strings the code has now (in a copy)."""
    work = tmp_path_factory.mktemp("i18n")
    for name in ("portal", "templates", "static", "locale"):
        shutil.copytree(BASE / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(BASE / "manage.py", work / "manage.py")
    for options in DOMAINS.values():
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", *options, "--no-obsolete", "-v0",
             *[f"-l{lang}" for lang in LANGUAGES]],
            cwd=work, check=True, capture_output=True,
            env={"DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin:/bin",
                 "PORTAL_VAR_DIR": str(work / "var")},
        )  # fmt: skip
    return work / "locale"


def untranslated(po_file):
    result = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", "--no-wrap", str(po_file)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", "--no-wrap", str(po_file)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    entries = [
        line for line in (result.stdout + fuzzy.stdout).splitlines() if line.startswith("msgid ")
    ]
    return [e for e in entries if e != 'msgid ""']


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_is_translated(fresh_catalogues, language, domain):
    po_file = fresh_catalogues / language / "LC_MESSAGES" / f"{domain}.po"
    assert po_file.exists(), f"missing catalogue {po_file.relative_to(fresh_catalogues)}"
    missing = untranslated(po_file)
    assert not missing, (
        f"{len(missing)} strings lack a {language} translation ({domain}); run `make messages` "
        f"and translate them: " + "; ".join(missing[:20])
    )
