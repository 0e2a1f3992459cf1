"""Both catalogues (en, zh_Hans) cover every user-facing string of the code, translated,
the sentences stored in Tasks (core.task_messages) included."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from portal.core import task_messages

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


# ---- the stored Task messages ------------------------------------------------------------

# A word of English left in a sentence: two or more letters, one of them lower case
# (acronyms such as ISO, SSH or TLS are the same in Chinese text).
ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*[a-z][A-Za-z]*")
# Names Chinese text keeps as they are (Microsoft's own Chinese pages write "Azure").
PRODUCT_NAMES = re.compile(r"\bAzure\b")


def english_left(text):
    """An English word in `text` that is not a product's name, or None."""
    return ENGLISH_WORD.search(PRODUCT_NAMES.sub("", text))


def sample_params(template):
    """A value for each of the template's placeholders: numbers for %d, digits for %s."""
    names = re.findall(r"%\((\w+)\)[sd]", str(template.text))
    return dict.fromkeys(names, 7)


def test_every_task_message_code_has_a_chinese_translation():
    untranslated = []
    for code, template in task_messages.templates().items():
        with translation.override("en"):
            english = str(template.text)
        with translation.override("zh-hans"):
            chinese = str(template.text)
        if chinese == english:
            untranslated.append(code)
    assert not untranslated, (
        f"{len(untranslated)} task messages lack a zh-hans translation: "
        + "; ".join(untranslated[:20])
    )


@pytest.mark.django_db
def test_a_task_message_read_in_chinese_has_no_english_left():
    from portal.clouds.errors import CloudUnavailable
    from portal.core.tests.factories import TaskFactory
    from portal.servers.task_messages import CreateMessages

    reason = CloudUnavailable()  # its default sentence, registered as "error.CloudUnavailable"
    task = TaskFactory(state="failed", message=CreateMessages.FAILED(reason=reason))
    task.refresh_from_db()
    with translation.override("zh-hans"):
        shown = task.message
    assert shown
    assert not english_left(shown), shown

    left = {}
    for code, template in task_messages.templates().items():
        with translation.override("zh-hans"):
            shown = template(**sample_params(template)).render()
        if english_left(shown):
            left[code] = shown
    assert not left, f"{len(left)} task messages keep English in zh-hans: {left}"
