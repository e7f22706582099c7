"""Score extraction and verdicts against a labelled sentence set (tests/fixtures/claims/labelled.yaml)."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aiatlas.claims.check import check_text
from aiatlas.claims.judge import Data
from aiatlas.claims.model import Claim


@dataclass
class Score:
    """Counts behind precision, recall, subject and verdict accuracy; misses for reading."""

    predicted: int = 0
    expected: int = 0
    matched: int = 0
    subject_total: int = 0
    subject_right: int = 0
    verdict_total: int = 0
    verdict_right: int = 0
    verdict_pending: int = 0
    sentences: int = 0
    japanese: int = 0
    misses: list[str] = field(default_factory=list)
    by_source: dict[str, list[int]] = field(default_factory=dict)  # needs -> [right, total]
    # verdict confusion: (expected, got) -> count, over matched claims with an expected verdict
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)
    seconds: float = 0.0

    def precision_of(self, verdict: str) -> float | None:
        """Of the claims given this verdict, the share whose label is the same verdict."""
        given = sum(n for (e, g), n in self.confusion.items() if g == verdict)
        right = self.confusion.get((verdict, verdict), 0)
        return right / given if given else None

    def given(self, verdict: str) -> int:
        """How many matched claims got this verdict."""
        return sum(n for (e, g), n in self.confusion.items() if g == verdict)

    @property
    def decidable(self) -> int:
        """Labelled claims the data can decide (expected verdict other than unverifiable)."""
        return sum(n for (e, g), n in self.confusion.items() if e != "unverifiable")

    @property
    def judged_share(self) -> float:
        """Of the decidable claims, the share that got a verdict other than unverifiable."""
        judged = sum(n for (e, g), n in self.confusion.items()
                     if e != "unverifiable" and g != "unverifiable")
        return judged / self.decidable if self.decidable else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def subject_accuracy(self) -> float:
        return self.subject_right / self.subject_total if self.subject_total else 1.0

    @property
    def verdict_accuracy(self) -> float:
        return self.verdict_right / self.verdict_total if self.verdict_total else 1.0


def load(path: str | Path) -> list[dict[str, Any]]:
    """The labelled sentences."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["sentences"]


_SUBJECT_TYPES = ("country", "state", "organization")  # a state is a subject: Texas banned ...


def subject_of(claim: Claim) -> str | None:
    """The subject a reader would name: nearest country, US state or organization (before, else
    after)."""
    before = [e for e in claim.subjects if e.type in _SUBJECT_TYPES and e.end <= claim.start]
    if before:
        return max(before, key=lambda e: e.end).id
    after = [e for e in claim.subjects if e.type in _SUBJECT_TYPES and e.start >= claim.start]
    return min(after, key=lambda e: e.start).id if after else None


def _same(exp: dict[str, Any], claim: Claim) -> bool:
    q = claim.quantity
    if exp["kind"] != q.kind or not math.isclose(float(exp["value"]), q.value, rel_tol=1e-6):
        return False
    high = exp.get("high")
    return (high is None and q.high is None) or (
        high is not None and q.high is not None and math.isclose(float(high), q.high, rel_tol=1e-6))


def score(sentences: list[dict[str, Any]], data: Data) -> Score:
    """Run the checker on each labelled sentence and compare with its labels."""

    s = Score()
    t0 = time.perf_counter()
    for item in sentences:
        s.sentences += 1
        report = check_text(item["text"], "auto", data=data)
        got = [c for sr in report.sentences for c in sr.claims]
        if report.sentences and report.sentences[0].lang == "ja":
            s.japanese += 1
        expected = list(item.get("claims") or [])
        s.predicted += len(got)
        s.expected += len(expected)
        unmatched = list(got)
        for exp in expected:
            hit = next((c for c in unmatched if _same(exp, c.claim)), None)
            if hit is None:
                s.misses.append(f"{item['id']}: missed {exp['kind']} {exp['value']}")
                continue
            unmatched.remove(hit)
            s.matched += 1
            if exp.get("subject") is not None:
                s.subject_total += 1
                found = subject_of(hit.claim)
                s.subject_right += found == exp["subject"]
                if found != exp["subject"]:
                    s.misses.append(f"{item['id']}: subject {found} for {exp['value']} "
                                    f"(expected {exp['subject']})")
            if exp.get("verdict") is None:
                s.verdict_pending += 1
                continue
            s.verdict_total += 1
            s.verdict_right += hit.verdict.verdict == exp["verdict"]
            key = (exp["verdict"], hit.verdict.verdict)
            s.confusion[key] = s.confusion.get(key, 0) + 1
            group = s.by_source.setdefault(exp.get("needs", "none"), [0, 0])
            group[0] += hit.verdict.verdict == exp["verdict"]
            group[1] += 1
            if hit.verdict.verdict != exp["verdict"]:
                s.misses.append(f"{item['id']}: verdict {hit.verdict.verdict} for {exp['value']} "
                                f"(expected {exp['verdict']}: {hit.verdict.reason})")
        for c in unmatched:
            q = c.claim.quantity
            s.misses.append(f"{item['id']}: spurious {q.kind} {q.value:g} ({c.claim.text!r}, "
                            f"{c.verdict.verdict})")
            if c.verdict.verdict != "unverifiable":  # a verdict on a non-claim is a wrong verdict
                s.confusion[("unverifiable", c.verdict.verdict)] = \
                    s.confusion.get(("unverifiable", c.verdict.verdict), 0) + 1
    s.seconds = time.perf_counter() - t0
    return s
