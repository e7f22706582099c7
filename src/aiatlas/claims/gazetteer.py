"""The multilingual gazetteer: gazetteer.yaml plus every ISO country (pycountry, en/ja), one pass per text."""
from __future__ import annotations

import functools
import gettext
import re
import re._constants as sre
import re._parser as sre_parse
import unicodedata
from importlib import resources

import ahocorasick
import pycountry
import yaml

from aiatlas.claims.model import Entity
from aiatlas.claims.text import normalise
from aiatlas.errors import DataError

SECTIONS = {"countries": "country", "states": "state", "organizations": "organization",
            "models": "model", "benchmarks": "benchmark", "publications": "publication"}
_LATIN = re.compile(r"[A-Za-z]")
_KATAKANA = "ァ-ヶー"
# pycountry names that are everyday words or people's names more often than countries
_NOT_SUBJECTS = {"Georgia", "Jordan", "Chad", "Turkey", "Guinea", "Niger", "Mali", "Oman", "Peru",
                 "Cuba", "Togo", "Iran", "Fiji", "Nauru", "Palau", "Tonga", "Samoa"}


class Gazetteer:
    """Finds countries, US states, organizations, models and benchmarks in NFKC-normalised text.

    All literal names go into two Aho-Corasick automata (case-sensitive for acronyms, short names
    and countries; case-insensitive for the rest), so a text is scanned once, in linear time,
    whatever the number of names; `regex` entries form one compiled alternation.
    """

    def __init__(self, data: dict, origin: str = "gazetteer.yaml"):
        self.info: dict[tuple[str, str], dict] = {}
        exact: dict[str, tuple[str, str]] = {}
        loose: dict[str, tuple[str, str]] = {}
        regexes: list[tuple[str, str, str]] = []
        for section, type_ in SECTIONS.items():
            for ent_id, entry in (data.get(section) or {}).items():
                if not isinstance(entry, dict):
                    raise DataError(f"{origin}: {section}.{ent_id}: expected a mapping of names")
                self.info[(type_, str(ent_id))] = entry
                for lang in ("en", "ja", "zh"):
                    for n in _with_plurals(entry.get(lang) or [], type_ == "country" and lang == "en"):
                        name = unicodedata.normalize("NFKC", str(n))
                        if len(name) <= 3 or name.isupper() or type_ == "country":
                            exact.setdefault(name, (type_, str(ent_id)))
                        else:
                            loose.setdefault(name.lower(), (type_, str(ent_id)))
                regexes += [(rx, type_, str(ent_id)) for rx in entry.get("regex") or []]
        for name, key in _iso_names().items():  # every country the warehouse can hold
            exact.setdefault(name, key)
            self.info.setdefault(key, {"country": "USA"} if key[0] == "state" else {})
        self._exact, self._loose = _automaton(exact), _automaton(loose)
        try:
            self._rx_regex = re.compile("|".join(f"(?P<g{i}>{rx})" for i, (rx, _, _) in
                                                 enumerate(regexes))) if regexes else None
        except re.error as e:
            raise DataError(f"{origin}: bad regex ({e})") from None
        # where a match of the alternation can start: sre tries every alternative at every
        # character of the text (no alternative's first character is known to it), a class of
        # first characters skips the rest at C speed (None: some regex's start is not that plain)
        firsts = [_first_chars(p) if not p.state.flags & re.IGNORECASE else None
                  for p in (sre_parse.parse(rx) for rx, _, _ in regexes)]
        self._rx_starts = re.compile("[" + "".join(sorted(map(re.escape, set().union(*firsts)))) + "]") \
            if regexes and all(f for f in firsts) else None
        self._regex_keys = [(t, i) for _, t, i in regexes]

    def find(self, text: str) -> list[Entity]:
        """Every non-overlapping entity, preferring the longer name where two overlap."""
        hits = []
        lower = text.lower()
        if len(lower) != len(text):  # a few characters lower-case to two: keep offsets aligned
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        for auto, hay in ((self._exact, text), (self._loose, lower)):
            if auto is None:
                continue
            for end, (size, type_, ent_id, name) in auto.iter(hay):
                start = end + 1 - size
                if _bounded(text, start, end + 1, name):
                    hits.append(Entity(ent_id, type_, text[start:end + 1], start, end + 1))
        if self._rx_regex is not None:
            for m in self._regex_matches(text):
                if m.end() > m.start():
                    type_, ent_id = self._regex_keys[int(m.lastgroup[1:])]
                    hits.append(Entity(ent_id, type_, m.group(), m.start(), m.end()))
        hits.sort(key=lambda e: (e.start, -(e.end - e.start)))
        taken: list[Entity] = []
        for e in hits:  # one sweep: hits are sorted by start, longest first at each start
            if taken and e.start < taken[-1].end:
                if e.end - e.start > taken[-1].end - taken[-1].start and e.start == taken[-1].start:
                    taken[-1] = e
                continue
            taken.append(e)
        for e in taken:
            info = self.info.get((e.type, e.id), {})
            e.country = e.id if e.type == "country" else info.get("country")
            e.developer = info.get("organization") if e.type == "model" else None
        return taken


    def _regex_matches(self, text: str):
        """The matches of the `regex` alternation finditer gives, trying it only where a match
        can start (a character some regex begins with)."""
        if self._rx_starts is None:
            yield from self._rx_regex.finditer(text)
            return
        pos = 0
        while (c := self._rx_starts.search(text, pos)) is not None:
            m = self._rx_regex.match(text, c.start())  # look-behinds still see the text before
            if m is None or m.end() == m.start():
                pos = c.start() + 1
                continue
            yield m
            pos = m.end()


def _first_chars(parsed) -> set[str] | None:
    """The characters every match of a parsed regex starts with (None: not a small known set).
    Zero-width assertions before the first character are passed over."""
    for op, av in parsed:
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
            continue
        if op is sre.LITERAL:
            return {chr(av)}
        if op is sre.IN:
            chars = set()
            for kind, x in av:
                if kind is sre.LITERAL:
                    chars.add(chr(x))
                elif kind is sre.RANGE and x[1] - x[0] < 256:
                    chars.update(map(chr, range(x[0], x[1] + 1)))
                else:
                    return None  # a negated class, \d, \w or a wide range
            return chars
        if op is sre.SUBPATTERN:
            return _first_chars(av[3]) if not (av[1] | av[2]) else None
        if op is sre.BRANCH:
            firsts = [_first_chars(alt) for alt in av[1]]
            return set().union(*firsts) if all(firsts) else None
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
            return _first_chars(av[2])
        return None
    return None


def _with_plurals(names: list, demonyms: bool) -> list:
    """A country's English names with the plural of each demonym ('Canadians', 'Israelis'):
    survey figures are stated of a people ('39% of Americans')."""
    names = [str(n) for n in names]
    if not demonyms:
        return names
    return names + [f"{n}s" for n in names if re.search(r"(?:an|i)$", n) and f"{n}s" not in names]


def _automaton(names: dict[str, tuple[str, str]]):
    """An Aho-Corasick automaton over the names (keys as matched: exact, or lower-cased)."""
    if not names:
        return None
    auto = ahocorasick.Automaton()
    for name, (type_, ent_id) in names.items():
        auto.add_word(name, (len(name), type_, ent_id, name))
    auto.make_automaton()
    return auto


_WORD = re.compile(r"[A-Za-z0-9]")
_KANA_RUN = re.compile(f"[{_KATAKANA}]")


def _bounded(text: str, start: int, end: int, name: str) -> bool:
    """Latin names match as whole words, katakana names as whole katakana runs."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if _LATIN.match(name[:1]) and before and _WORD.match(before):
        return False
    if (_LATIN.search(name[-1:]) or name.endswith(".")) and after and _WORD.match(after):
        return False
    if _KANA_RUN.match(name[:1]) and before and _KANA_RUN.match(before):
        return False
    return not (_KANA_RUN.match(name[-1:]) and after and _KANA_RUN.match(after))


@functools.lru_cache(maxsize=1)
def _iso_names() -> dict[str, tuple[str, str]]:
    """English and Japanese names of every ISO 3166 country (pycountry and its ja locale)."""
    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"], fallback=True)
    out: dict[str, tuple[str, str]] = {}
    for c in pycountry.countries:
        names = {c.name, getattr(c, "common_name", c.name)}
        names |= {n.strip(" )") for n in re.split(r"[(（,]", ja.gettext(c.name)) if n.strip(" )")}
        for n in names:
            n = unicodedata.normalize("NFKC", n)
            if n not in _NOT_SUBJECTS and len(n) >= 2:
                out[n] = ("country", c.alpha_3)
    for s in pycountry.subdivisions.get(country_code="US"):
        if s.type == "State" and s.name not in ("Georgia", "Washington"):  # a country; a city
            out[s.name] = ("state", s.code)
    return out


@functools.lru_cache(maxsize=1)
def default() -> Gazetteer:
    """The packaged gazetteer, loaded once."""
    text = resources.files("aiatlas.claims").joinpath("gazetteer.yaml").read_text(encoding="utf-8")
    return Gazetteer(yaml.safe_load(text))


@functools.lru_cache(maxsize=512)
def in_sentence(sentence: str) -> tuple[str, tuple[Entity, ...]]:
    """A sentence normalised and the default gazetteer's names in it, read once: the chip and
    pair checks ask for every claim of a sentence (callers must not change the entities)."""
    norm = normalise(sentence).text
    return norm, tuple(default().find(norm))


def is_country(code: str) -> bool:
    """Whether an id is one ISO 3166 country (not the world, the EU or a region)."""
    return len(code) == 3 and code.isupper() and pycountry.countries.get(alpha_3=code) is not None
