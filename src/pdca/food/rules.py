"""The food safety rules, in one place, called by the registers' hooks and the services:

- `categorize`: our own decision logic that says whether a significant hazard's control measure
  is a CCP, an OPRP, or left to the prerequisite programmes, with the reasoning;
- `validate_hazard` / `apply_hazard_rules`: ratings on the method's scales, the score, the
  significance (score at or above the threshold) and a copy of the method it was judged on;
- `validate_plan`: a CCP has a measurable critical limit, an OPRP has action criteria, and the
  hazards a plan controls are significant and categorized as the plan is;
- `next_verification_due`: when a prerequisite programme is next verified;
- `judge_exercise`: whether a traceability exercise met the method's targets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.food.method_services import method_for
from pdca.food.models import (
    FlowStep,
    FoodSafetyMethod,
    HazardAnalysis,
    HazardControlPlan,
    PrerequisiteProgramme,
    TraceabilityExercise,
)
from pdca.food.models.hazards import Answer, ControlCategory
from pdca.food.models.prp import next_due

YES, NO = Answer.YES.value, Answer.NO.value

# --- the CCP / OPRP decision ----------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Where a hazard's control lands (`category`, "" while questions are unanswered), why, and
    which question to answer next (a field name, "" when decided)."""

    category: str
    reason: str
    next_question: str = ""


def categorize(
    significant: bool,
    *,
    designed_to_control: str = "",
    later_step_controls: str = "",
    measurable_limit: str = "",
    monitored_in_time: str = "",
) -> Decision:
    """Our own decision logic for a hazard at a step (not any standard's text):

    1. A hazard that is not significant is managed by the prerequisite programmes.
    2. If this step is not specifically designed to eliminate or reduce it, and a later step
       will, it is managed by the prerequisite programmes here (the later step's analysis
       carries the control).
    3. Otherwise the control is applied at this step: a CCP when a measurable critical limit
       can be set and monitored in time to correct a failure before release, an OPRP when
       either cannot.
    """
    if not significant:
        return Decision(
            ControlCategory.PRP,
            "Not significant: the prerequisite programmes keep it under control.",
        )
    if not designed_to_control:
        return Decision(
            "",
            "Significant: answer whether this step is designed to control it.",
            "designed_to_control",
        )
    if designed_to_control == NO:
        if not later_step_controls:
            return Decision(
                "",
                "This step is not designed to control it: answer whether a later step will.",
                "later_step_controls",
            )
        if later_step_controls == YES:
            return Decision(
                ControlCategory.PRP,
                "Not designed to control it here and a later step will: managed by the "
                "prerequisite programmes at this step, controlled at the later one.",
            )
    step_text = (
        "This step is designed to control it"
        if designed_to_control == YES
        else "No later step will control it, so it is controlled here"
    )
    if not measurable_limit:
        return Decision(
            "",
            f"{step_text}: answer whether a measurable critical limit can be set.",
            "measurable_limit",
        )
    if measurable_limit == NO:
        return Decision(
            ControlCategory.OPRP,
            f"{step_text}, but no measurable critical limit can be set: an OPRP, with action "
            "criteria.",
        )
    if not monitored_in_time:
        return Decision(
            "",
            f"{step_text} with a measurable limit: answer whether it can be monitored in time "
            "to correct.",
            "monitored_in_time",
        )
    if monitored_in_time == NO:
        return Decision(
            ControlCategory.OPRP,
            f"{step_text} with a measurable limit, but it cannot be monitored in time to "
            "correct a failure: an OPRP.",
        )
    return Decision(
        ControlCategory.CCP,
        f"{step_text}, with a measurable critical limit monitored in time to correct a "
        "failure: a CCP.",
    )


# --- hazard analysis ------------------------------------------------------------------------


def score(likelihood: int | None, severity: int | None) -> int | None:
    if likelihood is None or severity is None:
        return None
    return likelihood * severity


def is_significant(value: int | None, snapshot: dict[str, Any]) -> bool:
    """A hazard is significant when its score reaches the threshold of the method it was
    judged on (at or above it)."""
    return value is not None and value >= int(snapshot["significance_threshold"])


def _scale_errors(method: FoodSafetyMethod, likelihood, severity) -> list[FieldError]:
    errors = []
    if (likelihood is None) != (severity is None):
        missing = "likelihood" if likelihood is None else "severity"
        other = "severity" if missing == "likelihood" else "likelihood"
        errors.append(
            FieldError(
                missing, f"Rate the {missing} together with the {other}, or neither.", "required"
            )
        )
    for name, value, labels in (
        ("likelihood", likelihood, method.likelihood_labels),
        ("severity", severity, method.severity_labels),
    ):
        if value is not None and not 1 <= value <= len(labels):
            errors.append(
                FieldError(
                    name, f"Choose a level from 1 ({labels[0]}) to {len(labels)} ({labels[-1]})."
                )
            )
    return errors


def decision_for(analysis: HazardAnalysis, significant: bool) -> Decision:
    return categorize(
        significant,
        designed_to_control=analysis.designed_to_control,
        later_step_controls=analysis.later_step_controls,
        measurable_limit=analysis.measurable_limit,
        monitored_in_time=analysis.monitored_in_time,
    )


def validate_hazard(analysis: HazardAnalysis, related: dict[str, list]) -> None:
    """Ratings on the method's scales (both or neither); a hazard controlled at this step (CCP
    or OPRP) names its control measure."""
    method = method_for(analysis.organization)
    errors = _scale_errors(method, analysis.likelihood, analysis.severity)
    if not errors:
        value = score(analysis.likelihood, analysis.severity)
        decision = decision_for(analysis, is_significant(value, method.hazard_snapshot()))
        if (
            decision.category in (ControlCategory.CCP, ControlCategory.OPRP)
            and not (analysis.control_measure or "").strip()
        ):
            errors.append(
                FieldError(
                    "control_measure",
                    "A significant hazard controlled at this step needs its control measure.",
                    "required",
                )
            )
    if errors:
        raise ValidationFailed(errors)


def apply_hazard_rules(analysis: HazardAnalysis) -> None:
    """Score, significance, the method's copy and the categorization, from the current method."""
    snapshot = method_for(analysis.organization).hazard_snapshot()
    analysis.method_snapshot = snapshot
    analysis.score = score(analysis.likelihood, analysis.severity)
    analysis.significant = is_significant(analysis.score, snapshot)
    decision = decision_for(analysis, analysis.significant)
    analysis.control_category = decision.category
    analysis.decision_reason = decision.reason


def level_label(labels: list[str], level: int | None) -> str:
    if level is None:
        return "—"
    if 1 <= level <= len(labels):
        return f"{level} · {labels[level - 1]}"
    return f"{level} (off the scale)"


# --- flow steps -----------------------------------------------------------------------------


def validate_step(step: FlowStep, related: dict[str, list]) -> None:
    if (
        step.flow_id
        and FlowStep.objects.filter(flow_id=step.flow_id, number=step.number)
        .exclude(pk=step.pk)
        .exists()
    ):
        raise ValidationFailed.single(
            "number", f"The flow already has a step {step.number}: choose another number."
        )


# --- the hazard control plan ----------------------------------------------------------------


def validate_plan(plan: HazardControlPlan, related: dict[str, list]) -> None:
    errors: list[FieldError] = []
    if plan.category == HazardControlPlan.Category.CCP:
        if plan.lower_limit is None and plan.upper_limit is None:
            errors.append(
                FieldError(
                    "lower_limit",
                    "A CCP needs a measurable critical limit: give a lower or an upper limit "
                    "(or both).",
                    "required",
                )
            )
        if not (plan.parameter or "").strip():
            errors.append(
                FieldError("parameter", "Say what a CCP's critical limit measures.", "required")
            )
    elif (
        plan.category == HazardControlPlan.Category.OPRP
        and not (plan.action_criteria or "").strip()
    ):
        errors.append(
            FieldError("action_criteria", "An OPRP needs its action criteria.", "required")
        )
    if (
        plan.lower_limit is not None
        and plan.upper_limit is not None
        and plan.lower_limit > plan.upper_limit
    ):
        errors.append(FieldError("upper_limit", "The upper limit is below the lower limit."))
    if plan.code and (
        HazardControlPlan.objects.filter(
            organization_id=plan.organization_id, code__iexact=plan.code
        )
        .exclude(pk=plan.pk)
        .exists()
    ):
        errors.append(FieldError("code", f"Another plan entry already has the code {plan.code}."))
    wrong = [
        h
        for h in related.get("hazards", [])
        if not h.significant or h.control_category != plan.category
    ]
    if wrong:
        errors.append(
            FieldError(
                "hazards",
                f"Only significant hazards categorized as {plan.category.upper()} belong here; "
                "not: " + "; ".join(str(h) for h in wrong[:5]) + ".",
            )
        )
    if errors:
        raise ValidationFailed(errors)


def within_limits(plan: HazardControlPlan, value: Decimal) -> bool:
    if plan.lower_limit is not None and value < plan.lower_limit:
        return False
    return not (plan.upper_limit is not None and value > plan.upper_limit)


# --- prerequisite programmes ----------------------------------------------------------------


def next_verification_due(programme: PrerequisiteProgramme) -> dt.date | None:
    """Due one frequency after the last verification, or after the start without one."""
    return next_due(programme.frequency, programme.last_verified_on or programme.started_on)


def apply_programme_rules(programme: PrerequisiteProgramme) -> None:
    programme.next_due = next_verification_due(programme)


# --- traceability exercises -----------------------------------------------------------------


def judge_exercise(
    minutes: int | None, percent: Decimal | None, targets: dict[str, str]
) -> tuple[str, list[str]]:
    """(result, what was missed): "" while a figure is missing; failed when the trace took
    longer than the target or accounted for less than the target share."""
    if minutes is None or percent is None:
        return "", []
    missed = []
    hours = Decimal(targets["trace_target_hours"])
    if Decimal(minutes) > hours * 60:
        missed.append(f"took {minutes} minutes, over the target of {hours.normalize():f} hours")
    target = Decimal(targets["reconciliation_target_percent"])
    if Decimal(percent) < target:
        missed.append(
            f"accounted for {percent}% of the lot, under the target of {target.normalize():f}%"
        )
    result = TraceabilityExercise.Result.FAILED if missed else TraceabilityExercise.Result.PASSED
    return result, missed


def apply_exercise_rules(exercise: TraceabilityExercise) -> None:
    targets = method_for(exercise.organization).exercise_snapshot()
    exercise.targets_snapshot = targets
    exercise.result = judge_exercise(exercise.minutes_taken, exercise.reconciled_percent, targets)[
        0
    ]


def validate_exercise(exercise: TraceabilityExercise, related: dict[str, list]) -> None:
    if exercise.reconciled_percent is not None and not (0 <= exercise.reconciled_percent <= 1000):
        raise ValidationFailed.single("reconciled_percent", "Give a percentage from 0 upwards.")
