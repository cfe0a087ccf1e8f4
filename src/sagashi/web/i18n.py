"""The interface's own words, in Japanese and English.

Record contents are never translated: they are shown as the data holds them,
marked ``lang="ja"``. The interface language comes from the ``lang`` query
parameter when a reader chose one with the switch (so a shared link keeps
it), otherwise from the browser's ``Accept-Language``, otherwise Japanese,
the language of the records.

Each language is one dictionary with the same keys (a test checks this).
Adding a language means adding one here, reviewed by someone who reads it
natively; residents' languages are not guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup

from ..domain.languages import Language

#: A language of the interface (not of the records, nor of a query).
InterfaceLanguage = Literal["ja", "en"]
#: Interface languages, in the order the switch lists them.
LANGUAGES: tuple[InterfaceLanguage, ...] = ("ja", "en")
DEFAULT: InterfaceLanguage = "ja"
#: Each language's name in itself, for the switch.
NAMES: dict[InterfaceLanguage, str] = {"ja": "日本語", "en": "English"}

STRINGS: dict[InterfaceLanguage, dict[str, str]] = {
    "ja": {
        "tagline": "外国ルーツの住民を支える助成事業を探す",
        "skip": "本文へ移動",
        "search_label": "キーワードや質問で探す",
        "placeholder": "例: {examples} …",
        "search_button": "検索",
        "search_hint": "日本語（かな・ローマ字も）、英語、ベトナム語など{n}の言語で探せます。"
                       "\"語句\" で完全一致、-語 で除外、所在地:新宿 で列を指定。",
        "query_lang": "質問の言語",
        "detect": "自動判定",
        "language_detected": "（自動判定）",
        "language_chosen": "（指定）",
        "examples": "検索の例",
        "language": "表示言語",
        "results_for": "「{q}」の検索結果",
        "count": "{total}件",
        "showing": "{total}件中 {first}〜{last}件目",
        "past_last_page": "このページに結果はありません。",
        "first_page": "最初のページへ",
        "no_results": "「{q}」に当てはまる事業は見つかりませんでした。",
        "unmatched": "どの事業にも出てこない語:",
        "suggestions": "こちらで探してみてください:",
        "filtered_out": "「{filter}」の条件で {results}件が外れました。",
        "too_common": "{words} はほとんどの事業に出てくるため、それだけでは絞り込めません。",
        "without_filters": "絞り込みを外して探す",
        "try_fewer": "語を減らす、別の言い方にする、かなや英語で入れてみる、などを試してください。",
        "language_understood": "質問の言語:",
        "filters": "絞り込み",
        "active_filters": "絞り込み中",
        "remove_filter": "{value} の絞り込みを外す",
        "facet_prefecture": "都道府県",
        "facet_entity": "法人格",
        "pages": "ページ",
        "previous": "前へ",
        "next": "次へ",
        "page_n": "{n}ページ目",
        "no": "No",
        "organization": "団体名",
        "title": "事業名",
        "location": "所在地",
        "entity": "法人格",
        "summary": "概要",
        "prefecture": "都道府県",
        "no_value": "（なし）",
        "similar": "似ている事業",
        "no_similar": "似ている事業は見つかりませんでした。",
        "new_search": "検索ページへ",
        "project_title": "No {no} {title}",
        "not_found_title": "見つかりません",
        "not_found": "このページはありません。",
        "no_project": "No {no} の事業はありません。",
        "error_title": "検索できませんでした",
        "server_error": "サーバーで問題が起きました。しばらくしてからもう一度お試しください。",
        "api": "JSON API",
    },
    "en": {
        "tagline": "Find grant-funded projects that support residents with foreign roots "
                   "in Japan",
        "skip": "Skip to results",
        "search_label": "Search by keywords or a question",
        "placeholder": "e.g. {examples} …",
        "search_button": "Search",
        "search_hint": "Type in any of {n} languages: Japanese (kana and romaji too), "
                       "English, Vietnamese … \"words\" for an exact phrase, -word to "
                       "exclude, 所在地:新宿 for one column.",
        "query_lang": "Query language",
        "detect": "Detect",
        "language_detected": " (detected)",
        "language_chosen": " (chosen)",
        "examples": "Examples",
        "language": "Language",
        "results_for": "Results for “{q}”",
        "count": "{total} projects",
        "showing": "{first}–{last} of {total}",
        "past_last_page": "There are no results on this page.",
        "first_page": "Go to the first page",
        "no_results": "No project matches “{q}”.",
        "unmatched": "Words no project contains:",
        "suggestions": "Did you mean:",
        "filtered_out": "The condition “{filter}” left out {results} matching projects.",
        "too_common": "{words}: in most projects, too common to search on alone.",
        "without_filters": "Search without the filters",
        "try_fewer": "Try fewer words, other words, or the same in kana or English.",
        "language_understood": "Query language:",
        "filters": "Filters",
        "active_filters": "Filtered by",
        "remove_filter": "Remove the filter {value}",
        "facet_prefecture": "Prefecture",
        "facet_entity": "Legal entity type",
        "pages": "Pages",
        "previous": "Previous",
        "next": "Next",
        "page_n": "Page {n}",
        "no": "No",
        "organization": "Organisation",
        "title": "Project",
        "location": "Location",
        "entity": "Legal entity type",
        "summary": "Summary",
        "prefecture": "Prefecture",
        "no_value": "(none)",
        "similar": "Similar projects",
        "no_similar": "No similar project was found.",
        "new_search": "Search page",
        "project_title": "No {no} {title}",
        "not_found_title": "Not found",
        "not_found": "There is no such page.",
        "no_project": "There is no project No {no}.",
        "error_title": "The search could not run",
        "server_error": "Something went wrong on the server. Please try again later.",
        "api": "JSON API",
    },
}

#: Each language a query may be written in (sagashi.domain.languages), in
#: itself: the choices of the page's "query language" select. Residents read
#: their language's name in it, so these are the only words of those
#: languages the interface shows.
QUERY_LANGUAGE_NAMES: dict[Language, str] = {
    "ja": "日本語", "en": "English", "vi": "Tiếng Việt", "pt": "Português", "es": "Español",
    "tl": "Tagalog", "id": "Bahasa Indonesia", "ne": "नेपाली", "zh": "中文", "ko": "한국어",
}


@dataclass(frozen=True)
class Example:
    """An example query and the language it is written in (a ``lang`` tag:
    ``ja-Latn`` is Japanese in romaji)."""

    text: str
    lang: str


#: Example queries on the empty search page, each a link marked with its
#: language: Japanese words, a question, kana, romaji, and one in each other
#: language sagashi reads, a word or phrase of its glossary
#: (data/glossary_XX.tsv). tests/test_web_languages.py checks that each is
#: read in its language and finds projects in the bundled corpus.
EXAMPLES = (
    Example("難民 シェルター", "ja"), Example("熊本で日本語を教えている団体は？", "ja"),
    Example("こうべ", "ja"), Example("kumamoto", "ja-Latn"),
    Example("在留資格のない外国人の医療", "ja"), Example("refugee women", "en"),
    Example("lớp học tiếng Nhật", "vi"), Example("aulas de japonês", "pt"),
    Example("apoyo escolar", "es"), Example("klase ng nihongo", "tl"),
    Example("bantuan pengungsi", "id"), Example("शरणार्थी सहायता", "ne"),
    Example("就业支援", "zh-Hans"), Example("난민 지원", "ko"),
)
#: The examples the search box's placeholder gives (it has room for a few):
#: Japanese, English and the languages of the largest resident groups with a
#: glossary. Every one is in EXAMPLES. A placeholder is an attribute, so its
#: parts cannot carry their own ``lang``; the linked examples do.
PLACEHOLDER = ("難民 シェルター", "熊本で日本語を教えている団体は？", "refugee women",
               "lớp học tiếng Nhật", "aulas de japonês", "就业支援", "난민 지원")


class Strings:
    """One language's words, for templates: ``t("count", total=3)``."""

    def __init__(self, lang: InterfaceLanguage) -> None:
        self.lang = lang
        self._table = STRINGS[lang]

    def __call__(self, key: str, **values: object) -> str:
        text = self._table[key]
        return text.format(**values) if values else text

    def placeholder(self) -> str:
        """The search box's placeholder: :data:`PLACEHOLDER`, introduced in
        this language."""
        separator = " ／ " if self.lang == "ja" else " / "
        return self("placeholder", examples=separator.join(PLACEHOLDER))

    def markup(self, key: str, **values: object) -> Markup:
        """The words as HTML, with ``values`` escaped unless they are
        :class:`~markupsafe.Markup` already (a query wrapped in its ``lang``).

        >>> Strings("en").markup("no_results", q="<b>")
        Markup('No project matches “&lt;b&gt;”.')
        """
        return Markup.escape(self._table[key]).format(**values)


def choose(explicit: str | None,
           accept_language: str | None) -> tuple[InterfaceLanguage, bool]:
    """The interface language, and whether the reader chose it explicitly.

    >>> choose("en", "ja")
    ('en', True)
    >>> choose(None, "vi, en-US;q=0.8, ja;q=0.5")
    ('en', False)
    >>> choose("xx", "fr")
    ('ja', False)
    """
    chosen = interface_language(explicit)
    if chosen is not None:
        return chosen, True
    return from_accept_language(accept_language or ""), False


def interface_language(code: str | None) -> InterfaceLanguage | None:
    """``code`` as one of :data:`LANGUAGES`, or None when it is not one."""
    return next((language for language in LANGUAGES if language == code), None)


def from_accept_language(header: str) -> InterfaceLanguage:
    """The best interface language for an ``Accept-Language`` header.

    >>> from_accept_language("en-GB,en;q=0.9")
    'en'
    >>> from_accept_language("ja;q=0.4, en;q=0.3")
    'ja'
    >>> from_accept_language("pt-BR")
    'ja'
    """
    best, best_q = DEFAULT, 0.0
    for item in header[:500].split(",")[:20]:
        tag, _, params = item.strip().partition(";")
        primary = interface_language(tag.strip().lower().split("-")[0])
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                continue
        if primary is not None and q <= 1 and q > best_q:  # ties: the first listed wins
            best, best_q = primary, q
    return best
