"""Every interface string has a Russian translation, and the compiled catalog is current."""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from qstui import i18n

SRC = Path(i18n.__file__).parent
PO = SRC / "locale" / "ru" / "LC_MESSAGES" / "qstui.po"
MO = PO.with_suffix(".mo")


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="ru")


def _source_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(SRC), method_map=[("**.py", "python")]
    ):
        ids = message if isinstance(message, tuple) else (message,)
        found.setdefault(ids[0], f"{filename}:{lineno}")
    return found


def test_every_message_has_a_russian_translation():
    catalog = _catalog()
    missing = []
    for msgid, where in sorted(_source_messages().items()):
        entry = catalog.get(msgid)
        strings = entry.string if entry is not None else None
        if isinstance(strings, tuple):
            strings = strings[0]
        if not strings:
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], "untranslated: run the lead's merge, then `make i18n`"


def test_compiled_catalog_is_up_to_date():
    with MO.open("rb") as fh:
        compiled = read_mo(fh)

    def entries(catalog):
        return {_key(m.id): _key(m.string) for m in catalog if m.id}

    expected, actual = entries(_catalog()), entries(compiled)
    assert actual == expected, "src/qstui/locale/ru/LC_MESSAGES/qstui.mo is stale: run `make i18n`"


def _key(value):
    """Plural entries have tuples (or lists) of ids and strings."""
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_language_switch(lang):
    i18n.set_language(lang)
    text = i18n._("Wrong login or password")
    assert text == ("Неверный логин или пароль" if lang == "ru" else "Wrong login or password")


def test_mo_roundtrip_is_loadable_by_gettext():
    buf = BytesIO()
    write_mo(buf, _catalog())
    buf.seek(0)
    translations = gettext.GNUTranslations(buf)
    assert translations.gettext("Wrong login or password") == "Неверный логин или пароль"
