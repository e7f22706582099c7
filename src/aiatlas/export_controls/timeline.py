"""The export-control timeline for one destination: every dated step of rules.yaml that reaches it
(rule sets by their effective date, licence notices on named chips, licence review policies)."""
from __future__ import annotations

from typing import Any

from aiatlas.export_controls.rules import Rules


def events(rules: Rules, destination: str = "CHN") -> list[dict[str, Any]]:
    """Dated steps reaching `destination`, oldest first: id, date, kind, what, chips, its
    citation, and `standing`: in force, never enforced (a rule set rescinded first), or
    unconfirmed (a review policy known only from secondary reporting).

    A rule set counts when its default licence scope covers the destination on its effective
    date."""
    out = []
    for rs in rules.rule_sets:
        if rules.covers(rs.licence["default"], destination, rs.effective):
            out.append({"id": rs.id, "date": rs.effective, "kind": "rule set", "what": rs.title,
                        "chips": [], "citation": rs.citation,
                        "standing": "in force" if rs.enforced else "never enforced"})
    for n in rules.notices:
        if rules.covers(n.destinations, destination, n.date):
            out.append({"id": n.id, "date": n.date, "kind": "notice", "what": n.what.strip(),
                        "chips": list(n.chips), "citation": n.citation, "standing": "in force"})
    for p in rules.review_policies:
        if rules.covers(p.destinations, destination, p.start):
            out.append({"id": p.id, "date": p.start, "kind": "review policy", "what": p.policy,
                        "chips": [], "citation": p.citation,
                        "standing": "in force" if p.confirmed else "unconfirmed"})
    return sorted(out, key=lambda e: (e["date"], e["id"]))
