"""Claims about a named chip's US export-control status ('the H20 could be sold to China without
a licence until April 2025'), checked with the export_controls classification."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from aiatlas.claims import gazetteer
from aiatlas.claims import text as textmod
from aiatlas.claims.model import Claim, Quantity, Verdict
from aiatlas.errors import AiatlasError

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_EN_DATE = re.compile(r"\b(until|till|before|through|from|since|after|in|by)?\s*(" +
                      "|".join(_MONTHS) + r")\s+(\d{4})\b", re.I)
_JA_DATE = re.compile(r"(\d{4})年(\d{1,2})月(まで|以前|から|以降|に)?")
# words that say the licence was NOT needed / the chip sat under the thresholds ('free') ...
_FREE = re.compile(
    r"without (?:a |an |any )?(?:export )?licen[cs]e|licen[cs]e-free|no (?:export )?licen[cs]e"
    r"|(?:fall|fell|falls|stay|stayed|stays|sit|sat|sits|remain|remained) (?:just )?"
    r"(?:under|below|beneath|outside)|(?:below|under) the (?:\w+ )*?thresholds?"
    r"|not (?:subject to|covered by|controlled)|uncontrolled|could (?:still )?(?:legally )?"
    r"(?:be )?(?:sold|shipped|exported)|許可なく|許可不要|ライセンス不要|ライセンスなし|規制対象外"
    r"|規制の対象外|基準を下回|基準未満|規制を回避|規制をかいくぐ|輸出できた|販売できた", re.I)
# ... and words that say it was needed / the chip was controlled ('required')
_REQUIRED = re.compile(
    r"(?:required|requires|require|needed|needs|need) (?:a |an )?(?:export )?licen[cs]e"
    r"|licen[cs]e requirement|\bbanned|\bbarred|(?:was|were|is|are|became) (?:subject to|covered"
    r" by|controlled)|exceed(?:s|ed)? the (?:\w+ )*?thresholds?|above the (?:\w+ )*?thresholds?"
    r"|許可が必要|ライセンスが必要|許可制|禁止|規制対象|規制の対象|基準を上回|基準を超", re.I)
_RULE_WORDS = re.compile(r"thresholds?|rules?|controls|regulations?|基準|規制|規則", re.I)


def find(sentence: str, lang: str, start: int) -> Claim | None:
    """The export-status claim of one sentence: one chip named and a licence stated either way."""
    norm = textmod.normalise(sentence).text
    chips = [e for e in gazetteer.default().find(norm) if e.id == "chips"]
    free = _FREE.search(norm)
    rest = _FREE.sub(" ", norm)  # '規制対象外' is not '規制対象'
    required = _REQUIRED.search(rest)
    if not chips or (free is None) == (required is None):
        return None  # no chip, or the sentence says neither (or both): not a status claim
    first = min(chips, key=lambda e: e.start)
    claim = Claim(text=first.text, start=start + first.start, end=start + first.end,
                  sentence=sentence, lang=lang, clause=norm,
                  quantity=Quantity(value=0.0 if free else 1.0, kind="status",
                                    unit="licence required"),
                  subjects=chips + [e for e in gazetteer.default().find(norm)
                                    if e.type == "country"])
    claim.keywords = norm
    return claim


def _when(norm: str) -> tuple[dt.date | None, str]:
    """The day the claim speaks of, and the month-year phrase that gave it."""
    m = _EN_DATE.search(norm)
    if m:
        prep, month, year = (m.group(1) or "").lower(), _MONTHS[m.group(2).lower()], int(m.group(3))
        phrase = m.group(0).strip()
    else:
        j = _JA_DATE.search(norm)
        if j is None:
            return None, ""
        year, month, prep = int(j.group(1)), int(j.group(2)), {"まで": "until", "以前": "before"}.get(
            j.group(3) or "", "")
        phrase = j.group(0)
    if not 1 <= month <= 12:
        return None, ""
    if prep in ("until", "till", "before"):  # true up to that month: check its eve
        return dt.date(year, month, 1) - dt.timedelta(days=1), phrase
    return dt.date(year, month, calendar.monthrange(year, month)[1]), phrase


def _rule_set(norm: str, day: dt.date | None, phrase: str, rule_sets: list[dict[str, Any]]
              ) -> dict[str, Any] | None:
    """The rule set the sentence names by its month ('the October 2022 thresholds')."""
    if day is None or not _RULE_WORDS.search(norm[norm.find(phrase) + len(phrase):][:40]):
        return None
    month = (day + dt.timedelta(days=1)) if phrase.lower().startswith(("until", "till", "before")) \
        else day
    return next((rs for rs in rule_sets if str(rs["effective"])[:7] == month.isoformat()[:7]),
                None)


def judge(claim: Claim, data) -> Verdict:
    """Classify the named chip on the claim's date or rule set and compare the licence status."""
    norm = claim.clause
    chip = claim.text
    day, phrase = _when(norm)
    countries = sorted({e.id for e in claim.subjects if e.type == "country"})
    if len(countries) > 1:
        return _unsure(f"the sentence names several destinations ({', '.join(countries)})", chip)
    dest = countries[0] if countries else None
    rs = _rule_set(norm, day, phrase, data.rule_sets())
    if rs is None and day is None:
        return _unsure("the sentence states no date or rule set for the chip's status", chip)
    try:
        got = data.chip(chip, rules=rs["id"] if rs else None,
                        rules_as_of=None if rs else day.isoformat(), destination=dest)
    except AiatlasError as e:  # a name the hardware table does not hold, or holds several times
        return _unsure(f"{e}{'; ' + e.hint if getattr(e, 'hint', '') else ''}", chip)
    needed = got.get("licence_required")
    controlled = got.get("status")
    notices = "; ".join(got.get("notices") or [])
    if dest is None and notices:  # a notice binds some destinations only
        return _unsure(f"{got['name']}: a notice applies to some destinations and the sentence "
                       f"names none ({notices})", chip)
    if dest is None or needed is None:
        needed = None if controlled in (None, "indeterminate") else controlled != "not controlled"
    when = f"under {got['rule_set']}" + ("" if rs else f" on {day.isoformat()} ('{phrase}')")
    to = f" to {dest}" if dest else " (no destination named: controlled or not)"
    if needed is None:
        return _unsure(f"{got['name']} {when}: cannot tell ({got.get('reason')})", chip)
    said = "licence required" if needed else "no licence required"
    verdict = "supported" if bool(claim.quantity.value) == needed else "contradicted"
    return Verdict(verdict, f"{got['name']}{to} {when}: {said} — {got.get('reason')}"
                   + (f"; notice {notices}" if notices else ""),
                   reason_key="chip_export", subject=got["name"], measure="US export-control "
                   "status (ECCN 3A090)", titles={"en": "US export-control status",
                                                  "ja": "米国の輸出規制上の扱い"},
                   tolerance="the rule set's thresholds, as classified by `aiatlas chips classify`")


def _unsure(why: str, chip: str) -> Verdict:
    return Verdict("unverifiable", why, reason_key="chip_export_unsure", subject=chip,
                   titles={"en": "US export-control status", "ja": "米国の輸出規制上の扱い"})
