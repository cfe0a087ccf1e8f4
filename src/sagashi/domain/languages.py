"""The languages a query may be read in, by code: Japanese and those with a
glossary (data/glossary_XX.tsv). A module of its own, with no imports, so
that the command line can list them without loading anything."""

LANGUAGES: dict[str, str] = {
    "ja": "Japanese", "en": "English", "vi": "Vietnamese", "pt": "Portuguese",
    "es": "Spanish", "tl": "Tagalog", "id": "Indonesian", "ne": "Nepali",
    "zh": "Chinese", "ko": "Korean",
}
#: The languages with a glossary (all but Japanese).
GLOSSARY_LANGUAGES: tuple[str, ...] = tuple(code for code in LANGUAGES if code != "ja")
