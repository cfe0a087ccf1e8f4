"""The languages a query may be read in, by code: Japanese and those with a
glossary (data/glossary_XX.tsv). A module of its own, importing only
``typing``, so that the command line can list them without loading
anything."""

from typing import Literal, TypeGuard

#: A language code, as ``--lang``, ``query_lang`` and the answers' ``language`` write it.
Language = Literal["ja", "en", "vi", "pt", "es", "tl", "id", "ne", "zh", "ko"]

LANGUAGES: dict[Language, str] = {
    "ja": "Japanese", "en": "English", "vi": "Vietnamese", "pt": "Portuguese",
    "es": "Spanish", "tl": "Tagalog", "id": "Indonesian", "ne": "Nepali",
    "zh": "Chinese", "ko": "Korean",
}
#: The languages with a glossary (all but Japanese).
GLOSSARY_LANGUAGES: tuple[Language, ...] = tuple(code for code in LANGUAGES if code != "ja")


def is_language(code: object) -> TypeGuard[Language]:
    """Whether ``code`` is one of :data:`LANGUAGES` (as written: lower case).

    >>> is_language("vi"), is_language("VI"), is_language("fr")
    (True, False, False)
    """
    return code in LANGUAGES
