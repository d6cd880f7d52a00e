"""What an audit-time calculation returns: each figure with the steps that reached it.

Every step names the rule it applied, where the rule comes from, and the reference's confidence
label for it; a step or figure resting on a fact marked V2, M or ! is provisional, and one
resting on a rule pdca chose where the reference is silent says so (label "pdca").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pdca.certification.audit_time.tables import TableRow, is_provisional

__all__ = ["AuditTimeResult", "Figure", "Step"]


@dataclass(frozen=True)
class Step:
    """One step of the calculation: what was done, the value it gave, and on what basis."""

    key: str
    text: str
    basis: str
    confidence: str
    value: float | None = None
    percent: float | None = None
    #: A rule pdca chose to fill a gap in the reference: provisional like a V2, M or ! fact.
    assumption: bool = False

    @property
    def provisional(self) -> bool:
        return is_provisional(self.confidence) or self.assumption

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "text": self.text,
            "value": self.value,
            "percent": self.percent,
            "basis": self.basis,
            "confidence": self.confidence,
            "provisional": self.provisional,
        }


@dataclass(frozen=True)
class Figure:
    """A number of auditor-days: `days` rounded by the rounding rule, `exact` before rounding,
    the least time on site, and why it is provisional if it is."""

    days: float
    exact: float
    on_site_minimum: float | None
    basis: str
    provisional_because: tuple[str, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_because)

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "exact": round(self.exact, 4),
            "on_site_minimum": self.on_site_minimum,
            "basis": self.basis,
            "provisional": self.provisional,
            "provisional_because": list(self.provisional_because),
        }


@dataclass(frozen=True)
class AuditTimeResult:
    """The audit time of one scheme for one organization, with how every figure was reached."""

    scheme: str
    standard: str
    complexity: str | None
    effective_personnel: int
    table_title: str | None
    table_row: TableRow | None
    base_days: float
    initial: Figure
    stage1: Figure
    stage2: Figure
    surveillance: Figure
    recertification: Figure
    steps: tuple[Step, ...]
    integrated_with: tuple[str, ...] = field(default=())

    @property
    def provisional(self) -> bool:
        figures = (self.initial, self.stage1, self.stage2, self.surveillance, self.recertification)
        return any(f.provisional for f in figures) or any(s.provisional for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        row = None
        if self.table_row is not None:
            column = self.complexity or "days"
            cell = self.table_row.cells[column]
            row = {
                "personnel": self.table_row.label,
                "column": column,
                "days": cell.days,
                "confidence": cell.confidence,
                "provisional": cell.provisional,
                "note": cell.note,
            }
        return {
            "scheme": self.scheme,
            "standard": self.standard,
            "complexity": self.complexity,
            "integrated_with": list(self.integrated_with),
            "effective_personnel": self.effective_personnel,
            "table": self.table_title,
            "table_row": row,
            "base_days": self.base_days,
            "initial": self.initial.to_dict(),
            "stage1": self.stage1.to_dict(),
            "stage2": self.stage2.to_dict(),
            "surveillance": self.surveillance.to_dict(),
            "recertification": self.recertification.to_dict(),
            "provisional": self.provisional,
            "steps": [step.to_dict() for step in self.steps],
        }
