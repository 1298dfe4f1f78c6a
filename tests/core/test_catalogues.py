"""The message catalogues (README, "Translations"): the template is what the code says today, and every
message has a Welsh translation that is complete, not fuzzy, and keeps the message's placeholders and
markup. A new ``gettext("...")`` or ``{% trans %}`` fails here until ``make messages`` has run and the
Welsh has been written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from core.i18n import LOCALES, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = LOCALES_DIR / "messages.pot"
TRANSLATED = [locale for locale in LOCALES if locale != "en"]  # English is the source language


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in catalog if message.id}


def _message_sources() -> list[str]:
    """The folders `make messages` extracts from (the Makefile's MESSAGE_SOURCES)."""
    found = re.search(r"^MESSAGE_SOURCES := (.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert found, "the Makefile names the folders it extracts messages from"
    return found.group(1).split()


def test_the_template_is_what_extraction_finds_in_the_code_now(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    extract = [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract", "-F", "babel.cfg"]
    subprocess.run(
        [*extract, "-o", str(fresh), *_message_sources()],
        cwd=ROOT,
        check=True,
    )
    extracted, committed = _ids(_read(fresh)), _ids(_read(TEMPLATE))
    assert extracted == committed, (
        "core/locales/messages.pot is out of date: run `make messages` and translate. "
        f"New: {sorted(map(str, extracted - committed))}; gone: {sorted(map(str, committed - extracted))}"
    )


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(locale: str) -> None:
    catalog = _read(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po", locale)
    assert _ids(catalog) == _ids(_read(TEMPLATE)), "run `make messages`: the catalogue is not merged"
    untranslated = [
        message.id
        for message in catalog
        if message.id and not all(message.string if isinstance(message.string, tuple) else [message.string])
    ]
    assert untranslated == [], f"{locale}: no translation for {untranslated}"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert fuzzy == [], f"{locale}: fuzzy (guessed, unchecked) translations: {fuzzy}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_placeholders_and_the_plural_forms_of_their_language(locale: str) -> None:
    catalog = _read(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po", locale)
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()]
    assert problems == []
    for message in catalog:
        if isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, message.id


def _markup(text: str) -> list[str]:
    """The HTML tags in a message (not a placeholder like ``<key>`` in "Bearer <key>")."""
    return sorted(re.findall(r"</?(?:a|abbr|br|code|em|strong)\b[^>]*>", text))


def _strings(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_the_markup_of_their_message(locale: str) -> None:
    """Links and emphasis survive translation exactly (a changed href would break the page), and no
    translation adds a straight double quote: translations are trusted markup, and some are shown in
    attributes (``aria-label="{{ _('...') }}"``)."""
    catalog = _read(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po", locale)
    for message in catalog:
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        for translated in _strings(message):
            assert _markup(translated) == _markup(source), (message.id, translated)
            assert translated.count('"') == source.count('"'), (message.id, translated)
