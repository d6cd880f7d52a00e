"""`calculate`: the audit time of one scheme, every figure with the steps that reached it.

Order: effective personnel, the table row (or the days a certification body entered for a
standard without a published table), adjustments with the 30 % limit, the integrated-audit
reduction with its 20 % limit, rounding up to the half day, then the stage 1 and stage 2 split,
surveillance (about a third) and recertification (about two thirds), each with its least time
on site where the reference sets one. See docs/certification.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from pdca.certification.audit_time.limits import (
    Adjustment,
    adjust,
    check_off_site,
    integrate,
    on_site_minimum,
    round_up,
)
from pdca.certification.audit_time.personnel import (
    IdenticalActivity,
    RepetitiveFunctions,
    effective_personnel,
)
from pdca.certification.audit_time.result import AuditTimeResult, Figure, Step
from pdca.certification.audit_time.tables import Cell, Table, TableRow, load_table
from pdca.core.exceptions import ValidationFailed

__all__ = ["ENTERED_STANDARDS", "SCHEMES", "STAGE1_SHARE", "calculate"]

SCHEMES = ("qms", "ems", "ohsms", "isms", "entered")
#: Standards in scope without a published audit-time table: their days are entered.
ENTERED_STANDARDS = {"aims": "ISO/IEC 42001", "fsms": "ISO 22000", "bcms": "ISO 22301"}
#: pdca's default share of stage 1 in the initial time: the reference gives no split.
STAGE1_SHARE = Fraction(1, 3)
MD5 = "IAF MD 5:2019 (reference 5.1)"
SPLIT_GAP = (
    "the reference gives no stage 1 / stage 2 split (the tables give their total): "
    "pdca's default share for stage 1, to be set by the certification body"
)


def _table_base(
    scheme: str, complexity: str | None, effective: int
) -> tuple[Table, TableRow, str, list[Step]]:
    table = load_table(scheme)
    if table.single_column:
        if complexity is not None:
            raise ValidationFailed.single(
                "complexity", f"{table.standard} has no complexity category"
            )
        column = "days"
    elif complexity not in table.columns:
        raise ValidationFailed.single("complexity", f"must be one of {', '.join(table.columns)}")
    else:
        column = complexity
    row = table.row_for(effective)
    if row is None:
        raise ValidationFailed.single(
            "personnel",
            f"{effective} effective persons is beyond the table's last row "
            f"({table.last_personnel}); the table says to {table.beyond_last_row}, which pdca does "
            "not extrapolate: enter the days (scheme entered) with their justification",
        )
    cell = row.cells[column]
    where = "" if column == "days" else f", {column} complexity"
    steps = [
        Step(
            key="table_row",
            text=f"{table.title}: row {row.label} persons{where}: {cell.days:g} days "
            "(stage 1 + stage 2)" + (f". {cell.note}" if cell.note else ""),
            basis=f"{table.source} ({table.reference})",
            confidence=cell.confidence,
            value=cell.days,
        )
    ]
    if scheme != "isms":
        steps.append(
            Step(
                key="audit_day",
                text="an auditor-day is normally 8 hours, travel excluded; longer days do not "
                "shorten it. MD 5 reads the bands as a continuum: pdca uses the band's figure, "
                "and a certification body that interpolates does so through an adjustment",
                basis=MD5 + ", Table OH&SMS 1 note 2",
                confidence="M",
            )
        )
    return table, row, column, steps


def _entered_base(
    standard: str | None,
    days: float | None,
    justification: str,
    complexity: str | None,
    effective: int,
) -> list[Step]:
    if standard not in ENTERED_STANDARDS:
        raise ValidationFailed.single("standard", f"must be one of {', '.join(ENTERED_STANDARDS)}")
    if isinstance(days, bool) or not isinstance(days, int | float) or days <= 0:
        raise ValidationFailed.single("days", "give the initial audit days (stage 1 + stage 2)")
    if not justification.strip():
        raise ValidationFailed.single("justification", "entered days need their justification")
    if complexity is not None:
        raise ValidationFailed.single("complexity", "entered days have no complexity category")
    steps = [
        Step(
            key="entered_days",
            text=f"{days:g} days (stage 1 + stage 2) entered for {ENTERED_STANDARDS[standard]} by "
            f"the certification body: {justification.strip()}",
            basis="the reference has no published table for this standard",
            confidence="pdca",
            value=float(days),
        )
    ]
    if standard == "aims":
        known = effective <= 10
        steps.append(
            Step(
                key="iso42006",
                text="ISO/IEC 42006:2025 gives for 1-10 AI-related persons: AI producer 5.0, "
                "developer / provider / user 3.5, multiple roles 6.5 days"
                + ("" if known else "; its rows beyond 10 persons are not known to pdca"),
                basis="ISO/IEC 42006:2025 via S17 (reference 5.4)",
                confidence="V",
            )
        )
    return steps


def _reasons(
    steps: Sequence[Step], cell: Cell | None = None, table: Table | None = None
) -> tuple[str, ...]:
    """Why figures resting on `steps` are provisional: one line per provisional step."""
    reasons = []
    for step in steps:
        if not step.provisional or step.key in ("audit_day", "on_site_minimum"):
            continue
        if step.key == "table_row" and table is not None and cell is not None:
            reasons.append(
                f"{table.title} [{cell.confidence}]: {cell.note or table.confidence_note}"
            )
        else:
            label = "pdca's assumption" if step.assumption else step.confidence
            reasons.append(f"{step.key} [{label}]: {step.text}")
    return tuple(reasons)


def _rule(scheme: str, which: str) -> Step:
    """The step for surveillance (a third) or recertification (two thirds)."""
    share = "one third" if which == "surveillance" else "two thirds"
    of = (
        "the initial time"
        if which == "surveillance"
        else ("the time an initial audit of the organization in its current state would take")
    )
    text = f"{which}: about {share} of {of}, rounded up to the half day"
    if scheme in ("qms", "ems", "ohsms"):
        if which == "surveillance":
            return Step(key=which, text=text + " (each year)", basis=MD5, confidence="V")
        return Step(
            key=which,
            text=text + " (two thirds verified; the wording of its basis is from memory)",
            basis=MD5 + ", S9",
            confidence="M",
        )
    if scheme == "isms":
        return Step(
            key=which,
            text=text
            + " (by analogy with IAF MD 5, common practice, not verified as 27006-1 text)",
            basis="ISO/IEC 17021-1 programme (reference 5.3)",
            confidence="M",
        )
    return Step(
        key=which,
        text=text + " (by analogy with IAF MD 5: the reference gives no rule for this standard)",
        basis=MD5,
        confidence="pdca",
        assumption=True,
    )


def _figure(scheme: str, exact: float, basis: str, reasons: tuple[str, ...]) -> Figure:
    days = round_up(exact)
    return Figure(days, exact, on_site_minimum(scheme, days), basis, reasons)


def calculate(
    scheme: str,
    *,
    personnel: int,
    complexity: str | None = None,
    adjustments: Sequence[Adjustment] = (),
    integrated_with: Sequence[str] = (),
    integration_reduction: float = 0.0,
    integration_reason: str = "",
    temporary: int = 0,
    part_time_hours: float = 0.0,
    full_time_hours: float | None = None,
    identical_activities: Sequence[IdenticalActivity] = (),
    repetitive_functions: RepetitiveFunctions | None = None,
    off_site: float = 0.0,
    stage1_share: Fraction | float = STAGE1_SHARE,
    standard: str | None = None,
    days: float | None = None,
    justification: str = "",
) -> AuditTimeResult:
    """The audit time of `scheme` (qms, ems, ohsms, isms, or entered with `standard`, `days`
    and `justification`) for the given personnel; bad input raises ValidationFailed naming
    the field."""
    if scheme not in SCHEMES:
        raise ValidationFailed.single("scheme", f"must be one of {', '.join(SCHEMES)}")
    if (
        isinstance(stage1_share, bool)
        or not isinstance(stage1_share, int | float | Fraction)
        or not (0 < stage1_share < 1)
    ):
        raise ValidationFailed.single("stage1_share", "must be a fraction between 0 and 1")
    effective, steps = effective_personnel(
        scheme,
        personnel=personnel,
        temporary=temporary,
        part_time_hours=part_time_hours,
        full_time_hours=full_time_hours,
        identical_activities=identical_activities,
        repetitive_functions=repetitive_functions,
    )
    table: Table | None = None
    row: TableRow | None = None
    column = "days"
    if scheme == "entered":
        steps += _entered_base(standard, days, justification, complexity, effective)
        base = float(days or 0)
        name = ENTERED_STANDARDS[str(standard)]
    else:
        table, row, column, table_steps = _table_base(scheme, complexity, effective)
        steps += table_steps
        base = row.cells[column].days
        name = table.standard
    adjusted, adjust_steps = adjust(scheme, base, adjustments)
    exact, integration_steps = integrate(
        scheme, adjusted, integrated_with, integration_reduction, integration_reason
    )
    steps += adjust_steps + integration_steps
    reasons = _reasons(steps, row.cells[column] if row else None, table)
    initial = _figure(scheme, exact, "stage 1 + stage 2", reasons)
    steps.append(
        Step(
            key="rounding",
            text=f"{exact:.4g} days rounded up to the next half day: {initial.days:g} (pdca's "
            "rule; MD 5 leaves the increment to the certification body, typically half a day)",
            basis="reference 5.2.1 note",
            confidence="pdca",
            value=initial.days,
        )
    )
    steps.append(check_off_site(scheme, initial.days, off_site))
    share = float(stage1_share)
    stage1_days = min(round_up(initial.days * share), initial.days)
    split_reasons = (*reasons, f"stage split [pdca's assumption]: {SPLIT_GAP}")
    # The 80 % minimum is on the whole initial audit, not on each stage (stage 1 may be
    # partly off site), so the stages carry none of their own.
    stage1 = Figure(
        stage1_days,
        initial.days * share,
        None,
        f"{share:.0%} of the initial time, rounded up",
        split_reasons,
    )
    stage2_days = initial.days - stage1_days
    stage2 = Figure(
        stage2_days,
        initial.days * (1 - share),
        None,
        "the initial time less stage 1",
        split_reasons,
    )
    steps.append(
        Step(
            key="stage_split",
            text=f"stage 1 {stage1_days:g} days ({share:.0%}, rounded up), stage 2 {stage2_days:g}"
            f" days: {SPLIT_GAP}",
            basis="ISO/IEC 17021-1 9.3.1 (reference 4.2)",
            confidence="pdca",
            assumption=True,
        )
    )
    figures = []
    for which, part in (("surveillance", Fraction(1, 3)), ("recertification", Fraction(2, 3))):
        rule = _rule(scheme, which)
        steps.append(rule)
        figure = _figure(scheme, exact * float(part), rule.text, (*reasons, *_reasons([rule])))
        figures.append(figure)
    return AuditTimeResult(
        scheme=scheme,
        standard=name,
        complexity=None if table is None or table.single_column else complexity,
        effective_personnel=effective,
        table_title=table.title if table else None,
        table_row=row,
        base_days=base,
        initial=initial,
        stage1=stage1,
        stage2=stage2,
        surveillance=figures[0],
        recertification=figures[1],
        steps=tuple(steps),
        integrated_with=tuple(integrated_with),
    )
