"""The rules of a risk register entry, called by the Risk register (and the AI impact
assessment register) inside their create and update transactions:

- `validate_risk`: ratings on the method's scales, the fields each variant (aspect, hazard,
  information security risk) needs and must leave empty, and when a treatment is required;
- `apply_scores`: the stored scores, from the method;
- `risk_detail_context`: the part of a risk's page with its scores, heat map cell and
  treatment actions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.text import capfirst

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.modelinfo import forward_field
from pdca.core.permissions import may
from pdca.risks import scoring
from pdca.risks.actions import is_overdue
from pdca.risks.heatmap import grid_rows
from pdca.risks.method.services import method_for
from pdca.risks.models import ImpactAssessment, Risk, TreatmentAction
from pdca.standards.models import Requirement, Standard

Kind = Risk.Kind

#: Fields that belong to some variants only: {field: kinds that may fill it}.
VARIANT_FIELDS: dict[str, frozenset[str]] = {
    "activity": frozenset({Kind.ASPECT, Kind.HAZARD}),
    "condition": frozenset({Kind.ASPECT}),
    "environmental_impact": frozenset({Kind.ASPECT}),
    "legal_obligation": frozenset({Kind.ASPECT}),
    "hazard_type": frozenset({Kind.HAZARD}),
    "exposed": frozenset({Kind.HAZARD}),
    "asset": frozenset({Kind.INFOSEC}),
    "threat": frozenset({Kind.INFOSEC}),
    "vulnerability": frozenset({Kind.INFOSEC}),
    "confidentiality": frozenset({Kind.INFOSEC}),
    "integrity": frozenset({Kind.INFOSEC}),
    "availability": frozenset({Kind.INFOSEC}),
    "controls": frozenset({Kind.INFOSEC}),
}

#: Fields each variant needs.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.ASPECT: ("activity", "condition", "environmental_impact"),
    Kind.HAZARD: ("activity", "hazard_type"),
    Kind.INFOSEC: ("asset", "threat"),
}

#: The standard whose Annex A controls treat information security risks (code prefix, so a
#: later edition still counts).
INFOSEC_STANDARD = "iso27001"

RATED_PAIRS = (
    ("inherent_likelihood", "inherent_impact"),
    ("residual_likelihood", "residual_impact"),
)


def _label(name: str) -> str:
    return capfirst(str(forward_field(Risk, name).verbose_name))


def _kind_label(kind: str) -> str:
    try:
        return Kind(kind).label.lower()
    except ValueError:
        return kind


def _scale_errors(method, pairs, labels_for) -> list[FieldError]:
    """Each (likelihood, impact) pair: both or neither, and each level on its scale."""
    errors = []
    for (l_name, l_value), (i_name, i_value) in pairs:
        if (l_value is None) != (i_value is None):
            missing, given = (l_name, i_name) if l_value is None else (i_name, l_name)
            errors.append(
                FieldError(
                    missing,
                    f"Rate {_label(missing).lower()} together with {_label(given).lower()}, "
                    "or leave both empty.",
                    "required",
                )
            )
        for name, value in ((l_name, l_value), (i_name, i_value)):
            labels = labels_for[name]
            if value is not None and not 1 <= value <= len(labels):
                errors.append(
                    FieldError(
                        name,
                        f"Choose a level from 1 ({labels[0]}) to {len(labels)} ({labels[-1]}).",
                    )
                )
    return errors


def _article(kind: str) -> str:
    label = _kind_label(kind)
    return f"An {label}" if label[:1] in "aeiou" else f"A {label}"


def _is_empty(risk: Risk, name: str, related: dict[str, list]) -> bool:
    if name == "controls":
        return not related.get("controls")
    value = getattr(risk, name)
    return value in (None, "", False)


def validate_risk(risk: Risk, related: dict[str, list]) -> None:
    """Raise ValidationFailed naming each field that breaks the register's rules; `related`
    holds the chosen many-to-many values (`controls`, ...)."""
    method = method_for(risk.organization)
    labels_for = {
        "inherent_likelihood": method.likelihood_labels,
        "residual_likelihood": method.likelihood_labels,
        "inherent_impact": method.impact_labels,
        "residual_impact": method.impact_labels,
    }
    errors = _scale_errors(
        method,
        [((lf, getattr(risk, lf)), (i_f, getattr(risk, i_f))) for lf, i_f in RATED_PAIRS],
        labels_for,
    )
    if not errors:
        inherent = scoring.score_for(method, risk.inherent_likelihood, risk.inherent_impact)
        residual = scoring.score_for(method, risk.residual_likelihood, risk.residual_impact)
        if residual is not None and inherent is None:
            errors.append(
                FieldError(
                    "inherent_likelihood",
                    "Rate the risk before treatment (inherent) before rating it after.",
                    "required",
                )
            )
        elif residual is not None and inherent is not None and residual > inherent:
            errors.append(
                FieldError(
                    "residual_likelihood",
                    f"The residual score ({residual}) may not exceed the inherent score "
                    f"({inherent}): treatment does not make a risk worse.",
                )
            )
        errors += _treatment_errors(risk, method, inherent)
    errors += _variant_errors(risk, related)
    if errors:
        raise ValidationFailed(errors)


def _treatment_errors(risk: Risk, method, inherent: int | None) -> list[FieldError]:
    # Opportunities are pursued, not treated: the treatment rules are for threats.
    if risk.kind == Kind.OPPORTUNITY or inherent is None:
        return []
    if inherent <= method.acceptance_threshold:
        return []
    if not risk.treatment and risk.status != Risk.Status.IDENTIFIED:
        return [
            FieldError(
                "treatment",
                f"The inherent score ({inherent}) is above the acceptance threshold "
                f"({method.acceptance_threshold}): choose a treatment.",
                "required",
            )
        ]
    if risk.treatment == Risk.Treatment.ACCEPT and not risk.treatment_plan.strip():
        return [
            FieldError(
                "treatment_plan",
                f"Accepting a risk scored {inherent}, above the acceptance threshold "
                f"({method.acceptance_threshold}), needs a justification: write it in the "
                "treatment plan.",
                "required",
            )
        ]
    return []


def _variant_errors(risk: Risk, related: dict[str, list]) -> list[FieldError]:
    errors = []
    kind = risk.kind
    for name in REQUIRED_FIELDS.get(kind, ()):
        if _is_empty(risk, name, related):
            errors.append(FieldError(name, f"{_article(kind)} needs this field.", "required"))
    if kind == Kind.INFOSEC:
        if not (risk.confidentiality or risk.integrity or risk.availability):
            errors.append(
                FieldError(
                    "confidentiality",
                    "Say what the risk threatens: confidentiality, integrity or availability "
                    "(at least one).",
                    "required",
                )
            )
        controls = related.get("controls") or []
        allowed = _infosec_standard_ids()
        bad = [
            c
            for c in controls
            if c.kind != Requirement.Kind.CONTROL or c.standard_id not in allowed
        ]
        if bad:
            errors.append(
                FieldError(
                    "controls",
                    "Choose Annex A controls of ISO/IEC 27001 only; not: "
                    + ", ".join(str(c) for c in bad[:5])
                    + ".",
                )
            )
    for name, kinds in VARIANT_FIELDS.items():
        if kind not in kinds and not _is_empty(risk, name, related):
            errors.append(
                FieldError(
                    name,
                    f"This field is not used for {_article(kind).lower()}: leave it empty.",
                    "not_applicable",
                )
            )
    return errors


def _infosec_standard_ids() -> set[int]:
    return set(
        Standard.objects.filter(code__startswith=INFOSEC_STANDARD).values_list("pk", flat=True)
    )


def apply_scores(risk: Risk) -> None:
    """Set the stored inherent and residual scores from the organization's method."""
    method = method_for(risk.organization)
    risk.inherent_score = scoring.score_for(method, risk.inherent_likelihood, risk.inherent_impact)
    risk.residual_score = scoring.score_for(method, risk.residual_likelihood, risk.residual_impact)


def is_significant(risk: Risk, method=None) -> bool:
    """An environmental aspect is significant when a compliance obligation applies to it, or
    when its current score is above the acceptance threshold. Other kinds never are."""
    if risk.kind != Kind.ASPECT:
        return False
    if risk.legal_obligation:
        return True
    method = method or method_for(risk.organization)
    current = risk.current_score
    return current is not None and current > method.acceptance_threshold


def validate_impact_assessment(assessment: ImpactAssessment, related: dict[str, list]) -> None:
    """Likelihood and severity on the method's likelihood and impact scales, both or neither."""
    method = method_for(assessment.organization)
    labels_for = {"likelihood": method.likelihood_labels, "severity": method.impact_labels}
    errors = []
    pair = [("likelihood", assessment.likelihood), ("severity", assessment.severity)]
    l_value, s_value = assessment.likelihood, assessment.severity
    if (l_value is None) != (s_value is None):
        missing, given = (
            ("likelihood", "severity") if l_value is None else ("severity", "likelihood")
        )
        errors.append(
            FieldError(
                missing,
                f"Rate the {missing} together with the {given}, or leave both empty.",
                "required",
            )
        )
    for name, value in pair:
        labels = labels_for[name]
        if value is not None and not 1 <= value <= len(labels):
            errors.append(
                FieldError(
                    name, f"Choose a level from 1 ({labels[0]}) to {len(labels)} ({labels[-1]})."
                )
            )
    if errors:
        raise ValidationFailed(errors)


def apply_impact_score(assessment: ImpactAssessment) -> None:
    """Set the assessment's stored score (likelihood and severity, on the method's rule)."""
    method = method_for(assessment.organization)
    assessment.score = scoring.score_for(method, assessment.likelihood, assessment.severity)


# --- the risk's page ------------------------------------------------------------------------


def _rating(method, likelihood: int | None, impact: int | None, value: int | None) -> dict:
    return {
        "chip": scoring.chip(method, value),
        "likelihood": scoring.level_label(method.likelihood_labels, likelihood),
        "impact": scoring.level_label(method.impact_labels, impact),
        "rated": value is not None,
    }


def risk_detail_context(request, risk: Risk) -> dict[str, Any]:
    """The extra part of a risk's page (template `risks/_risk_detail.html`): scores in their
    band colours with the scale labels, significance of an aspect, the risk's cell on a small
    heat map, and its treatment actions with the links the user may follow."""
    method = method_for(risk.organization)
    user = request.user
    current = (
        (risk.residual_likelihood, risk.residual_impact)
        if risk.residual_score is not None
        else (risk.inherent_likelihood, risk.inherent_impact)
    )
    # Open actions first (the work left), then by due date.
    actions = list(
        TreatmentAction.objects.filter(risk=risk)
        .select_related("owner")
        .annotate(
            closed=Case(
                When(status=TreatmentAction.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "due_date", "pk")
    )
    can_manage = may(user, "change", risk)
    for row in actions:
        action: Any = row  # given what the template shows
        action.overdue = is_overdue(action)
        action.edit_url = reverse("risks:action-edit", args=[action.pk]) if can_manage else None
        action.complete_url = (
            reverse("risks:action-complete", args=[action.pk])
            if action.status == TreatmentAction.Status.OPEN
            and (can_manage or may(user, "change", action))
            else None
        )
        action.delete_url = reverse("risks:action-delete", args=[action.pk]) if can_manage else None
    return {
        "method": method,
        "ratings": [
            (
                "Before treatment",
                _rating(
                    method, risk.inherent_likelihood, risk.inherent_impact, risk.inherent_score
                ),
            ),
            (
                "After treatment",
                _rating(
                    method, risk.residual_likelihood, risk.residual_impact, risk.residual_score
                ),
            ),
        ],
        "threshold": method.acceptance_threshold,
        "is_aspect": risk.kind == Kind.ASPECT,
        "significant": is_significant(risk, method),
        "heatmap": (
            grid_rows(scoring.heat_map(method, [], mark=current)) if None not in current else None
        ),
        "impact_labels": list(enumerate(method.impact_labels, start=1)),
        "actions": actions,
        "add_action_url": (reverse("risks:action-create", args=[risk.pk]) if can_manage else None),
    }
