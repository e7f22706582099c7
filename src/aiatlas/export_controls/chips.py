"""The accelerator table under a rule set: one classified row per chip, plus name lookup."""
from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from aiatlas.errors import UsageError
from aiatlas.export_controls import classify as cl
from aiatlas.export_controls import figures as figs
from aiatlas.export_controls import supplement
from aiatlas.export_controls.rules import Rules, RuleSet, country_code


def parse_date(value: str | dt.date | None, what: str = "--as-of") -> dt.date | None:
    """A date from ISO text; UsageError naming the option when it is not one."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{what} {value!r} is not a date (expected YYYY-MM-DD)") from None


def resolve(rules: Rules, rule_id: str | None, as_of, destination: str | None, what: str = "--as-of"
            ) -> tuple[RuleSet | None, dt.date | None, str | None]:
    """Validate the user's choices: the rule set, the date (`what` names its option in an
    error) and the destination code."""
    on = parse_date(as_of, what)
    rs = rules.pick(rule_id, on)
    if rs is not None and on is not None and rule_id and not rs.in_force(on):
        raise UsageError(f"rule set {rs.id} was not in force on {on} "
                         f"(effective {rs.effective}, superseded {rs.superseded or 'never'})",
                         hint="drop --rules to use the rule set in force on that date")
    return rs, on, (country_code(destination) if destination else None)


def chip_row(row: Mapping[str, Any], rs: RuleSet | None, rules: Rules, *,
             destination: str | None = None, as_of: dt.date | None = None) -> dict[str, Any]:
    """One hardware row classified: specs, computed vs Epoch TPP, status, licence, reason."""
    specs = cl.specs_from_row(row)
    published, diff, mismatch = cl.compare_published_tpp(specs.tpp, row.get("tpp_published"))
    result = cl.classify(specs, rs, rules, destination=destination, as_of=as_of)

    def decide(r):
        c = cl.classify(cl.specs_from_row(r), rs, rules, destination=destination, as_of=as_of)
        return c.status, c.licence_required

    unconfirmed = resting_inputs(row, decide)
    result.reason = cl.resting_on(result.reason, unconfirmed)
    release = row.get("release_date")
    maker = row.get("manufacturer")
    return {
        "name": row.get("name"),
        "manufacturer": maker,
        "maker_country": rules.maker_countries.get(maker) if maker else None,
        "release_date": release.isoformat() if isinstance(release, dt.date) else release,
        "tpp": specs.tpp,
        "tpp_basis": specs.tpp_basis,
        "tpp_epoch": published,
        "tpp_difference": diff,
        "tpp_mismatch": mismatch,
        "die_area_mm2": specs.die_area_mm2,
        "pd": specs.pd,
        "io_bandwidth_gbs": specs.io_bandwidth_gbs,
        "datacenter": specs.datacenter,
        "figure_sources": list(row.get("figure_sources") or []),
        "figure_disagreements": list(row.get("figure_disagreements") or []),
        "unconfirmed_inputs": unconfirmed,
        **result.to_dict(),
    }


def figures_row(specs: Mapping[str, Any], rs: RuleSet | None, rules: Rules, *,
                texts=None, dies: int | None = None, destination: str | None = None,
                as_of: dt.date | None = None) -> dict[str, Any]:
    """A chip given by its figures classified: keyword figures (numbers, or text in the
    keyword's unit) and `texts` ('1.979 PFLOPS FP8 sparse; 814 mm2'), with a note on how each
    text was read. A performance figure whose text says neither dense nor sparse is read as
    dense; when reading it as sparse (half) would change the answer, the answer is
    indeterminate and `deciding` says so."""
    if dies is not None and (isinstance(dies, bool) or not float(dies).is_integer()
                             or not 1 <= dies <= 64):
        raise UsageError(f"dies={dies!r} is not a number of dies from 1 to 64")
    dies = int(dies) if dies is not None else None
    reading = figs.read_options(specs, dies=dies)
    if texts:
        extra = figs.read(texts, dies=dies)
        if (both := set(extra.figures) & {k for k, v in reading.figures.items() if v is not None}):
            raise UsageError(f"{', '.join(sorted(both))} given twice (as an option and as a "
                             "figure text)", hint="give each figure once")
        reading.figures |= extra.figures
        reading.notes += extra.notes
        reading.unmarked = extra.unmarked
    if dies and not any("per die" in n for n in reading.notes):
        reading.notes.append(f"{dies} dies given, but no figure says 'per die': every figure "
                             "is read as the whole package's")
    try:
        chip = cl.specs_from_figures(**reading.figures)
    except TypeError as e:
        raise UsageError(f"unknown chip figure: {e}") from None
    result = cl.classify(chip, rs, rules, destination=destination, as_of=as_of)
    if reading.unmarked:
        _unmarked_readings(result, chip, reading, rs, rules, destination, as_of)
    return {"name": chip.name, "tpp": chip.tpp, "tpp_basis": chip.tpp_basis,
            "die_area_mm2": chip.die_area_mm2, "pd": chip.pd,
            "io_bandwidth_gbs": chip.io_bandwidth_gbs, "datacenter": chip.datacenter,
            **result.to_dict(), "input_notes": reading.notes}


def _unmarked_readings(result: cl.Classification, chip: cl.ChipSpecs, reading: figs.Reading,
                       rs, rules, destination, as_of) -> None:
    """Figures that did not say how they count: a performance figure neither dense nor sparse
    (sparse: half as many dense operations), an I/O figure neither both ways nor one way (one
    way: twice the traffic). When the other reading changes the answer, the answer is
    indeterminate between the two, and says so."""
    perf = [k for k in reading.unmarked if k in figs.PERFORMANCE_ARGS]
    io = [k for k in reading.unmarked if k == "io_bandwidth_gbs"]
    for keys, factor in ((perf, 0.5), (io, 2.0)):
        if not keys:
            continue
        other = {**reading.figures, **{k: reading.figures[k] * factor for k in keys}}
        alt_chip = cl.specs_from_figures(**other)
        alt = cl.classify(alt_chip, rs, rules, destination=destination, as_of=as_of)
        if (alt.status, alt.licence_required) == (result.status, result.licence_required):
            continue
        if keys is perf:
            which = ", ".join(figs.LABELS[k] for k in keys)
            why = (f"the {which} figure does not say dense or sparse: as dense, TPP "
                   f"{cl._num(chip.tpp)} and {result.status}; as sparse (halved), TPP "
                   f"{cl._num(alt_chip.tpp)} and {alt.status}")
            ask = f"whether the {which} figure is dense or sparse (say 'dense' or 'sparse')"
        else:
            why = (f"the I/O figure does not say both directions or one: as bidirectional, "
                   f"{cl._num(chip.io_bandwidth_gbs)} GB/s and {result.status}; as one "
                   f"direction (doubled), {cl._num(alt_chip.io_bandwidth_gbs)} GB/s and "
                   f"{alt.status}")
            ask = ("whether the I/O figure counts both directions (say 'bidirectional' or "
                   "'per direction')")
        result.possible = list(dict.fromkeys(result.possible + alt.possible))
        result.status = result.possible[0] if len(result.possible) == 1 else cl.INDETERMINATE
        if result.licence_required != alt.licence_required:
            result.licence_required = None
        if result.status == cl.INDETERMINATE:
            result.reason = f"{cl.INDETERMINATE} under {result.rule_set}: {why}"
        result.deciding.append(f"{ask}: {why}")


def resting_inputs(row: Mapping[str, Any], decide) -> list[str]:
    """The row's supplement figures that no document of the maker confirms and without which
    `decide(row)` comes out otherwise: the verdict rests on them."""
    entries = [(e, supplement.COLUMNS.get(e.split(" ", 1)[0], (None,))[0])
               for e in row.get("unconfirmed_figures") or []]
    entries = [(e, column) for e, column in entries if column]
    base = decide(row)

    def moves(group) -> bool:
        return decide({**row, **{column: None for _, column in group}}) != base

    out = [e for e, column in entries if moves([(e, column)])]
    if not out:  # no one figure decides; a pair may (two performance figures both give TPP)
        pairs = [p for p in itertools.combinations(entries, 2) if moves(p)]
        out = [e for e, _ in entries if any(e == x for p in pairs for x, _ in p)]
    if not out and entries and moves(entries):
        out = [e for e, _ in entries]
    return out


def table(rows: Iterable[Mapping[str, Any]], rs: RuleSet | None, rules: Rules, *,
          destination: str | None = None, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Every hardware row classified, newest release first (undated last), then by name."""
    out = [chip_row(r, rs, rules, destination=destination, as_of=as_of) for r in rows]
    out.sort(key=lambda r: r["name"] or "")
    out.sort(key=lambda r: r["release_date"] or "", reverse=True)
    return out


def status_counts(classified: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many chips fall in each status (controlled, not controlled, indeterminate)."""
    return dict(sorted(Counter(r["status"] for r in classified).items()))


class AmbiguousChip(UsageError):
    """A chip name that fits several chips (`matches`): never one of them guessed."""

    def __init__(self, name: str, matches: list[Mapping[str, Any]]):
        super().__init__(f"chip name {name!r} is ambiguous ({len(matches)} matches)",
                         hint="matches: " + "; ".join(r["name"] for r in matches[:8]))
        self.name, self.matches = name, matches

    def answered(self, answer) -> UsageError:
        """The same error with each match's `answer(row)` beside its name (its status under
        the rules asked about), so a reader asking about "A800" sees every A800 at once."""
        shown = "; ".join(f"{r['name']}: {answer(r)}" for r in self.matches[:8])
        more = f" (and {len(self.matches) - 8} more)" if len(self.matches) > 8 else ""
        return UsageError(str(self), hint=f"{shown}{more}; give one of these names")


class NearChip(AmbiguousChip):
    """A name no chip has, though one chip's name extends it ('Ascend 950' of 'Ascend 950DT'):
    the longer name may be another variant, so it is named, never used."""

    def __init__(self, name: str, matches: list[Mapping[str, Any]]):
        UsageError.__init__(self, f"no accelerator named {name!r}; named like it: "
                            + "; ".join(r["name"] for r in matches[:8]),
                            hint="a longer or shorter name may be another variant with other "
                                 f"figures; give one of these names, or {FIGURES_HINT}")
        self.name, self.matches = name, matches

    def answered(self, answer) -> UsageError:
        shown = "; ".join(f"{r['name']}: {answer(r)}" for r in self.matches[:8])
        return UsageError(str(self), hint=f"{shown}; a longer or shorter name may be another "
                                          "variant with other figures: give the table's name "
                                          f"if you meant it, or {FIGURES_HINT}")


FIGURES_HINT = ("classify it from its own figures: aiatlas chips classify -F '1.979 PFLOPS FP8 "
                "sparse' -F '814 mm2' (precision, dense or sparse, per package)")


def _key(text: str) -> str:
    """A name as compared: letters and digits only, any case ('Gaudi 3' and 'Gaudi3' alike)."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _spans(name: str) -> tuple[set[str], set[str]]:
    """The keys of every run of whole words in a chip name, and of the runs that end it (the
    name without its maker or family words: 'Ascend 910B' of 'Huawei Ascend 910B')."""
    words = name.split()
    runs = {(i, j) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
    keys = {(j == len(words), _key(" ".join(words[i:j]))) for i, j in runs}
    return {k for _, k in keys}, {k for end, k in keys if end}


def find(rows: list[Mapping[str, Any]], name: str) -> Mapping[str, Any]:
    """The hardware row named `name`: exact (any case), else the one row whose name ends in it,
    else a unique whole-word or substring match. Spaces, hyphens and case are ignored, so
    'gaudi 3' finds 'Intel Habana Gaudi3', and full-width letters and digits are read as
    ASCII ('Ｈ２０' is 'H20')."""
    name = unicodedata.normalize("NFKC", name)
    wanted = name.strip().lower()
    exact = [r for r in rows if (r.get("name") or "").lower() == wanted]
    if exact:
        return exact[0]
    key = _key(wanted)
    spans = [(r, *_spans(r.get("name") or "")) for r in rows] if key else []
    # the name's tail first, so "Ascend 910B" is the 910B and not also the 910B Pro or 910B1;
    # whole words next, so "H20" finds "NVIDIA HGX H20" and not also "NVIDIA H200 SXM"
    for matches in ([r for r, _, tails in spans if key in tails], [r for r, words, _ in spans if key in words]):
        if len(matches) == 1:
            return matches[0]
    partial = [r for r in rows if key and key in _key(r.get("name") or "")]
    if len(partial) == 1 and _ends_a_word(partial[0].get("name") or "", key):
        return partial[0]
    if len(partial) == 1:  # 'Ascend 950' inside 'Ascend 950DT': another variant, perhaps
        raise NearChip(name, partial)
    if partial:
        raise AmbiguousChip(name, partial)
    near = _near(rows, name)
    if near:
        cut, like = near
        raise UsageError(
            f"no accelerator named {name!r} in the hardware table; named like it"
            + (f" without {cut!r}" if cut else "") + ": " + "; ".join(r["name"] for r in like[:8]),
            hint=(f"{cut!r} may mark another chip" if cut else "a name that differs may be "
                  "another chip") + " with other figures, so none of these is used; give the "
                 f"table's name if you meant it, or {FIGURES_HINT}")
    names = [r.get("name") or "" for r in rows]
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.4)
    raise UsageError(f"no accelerator named {name!r} in the hardware table",
                     hint=(("did you mean: " + "; ".join(close) + "; or ") if close
                           else "run `aiatlas chips list` to see the names, or ") + FIGURES_HINT)


def _ends_a_word(name: str, key: str) -> bool:
    """Whether `key` occurs in the name ending where one of its words ends ('gaudi 3' in
    'Habana Gaudi3' does, 'ascend 950' in 'Ascend 950DT' does not)."""
    ends, at = set(), 0
    for word in re.split(r"[^0-9A-Za-z]+", name):
        at += len(_key(word))
        ends.add(at)
    full = _key(name)
    i = full.find(key)
    while i >= 0:
        if i + len(key) in ends:
            return True
        i = full.find(key, i + 1)
    return False


def _near(rows: list[Mapping[str, Any]], name: str
          ) -> tuple[str, list[Mapping[str, Any]]] | None:
    """For a name no chip has, the chips named like it, to show and never to use: those whose
    words each begin with the name's words ('GroqChip LPU v1' for 'Groq LPU'), else those a
    shorter form of it names ('RTX 4090' of 'RTX 4090 D', 'H20' of 'H20E', 'Gaudi 3' of
    'Gaudi 3 PCIe') with the part cut off; at most eight."""
    asked = [_key(w) for w in name.split() if _key(w)]
    if asked:
        begun = [r for r in rows if _words_begin(_name_words(r.get("name") or ""), asked)]
        if 0 < len(begun) <= 8:
            return "", begun
    words = name.split()
    tries = []
    if len(words) > 1:
        tries.append((" ".join(words[:-1]), words[-1]))
    if (m := re.fullmatch(r"(.*\d)([A-Za-z]{1,3})", words[-1] if words else "")):
        tries.append((" ".join([*words[:-1], m.group(1)]), m.group(2)))
    for shorter, cut in tries:
        try:
            return cut, [find(rows, shorter)]
        except AmbiguousChip as e:
            if len(e.matches) <= 8 and not isinstance(e, NearChip):
                return cut, list(e.matches)
        except UsageError:
            continue
    return None


def _name_words(name: str) -> list[str]:
    return [k for k in (_key(w) for w in re.split(r"[^0-9A-Za-z]+", name)) if k]


def _words_begin(words: list[str], asked: list[str]) -> bool:
    """Whether some run of the name's words begins, word by word, with the asked words."""
    return any(all(w.startswith(a) for w, a in zip(words[i:i + len(asked)], asked))
               for i in range(len(words) - len(asked) + 1))
