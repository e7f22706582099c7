"""The multilingual gazetteer (gazetteer.yaml) compiled into regexes that find named subjects."""
from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

import yaml

from aiatlas.claims.model import Entity
from aiatlas.errors import DataError

SECTIONS = {"countries": "country", "organizations": "organization", "models": "model",
            "benchmarks": "benchmark"}
_LATIN = re.compile(r"[A-Za-z]")


class Gazetteer:
    """Finds countries, organizations, models and benchmarks in NFKC-normalised text."""

    def __init__(self, data: dict, origin: str = "gazetteer.yaml"):
        self.info: dict[tuple[str, str], dict] = {}
        # one regex per entity; overlaps are settled afterwards by preferring the longer name
        self._rx: list[tuple[re.Pattern, str, str]] = []
        for section, type_ in SECTIONS.items():
            for ent_id, entry in (data.get(section) or {}).items():
                if not isinstance(entry, dict):
                    raise DataError(f"{origin}: {section}.{ent_id}: expected a mapping of names")
                self.info[(type_, str(ent_id))] = entry
                names = sorted({unicodedata.normalize("NFKC", str(n)) for lang in ("en", "ja", "zh")
                                for n in entry.get(lang) or []}, key=len, reverse=True)
                # regexes first: at one position the first alternative wins, and they are longer
                exact = [f"(?:{rx})" for rx in entry.get("regex") or []]
                exact += [_literal(n) for n in names if len(n) <= 3 or n.isupper()]
                loose = [_literal(n) for n in names if not (len(n) <= 3 or n.isupper())]
                for pats, flags in ((exact, 0), (loose, re.IGNORECASE)):
                    if pats:
                        try:
                            rx = re.compile("|".join(pats), flags)
                        except re.error as e:
                            raise DataError(f"{origin}: {section}.{ent_id}: bad regex ({e})") from None
                        self._rx.append((rx, type_, str(ent_id)))

    def find(self, text: str) -> list[Entity]:
        """Every non-overlapping entity, preferring the longest name where two overlap."""
        hits = [Entity(id=ent_id, type=type_, text=m.group(), start=m.start(), end=m.end())
                for rx, type_, ent_id in self._rx for m in rx.finditer(text) if m.end() > m.start()]
        hits.sort(key=lambda e: (-(e.end - e.start), e.start))
        taken: list[Entity] = []
        for e in hits:
            if all(e.end <= t.start or e.start >= t.end for t in taken):
                taken.append(e)
        for e in taken:
            e.country = e.id if e.type == "country" else self.info[(e.type, e.id)].get("country")
        return sorted(taken, key=lambda e: e.start)


def _literal(name: str) -> str:
    """A name as a regex; Latin names only match as whole words."""
    pat = re.escape(name)
    if _LATIN.search(name[:1]):
        pat = r"(?<![A-Za-z0-9])" + pat
    if _LATIN.search(name[-1:]) or name.endswith("."):
        pat += r"(?![A-Za-z0-9])"
    return pat


@functools.lru_cache(maxsize=1)
def default() -> Gazetteer:
    """The packaged gazetteer, loaded once."""
    text = resources.files("aiatlas.claims").joinpath("gazetteer.yaml").read_text(encoding="utf-8")
    return Gazetteer(yaml.safe_load(text))
