"""Places: each record's prefecture, and what a place word in a query covers.

Addresses often leave out the prefecture (大阪市生野区, 新宿区), so a record's
prefecture is derived from data/prefectures.tsv and data/cities.tsv.
Regions (関東, 東海, 九州 ...) come from data/regions.tsv. A place word in a
query stands for a set of prefectures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from ..analysis.chars import is_kana, loose_reading, nfkc, to_hiragana
from ..analysis.romaji import romaji_to_hiragana
from .resources import read_table, split_list

TABLES = ("prefectures.tsv", "cities.tsv", "regions.tsv")


@dataclass(frozen=True)
class Place:
    """A place name and the prefectures it covers (``kind``: prefecture,
    city or region)."""

    name: str
    kind: Literal["prefecture", "city", "region"]
    prefectures: tuple[str, ...]


def prefecture_of(location: str) -> str:
    """The prefecture of an address, or "" when it cannot be told.

    >>> prefecture_of("東京都目黒区"), prefecture_of("大阪市生野区"), prefecture_of("新宿区")
    ('東京都', '大阪府', '東京都')
    >>> prefecture_of("兵庫県神戸市中央区"), prefecture_of("どこか")
    ('兵庫県', '')
    """
    text = nfkc(location).strip()
    for pref in _prefectures():
        if text.startswith(pref):
            return pref
    cities = _cities()
    for length in range(min(len(text), 8), 1, -1):
        city_pref = cities.get(text[:length])
        if city_pref:
            return city_pref
    return ""


def lookup(word: str) -> Place | None:
    """The place a query word names, or None.

    >>> lookup("関西").prefectures[:2], lookup("熊本").prefectures, lookup("神戸").kind
    (('三重県', '滋賀県'), ('熊本県',), 'city')
    """
    return _names().get(nfkc(word).strip())


def lookup_reading(kana: str) -> Place | None:
    """The prefecture a kana word spells, with or without its suffix, long
    vowels ignored.

    >>> lookup_reading("ひょうごけん").name, lookup_reading("とうきょうと").name
    ('兵庫県', '東京都')
    >>> lookup_reading("ほっかいどう").name, lookup_reading("こうべ") is None
    ('北海道', True)
    """
    return _readings().get(loose_reading(kana))


def resolve(word: str) -> Place | None:
    """The place a filter value names, written as queries may write it: in
    kanji (兵庫, 神戸), kana (ひょうご, こうべ), romaji or English (hyogo, Kobe,
    Kansai); None when it names none.

    >>> [resolve(w).name for w in ("兵庫", "hyogo", "ひょうご", "Kobe", "こうべ", "kansai")]
    ['兵庫県', '兵庫県', '兵庫県', '神戸市', '神戸市', '関西']
    >>> resolve("Atlantis") is None
    True
    """
    text = nfkc(word).strip()
    found = lookup(text)
    if found is not None:
        return found
    english = english_names().get(" ".join(text.lower().split()))
    if english is not None:
        return lookup(english)
    kana = to_hiragana(text) if is_kana(text) else romaji_to_hiragana(text)
    if kana:
        return lookup_reading(kana) or _city_readings().get(loose_reading(kana))
    return None


def known_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The regions and the prefectures (short names), for messages."""
    regions = tuple(row["region"] for row in read_table("regions.tsv"))
    return regions, tuple(row["short"] for row in read_table("prefectures.tsv"))


def place_names() -> dict[str, Place]:
    """Every place word sagashi understands (names, short names, aliases)."""
    return dict(_names())


def english_names() -> dict[str, str]:
    """English/romaji place names (lower case) to a Japanese place word."""
    out: dict[str, str] = {}
    for row in read_table("regions.tsv"):
        for name in split_list(row["english"]):
            out.setdefault(name.lower(), row["region"])
    for row in read_table("prefectures.tsv"):
        out.setdefault(row["english"].lower(), row["prefecture"])
    for row in read_table("cities.tsv"):
        out.setdefault(row["english"].lower(), row["city"])
    return out


@cache
def _prefectures() -> tuple[str, ...]:
    return tuple(row["prefecture"] for row in read_table("prefectures.tsv"))


@cache
def _readings() -> dict[str, Place]:
    suffix = {"県": "けん", "府": "ふ", "都": "と", "道": ""}
    out: dict[str, Place] = {}
    for row in read_table("prefectures.tsv"):
        place = Place(row["prefecture"], "prefecture", (row["prefecture"],))
        for form in (row["reading"], row["reading"] + suffix.get(row["prefecture"][-1], "")):
            out[loose_reading(form)] = place
    return out


@cache
def _cities() -> dict[str, str]:
    return {row["city"]: row["prefecture"] for row in read_table("cities.tsv")}


@cache
def _names() -> dict[str, Place]:
    names: dict[str, Place] = {}
    for row in read_table("regions.tsv"):
        place = Place(row["region"], "region", tuple(split_list(row["prefectures"])))
        for name in [row["region"], *split_list(row["aliases"])]:
            names[name] = place
    for row in read_table("prefectures.tsv"):
        place = Place(row["prefecture"], "prefecture", (row["prefecture"],))
        names[row["prefecture"]] = place
        names.setdefault(row["short"], place)
    for city, pref in _cities().items():
        place = Place(city, "city", (pref,))
        names.setdefault(city, place)
        stem = city[:-1] if city.endswith("市") else ""
        if len(stem) >= 2:
            names.setdefault(stem, place)
    return names


@cache
def _city_readings() -> dict[str, Place]:
    """Cities by their loose reading, with and without the し of 市."""
    out: dict[str, Place] = {}
    for row in read_table("cities.tsv"):
        place = Place(row["city"], "city", (row["prefecture"],))
        reading = row["reading"]
        forms = [reading]
        if row["city"].endswith("市") and reading.endswith("し"):
            forms.append(reading[:-1])
        for form in forms:
            out.setdefault(loose_reading(form), place)
    return out
