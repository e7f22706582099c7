"""Text plumbing for claims: NFKC normalisation with an offset map, sentence split, language guess."""
from __future__ import annotations

import functools
import re
import re._constants as sre
import re._parser as sre_parse
import unicodedata
from dataclasses import dataclass

# characters NFKC leaves alone that mean the same as an ASCII sign in figures
_EXTRA = {"〜": "~", "～": "~", "−": "-", "–": "-", "—": "-", "‐": "-", "’": "'", "‘": "'",
          "“": '"', "”": '"', "亿": "億"}
_ABBREV = {"u.s", "u.k", "e.g", "i.e", "mr", "ms", "dr", "no", "vs", "inc", "corp", "ltd", "co",
           "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
           "st", "fig", "approx", "est", "etc", "al"}
_BOUNDARY = re.compile(r"[。！？!?]+[」』）)\"]*|\.[\"')]*(?=\s)|\n")
_ASCII = re.compile(r"[\x00-\x7f]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Normalised:
    """NFKC text plus, for each of its characters, the offset of the original character."""

    text: str
    origin: list[int]  # len(text) + 1 entries; the last is len(original)
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of a normalised span."""
        return self.origin[start], (self.origin[end - 1] + 1 if end > start else self.origin[start])

    def is_circled(self, pos: int) -> bool:
        """True when the normalised character came from an enclosed numeral like ① (list marker)."""
        ch = self.original[self.origin[pos]]
        return "\u2460" <= ch <= "\u24ff" or "\u3251" <= ch <= "\u32bf"


def normalise(text: str) -> Normalised:
    """NFKC per character (full-width digits become ASCII) keeping a map back to the original."""
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _ASCII.finditer(text):  # NFKC keeps ASCII as it is (and _EXTRA has none): a run at once
        _normalise_chars(text, pos, m.start(), out, origin)
        out.append(m.group())
        origin.extend(range(m.start(), m.end()))
        pos = m.end()
    _normalise_chars(text, pos, len(text), out, origin)
    origin.append(len(text))
    norm = "".join(out)
    if _ERA.search(norm):  # '令和7年1月31日' is 2025年1月31日: the era year as the Western year
        parts, pos, keep = [], 0, []
        for m in _ERA.finditer(norm):
            year = _ERAS[m.group(1)] + (1 if m.group(2) == "元" else int(m.group(2))) - 1
            parts.append(norm[pos:m.start()])
            keep.extend(origin[pos:m.start()])
            parts.append(f"{year}年")
            # each digit points into the era name and number, so the span maps back to them
            keep.extend([origin[m.start()]] * 2 + [origin[m.end() - 2]] * 2 + [origin[m.end() - 1]])
            pos = m.end()
        parts.append(norm[pos:])
        keep.extend(origin[pos:])
        return Normalised("".join(parts), keep, text)
    return Normalised(norm, origin, text)


def search_end(rx: re.Pattern, text: str) -> re.Match | None:
    """rx.search(text) for a regex anchored at the end ('...$'): when its matches have a
    longest length, it is tried only from where such a match can start, not at every character
    of the text. Look-behinds and \\b still see the characters before (Pattern.search's pos);
    one more character for '$', which also matches before a final newline."""
    longest = _longest(rx)
    return rx.search(text, max(0, len(text) - longest - 1) if longest is not None else 0)


@functools.lru_cache(maxsize=256)
def _longest(rx: re.Pattern) -> int | None:
    """The most characters a match of rx can take (look-arounds take none), None if unbounded."""
    longest = sre_parse.parse(rx.pattern, rx.flags).getwidth()[1]
    return longest if longest < sre.MAXREPEAT else None

def _normalise_chars(text: str, start: int, end: int, out: list[str], origin: list[int]) -> None:
    for i in range(start, end):
        n = _EXTRA.get(text[i]) or unicodedata.normalize("NFKC", text[i])
        out.append(n)
        origin.extend([i] * len(n))


# Japanese era years: 令和 began in 2019 (令和元年), 平成 in 1989
_ERAS = {"令和": 2019, "平成": 1989}
_ERA = re.compile(r"(令和|平成)\s?(元|\d{1,2})\s?年")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of normalised text: 。！？ for Japanese, . ! ? for English."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if m.group().startswith(".") and _no_break(text[start:m.start()]):
            continue
        _add(spans, text, start, end)
        start = end
    _add(spans, text, start, len(text))
    return spans


def _no_break(before: str) -> bool:
    """A period after an abbreviation, an initial or a list number does not end a sentence."""
    word = re.search(r"([A-Za-z.]+|\d+)$", before)
    if not word:
        return False
    w = word.group(1).lower().rstrip(".")
    if w in _ABBREV or (len(w) == 1 and w.isalpha()):
        return True
    return w.isdigit() and before.strip() == word.group(1) and len(w) <= 2


def _add(spans, text, start, end):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def language(text: str) -> str:
    """'ja' when the text has kana, 'zh' when it has Han characters but no kana, else 'en'."""
    if _KANA.search(text):
        return "ja"
    return "zh" if _HAN.search(text) else "en"
