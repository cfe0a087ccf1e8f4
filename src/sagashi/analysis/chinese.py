"""Chinese characters as Japanese writes them, through OpenCC.

Simplified Chinese goes to traditional (``s2t``), then to the forms Japanese
uses (``t2jp``: 醫 -> 医, 勞 -> 労), so 医疗咨询 and 醫療諮詢 both become
医療諮詢 and can go through the Japanese analysis. OpenCC converts a few
characters that Japanese writes the same as simplified Chinese to rarer
traditional forms (雇 -> 僱, 携 -> 攜, 岩 -> 巌); those are repaired.
:func:`to_simplified` (``t2s``) puts traditional text in the form the
Chinese glossary is keyed in.

``opencc`` is imported, and its converters built, on the first call only:
loading them is the slow part of a first Chinese query (README,
Performance), and a query that is not Chinese never pays for it.

>>> to_japanese("越南人就业支援"), to_japanese("醫療"), to_simplified("醫療諮詢")
('越南人就業支援', '医療', '医疗咨询')
>>> to_japanese("雇用と連携"), to_japanese("岩手县")
('雇用と連携', '岩手県')
"""

from __future__ import annotations

import threading
from typing import Any

#: Characters OpenCC turns into forms Japanese does not use, and what
#: Japanese writes instead.
REPAIRS = str.maketrans({"僱": "雇", "攜": "携", "巌": "岩", "巖": "岩"})

_lock = threading.Lock()
_converters: dict[str, Any] = {}


def _converter(config: str) -> Any:
    with _lock:
        found = _converters.get(config)
        if found is None:
            import opencc  # only here: the first Chinese query pays for loading it
            found = _converters[config] = opencc.OpenCC(config)
        return found


def to_japanese(text: str) -> str:
    """Chinese text (simplified or traditional) in Japanese character forms."""
    traditional = _converter("s2t").convert(text)
    return _converter("t2jp").convert(traditional).translate(REPAIRS)


def to_simplified(text: str) -> str:
    """Chinese text in simplified characters (traditional input converted)."""
    return _converter("t2s").convert(text)


def converts(text: str) -> bool:
    """Whether Japanese would write any character of ``text`` otherwise
    (for building the list of traditional-only characters).

    >>> converts("醫"), converts("医"), converts("雇")
    (True, False, False)
    """
    return _converter("t2jp").convert(text) != text
