"""The arithmetic of significance, on a method held as a plain dict (the current method's
`as_snapshot`, or the copy an aspect keeps), so that an earlier assessment is always read on
the method it was made with.

Decision: an aspect whose combined score *reaches* the threshold (score >= threshold) is
significant. A threshold is read as "from this score on", which is how the method page and
the docs word it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pdca.environment.models import SignificanceMethod


def as_snapshot(method: SignificanceMethod) -> dict[str, Any]:
    """What an assessed aspect keeps of the method: everything needed to read its scores."""
    return {
        "name": method.name,
        "criteria": [dict(c) for c in method.criteria],
        "rule": method.rule,
        "threshold": method.threshold,
        "legal_max_significant": method.legal_max_significant,
        "version": method.updated_at.isoformat() if method.updated_at else "",
    }


def combine(rule: str, values: list[int]) -> int:
    if not values:
        return 0
    if rule == SignificanceMethod.Rule.PRODUCT:
        return math.prod(values)
    if rule == SignificanceMethod.Rule.MAX:
        return max(values)
    return sum(values)


def score_range(snapshot: dict[str, Any]) -> tuple[int, int]:
    """The lowest and highest combined score the method can give."""
    criteria = snapshot["criteria"]
    rule = snapshot["rule"]
    return (
        combine(rule, [c["min"] for c in criteria]),
        combine(rule, [c["max"] for c in criteria]),
    )


@dataclass(frozen=True)
class Result:
    score: int
    significant: bool
    reason: str


def evaluate(snapshot: dict[str, Any], scores: dict[str, int]) -> Result:
    """The combined score of `scores` (one per criterion key) and whether it is significant."""
    criteria = snapshot["criteria"]
    score = combine(snapshot["rule"], [scores[c["key"]] for c in criteria])
    threshold = snapshot["threshold"]
    if score >= threshold:
        return Result(score, True, f"its score {score} reaches the threshold {threshold}")
    if snapshot.get("legal_max_significant"):
        at_max = [c["label"] for c in criteria if c.get("legal") and scores[c["key"]] >= c["max"]]
        if at_max:
            return Result(score, True, f"{at_max[0]} is at its maximum")
    return Result(score, False, f"its score {score} is below the threshold {threshold}")


def score_lines(snapshot: dict[str, Any], scores: dict[str, int]) -> list[dict[str, Any]]:
    """Each criterion of the snapshot with the score given, for pages and the API."""
    return [
        {
            "key": c["key"],
            "label": c["label"],
            "min": c["min"],
            "max": c["max"],
            "legal": bool(c.get("legal")),
            "score": scores.get(c["key"]),
        }
        for c in snapshot.get("criteria", [])
    ]
