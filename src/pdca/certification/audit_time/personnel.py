"""Effective personnel: the headcount an audit-time table is read with.

Only the rules the reference states are applied, each cited in its step (reference 5.1, 5.3):
everyone within the scope counts, on every shift, with non-permanent personnel present at the
time of the audit; part-time personnel count as full-time equivalents by hours worked; under
IAF MD 5 a certification body may justify counting fewer persons who do similar, simple,
repetitive work (its size is the CB's judgement); under ISO/IEC 27006-1 C.3.4 persons doing an
identical activity may count as the square root of their number, rounded up, at most.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pdca.certification.audit_time.result import Step
from pdca.core.exceptions import FieldError, ValidationFailed

__all__ = ["IdenticalActivity", "RepetitiveFunctions", "effective_personnel"]

MD5 = "IAF MD 5:2019 §1-2 (reference 5.1)"
MD5_SCHEMES = ("qms", "ems", "ohsms")
C34 = "ISO/IEC 27006-1:2024 C.3.4, EA FAQ 48.6 (reference 5.3)"


@dataclass(frozen=True)
class IdenticalActivity:
    """A group of persons doing the same activity (ISMS only), e.g. 400 call-centre agents."""

    name: str
    persons: int


@dataclass(frozen=True)
class RepetitiveFunctions:
    """A CB-justified reduction of the count for similar, simple, repetitive work (MD 5)."""

    persons: int
    justification: str


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_counts(personnel: int, temporary: int, part_time_hours: float) -> list[FieldError]:
    errors = []
    if not _whole(personnel) or personnel < 0:
        errors.append(FieldError("personnel", "must be a whole number of persons, 0 or more"))
    if not _whole(temporary) or temporary < 0:
        errors.append(FieldError("temporary", "must be a whole number of persons, 0 or more"))
    if isinstance(part_time_hours, bool) or not isinstance(part_time_hours, int | float):
        errors.append(FieldError("part_time_hours", "must be a number of hours"))
    elif part_time_hours < 0:
        errors.append(FieldError("part_time_hours", "must be 0 or more"))
    return errors


def _headcount(scheme: str, personnel: int, temporary: int) -> Step:
    if scheme == "isms":
        basis, confidence = "ISO/IEC 27006-1:2024 9.1.4, Annex C (reference 5.3)", "M"
        who = "persons doing work under the organization's control"
    elif scheme == "entered":
        basis, confidence = "recorded beside the entered days: no table reads it", "pdca"
        who = "personnel within the scope"
    else:
        basis, confidence = MD5, "V"
        who = "personnel within the scope, on all shifts"
    return Step(
        key="headcount",
        text=f"{personnel} {who} + {temporary} non-permanent (temporary, seasonal, contracted) "
        "present at the time of the audit, counted in full",
        basis=basis,
        confidence=confidence,
        value=float(personnel + temporary),
    )


def _part_time(scheme: str, hours: float, full_time_hours: float | None) -> Step:
    if full_time_hours is None or isinstance(full_time_hours, bool) or full_time_hours <= 0:
        raise ValidationFailed.single(
            "full_time_hours", "give the weekly hours of a full-time person to convert part-time"
        )
    fte = hours / full_time_hours
    text = f"part-time: {hours:g} h / {full_time_hours:g} h a full-time week = {fte:.2f} FTE"
    if scheme not in MD5_SCHEMES:
        return Step(
            key="part_time",
            text=text + " (by analogy with IAF MD 5: the reference gives no rule for this scheme)",
            basis=MD5,
            confidence="pdca",
            value=fte,
            assumption=True,
        )
    return Step(key="part_time", text=text, basis=MD5, confidence="V", value=fte)


def _identical(groups: Sequence[IdenticalActivity], counted: int) -> list[Step]:
    errors = []
    for i, group in enumerate(groups):
        if not str(group.name).strip():
            errors.append(FieldError(f"identical_activities[{i}].name", "name the activity"))
        if not _whole(group.persons) or group.persons < 1:
            errors.append(FieldError(f"identical_activities[{i}].persons", "must be 1 or more"))
    if errors:
        raise ValidationFailed(errors)
    if sum(g.persons for g in groups) > counted:
        raise ValidationFailed.single(
            "identical_activities", f"the groups hold more persons than the {counted} counted"
        )
    steps = []
    for group in groups:
        kept = math.ceil(math.sqrt(group.persons))
        steps.append(
            Step(
                key="identical_activity",
                text=f"{group.name}: {group.persons} persons doing an identical activity count "
                f"as at least the square root, rounded up: {kept} (−{group.persons - kept}; "
                "the maximum reduction, to be justified by risk)",
                basis=C34,
                confidence="V",
                value=float(group.persons - kept),
            )
        )
    return steps


def _repetitive(reduction: RepetitiveFunctions, counted: float) -> Step:
    if not _whole(reduction.persons) or not 1 <= reduction.persons < counted:
        raise ValidationFailed.single(
            "repetitive_functions.persons", "must be at least 1 and fewer than those counted"
        )
    if not reduction.justification.strip():
        raise ValidationFailed.single(
            "repetitive_functions.justification", "a reduction of the count must be justified"
        )
    return Step(
        key="repetitive_functions",
        text=f"−{reduction.persons} persons for similar, simple, repetitive functions: "
        f"{reduction.justification.strip()} (the size of this reduction is the CB's judgement)",
        basis="IAF MD 5:2019 2.3.4, EA FAQ 48.6 (reference 5.1)",
        confidence="M",
        value=float(reduction.persons),
    )


def effective_personnel(
    scheme: str,
    *,
    personnel: int,
    temporary: int = 0,
    part_time_hours: float = 0.0,
    full_time_hours: float | None = None,
    identical_activities: Sequence[IdenticalActivity] = (),
    repetitive_functions: RepetitiveFunctions | None = None,
) -> tuple[int, list[Step]]:
    """The effective number of personnel of `scheme` and the steps that reached it."""
    errors = _check_counts(personnel, temporary, part_time_hours)
    if errors:
        raise ValidationFailed(errors)
    if identical_activities and scheme != "isms":
        raise ValidationFailed.single(
            "identical_activities", "the square-root rule is ISO/IEC 27006-1's (ISMS only)"
        )
    if repetitive_functions is not None and scheme not in MD5_SCHEMES:
        raise ValidationFailed.single(
            "repetitive_functions", "this reduction is IAF MD 5's (QMS, EMS, OH&SMS only)"
        )
    counted = personnel + temporary
    steps = [_headcount(scheme, personnel, temporary)]
    total = float(counted)
    if part_time_hours:
        steps.append(_part_time(scheme, float(part_time_hours), full_time_hours))
        total += steps[-1].value or 0.0
    for step in _identical(identical_activities, counted):
        steps.append(step)
        total -= step.value or 0.0
    if repetitive_functions is not None:
        steps.append(_repetitive(repetitive_functions, total))
        total -= steps[-1].value or 0.0
    effective = math.ceil(round(total, 6))
    if effective < 1:
        raise ValidationFailed.single("personnel", "the effective personnel must be at least 1")
    fractional = effective != round(total, 6)
    steps.append(
        Step(
            key="effective_personnel",
            text=f"effective personnel: {total:g}"
            + (
                f", rounded up to {effective} (pdca's rule: the reference gives none)"
                if fractional
                else ""
            ),
            basis=C34 if scheme == "isms" else MD5,
            confidence="pdca" if fractional else "V",
            value=float(effective),
            assumption=fractional,
        )
    )
    return effective, steps
