"""Interface language: gettext catalogs in ``qstui/locale/<lang>/LC_MESSAGES/qstui.mo``.

Message ids are English; Russian is the default interface language. The active
language is chosen once at start (``set_language``) from the CLI option, ``QSTUI_LANG``
or the config file. ``_`` translates at call time, so strings built at import time must
use ``N_`` and be translated where they are shown.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "qstui"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(lang: str | None) -> str:
    """Activate ``lang`` (``ru``/``en``); unknown or empty values fall back to Russian."""
    global _translations, _language
    code = (lang or DEFAULT_LANGUAGE).split("_")[0].split(".")[0].lower()
    if code not in LANGUAGES:
        code = DEFAULT_LANGUAGE
    if code == "en":
        _translations = gettext.NullTranslations()
    else:
        _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
    _language = code
    return code


def language() -> str:
    return _language


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


set_language(DEFAULT_LANGUAGE)
