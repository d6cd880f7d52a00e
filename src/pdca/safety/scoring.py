"""Scoring an OH&S risk on a hazard scoring method, or on the copy of it a hazard keeps.

A method is read either from the organization's `HazardMethod` or from a hazard's
`method_snapshot` (a dict kept as JSON text with the same keys), so a hazard scored under an earlier
method still reads with that method's labels and acceptable level."""

from __future__ import annotations

from typing import Any

from pdca.safety.models import HazardMethod

SNAPSHOT_KEYS = ("name", "likelihood_labels", "severity_labels", "score_rule", "acceptable_level")


def snapshot_of(method: HazardMethod) -> dict[str, Any]:
    """What a hazard keeps of the method it was scored with."""
    data: dict[str, Any] = {key: getattr(method, key) for key in SNAPSHOT_KEYS}
    data["likelihood_labels"] = list(data["likelihood_labels"])
    data["severity_labels"] = list(data["severity_labels"])
    data["saved_at"] = method.updated_at.isoformat() if method.pk and method.updated_at else None
    return data


def score(rule: str, likelihood: int | None, severity: int | None) -> int | None:
    """The score of a pair of levels under `rule` (None unless both are rated)."""
    if likelihood is None or severity is None:
        return None
    if rule == HazardMethod.ScoreRule.SUM:
        return likelihood + severity
    if rule == HazardMethod.ScoreRule.MAX:
        return max(likelihood, severity)
    return likelihood * severity


def max_score(snapshot: dict[str, Any]) -> int:
    top = score(
        snapshot["score_rule"], len(snapshot["likelihood_labels"]), len(snapshot["severity_labels"])
    )
    return top or 0


def level_label(labels: list[str], level: int | None) -> str:
    """ "3 · Possible", or the bare number when the scale no longer has that level."""
    if level is None:
        return ""
    if 1 <= level <= len(labels):
        return f"{level} · {labels[level - 1]}"
    return str(level)


def is_acceptable(snapshot: dict[str, Any], value: int | None) -> bool | None:
    """Whether `value` is within the snapshot's acceptable level (None when not scored)."""
    if value is None or not snapshot:
        return None
    return bool(value <= int(snapshot["acceptable_level"]))


def rating(snapshot: dict[str, Any], likelihood: int | None, severity: int | None) -> dict:
    """How one rating reads on a page: score, labels, and whether it is acceptable."""
    value = score(snapshot.get("score_rule", ""), likelihood, severity) if snapshot else None
    return {
        "score": value,
        "likelihood": level_label(snapshot.get("likelihood_labels", []), likelihood),
        "severity": level_label(snapshot.get("severity_labels", []), severity),
        "acceptable": is_acceptable(snapshot, value),
    }
