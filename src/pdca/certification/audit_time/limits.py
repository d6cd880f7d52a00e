"""Adjustments to the table time and the limits on them (reference 5.1, 5.3).

- Adjustments up or down, each with the certification body's reason, are added as percentages
  of the table time; their net reduction may not pass 30 % (IAF MD 5, EA FAQ 37.5 / 37.23).
  pdca reads the 30 % as a floor under the result (70 % of the table time), not as a cap on the
  reductions counted before the increases.
- An integrated audit (IAF MD 11) may then take off at most 20 % more.
- Planning and report writing off site may not bring the time on site below 80 % of the
  calculated time (IAF MD 5; the reference gives no such minimum for ISMS).
- Every figure is rounded up to the next half day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pdca.certification.audit_time.result import Step
from pdca.core.exceptions import FieldError, ValidationFailed

__all__ = [
    "MAX_INTEGRATION_REDUCTION",
    "MAX_REDUCTION",
    "ON_SITE_MINIMUM",
    "Adjustment",
    "adjust",
    "check_off_site",
    "integrate",
    "on_site_minimum",
    "round_up",
]

MAX_REDUCTION = 30.0
MAX_INTEGRATION_REDUCTION = 20.0
ON_SITE_MINIMUM = 0.8
ROUNDING = 0.5
MD5_SCHEMES = ("qms", "ems", "ohsms")
INTEGRABLE = ("qms", "ems", "ohsms", "isms", "aims", "fsms", "bcms")
S10 = "EA FAQ 37.5 / 37.23 quoting IAF MD 1 (reference 5.1)"


@dataclass(frozen=True)
class Adjustment:
    """A change to the table time: `percent` above 0 adds time, below 0 takes it off."""

    percent: float
    reason: str


def round_up(days: float) -> float:
    """`days` rounded up to the next half day (float noise below a millionth ignored)."""
    return math.ceil(round(days / ROUNDING, 6)) * ROUNDING


def _check(adjustments: Sequence[Adjustment]) -> None:
    errors = []
    for i, a in enumerate(adjustments):
        if isinstance(a.percent, bool) or not isinstance(a.percent, int | float):
            errors.append(FieldError(f"adjustments[{i}].percent", "must be a number"))
        elif a.percent == 0 or not -100 < a.percent <= 1000:
            errors.append(
                FieldError(
                    f"adjustments[{i}].percent", "must be above -100 and not 0, at most 1000"
                )
            )
        if not str(a.reason).strip():
            errors.append(FieldError(f"adjustments[{i}].reason", "every adjustment needs a reason"))
    if errors:
        raise ValidationFailed(errors)


def _basis(scheme: str) -> tuple[str, str, bool]:
    """Where adjustments and the 30 % floor come from for `scheme`: basis, label, assumption."""
    if scheme in MD5_SCHEMES:
        return "IAF MD 5:2019, factors for adjustment (reference 5.1)", "V", False
    if scheme == "isms":
        return (
            "ISO/IEC 27006-1 business and IT complexity, 27006:2015 B.3 (reference 5.3)",
            "M",
            False,
        )
    return "by analogy with IAF MD 5 (the reference gives no rule for this standard)", "pdca", True


def adjust(scheme: str, base: float, adjustments: Sequence[Adjustment]) -> tuple[float, list[Step]]:
    """The table time after the adjustments, with the 30 % limit on their net reduction."""
    _check(adjustments)
    basis, confidence, assumption = _basis(scheme)
    steps = []
    for a in adjustments:
        steps.append(
            Step(
                key="adjustment",
                text=f"{'up' if a.percent > 0 else 'down'} {abs(a.percent):g} %: "
                f"{a.reason.strip()}",
                basis=basis,
                confidence=confidence,
                value=round(base * a.percent / 100, 4),
                percent=float(a.percent),
                assumption=assumption,
            )
        )
    net = sum(float(a.percent) for a in adjustments)
    if net < -MAX_REDUCTION:
        cap_basis, cap_confidence = (S10, "V") if scheme != "isms" else (basis, "M")
        steps.append(
            Step(
                key="reduction_cap",
                text=f"the adjustments take off {-net:g} % net; the most that may be taken off "
                f"the table time is {MAX_REDUCTION:g} %, so {MAX_REDUCTION:g} % is used",
                basis=cap_basis,
                confidence=cap_confidence,
                value=round(base * (1 - MAX_REDUCTION / 100), 4),
                percent=-MAX_REDUCTION,
                assumption=assumption,
            )
        )
        net = -MAX_REDUCTION
    adjusted = base * (1 + net / 100)
    if adjustments:
        steps.append(
            Step(
                key="adjusted",
                text=f"{base:g} days {net:+g} % = {adjusted:.4g} days",
                basis=basis,
                confidence=confidence,
                value=round(adjusted, 4),
                percent=net,
                assumption=assumption,
            )
        )
    return adjusted, steps


def integrate(
    scheme: str, days: float, integrated_with: Sequence[str], percent: float, reason: str
) -> tuple[float, list[Step]]:
    """The time after the reduction for an integrated audit (at most 20 %, after MD 5)."""
    others = list(integrated_with)
    errors = []
    for i, other in enumerate(others):
        if other not in INTEGRABLE or other == scheme or others.index(other) != i:
            errors.append(
                FieldError(f"integrated_with[{i}]", f"must be another of {', '.join(INTEGRABLE)}")
            )
    if isinstance(percent, bool) or not isinstance(percent, int | float) or percent < 0:
        errors.append(FieldError("integration_reduction", "must be a percentage, 0 or more"))
    elif percent and not others:
        errors.append(FieldError("integrated_with", "name the standards audited together"))
    elif percent and not reason.strip():
        errors.append(FieldError("integration_reason", "the reduction needs a reason"))
    if errors:
        raise ValidationFailed(errors)
    if not others:
        return days, []
    steps = []
    used = min(float(percent), MAX_INTEGRATION_REDUCTION)
    if percent > MAX_INTEGRATION_REDUCTION:
        steps.append(
            Step(
                key="integration_cap",
                text=f"{percent:g} % asked for integration; at most {MAX_INTEGRATION_REDUCTION:g} %"
                " may be taken off for an integrated audit, so that is used",
                basis="IAF MD 11, " + S10,
                confidence="V",
                percent=-MAX_INTEGRATION_REDUCTION,
            )
        )
    result = days * (1 - used / 100)
    with_ = ", ".join(others)
    steps.append(
        Step(
            key="integration",
            text=f"audited together with {with_}: down {used:g} %"
            + (f": {reason.strip()}" if used else " (no reduction taken)")
            + f" = {result:.4g} days (applied after the IAF MD 5 adjustments)",
            basis="IAF MD 11, " + S10,
            confidence="V",
            value=round(result, 4),
            percent=-used,
        )
    )
    return result, steps


def on_site_minimum(scheme: str, days: float) -> float | None:
    """The least time on site for `days` of audit time, or None where the reference sets none."""
    if scheme not in MD5_SCHEMES:
        return None
    return round(days * ON_SITE_MINIMUM, 2)


def check_off_site(scheme: str, days: float, off_site: float) -> Step:
    """The step that records the 80 % on-site minimum, refusing off-site time beyond it."""
    if isinstance(off_site, bool) or not isinstance(off_site, int | float) or off_site < 0:
        raise ValidationFailed.single("off_site", "must be a number of days, 0 or more")
    minimum = on_site_minimum(scheme, days)
    if minimum is None:
        if off_site > days:
            raise ValidationFailed.single("off_site", f"is more than the {days:g} days")
        return Step(
            key="on_site_minimum",
            text="the reference sets no on-site minimum for this scheme (remote auditing per "
            "IAF MD 4); off-site time is the certification body's to justify",
            basis="IAF MD 4 (reference 5.3)",
            confidence="M",
        )
    if off_site > days - minimum + 1e-9:
        raise ValidationFailed.single(
            "off_site",
            f"{off_site:g} days off site would leave less than {ON_SITE_MINIMUM:.0%} of "
            f"{days:g} days ({minimum:g}) on site",
        )
    return Step(
        key="on_site_minimum",
        text=f"planning and report writing off site may not bring the time on site below "
        f"{ON_SITE_MINIMUM:.0%}: at least {minimum:g} of {days:g} days on site"
        + (f"; {off_site:g} days planned off site" if off_site else ""),
        basis="IAF MD 5 (2009 text; kept in 2019 from memory) (reference 5.1)",
        confidence="M",
        value=minimum,
        percent=ON_SITE_MINIMUM * 100,
    )
