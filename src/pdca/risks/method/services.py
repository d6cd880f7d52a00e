"""The organization's risk method: reading it, checking a proposed one, and saving it, which
re-scores every risk and AI impact assessment of the organization on the new rules."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q

from pdca.core.activity import record_activity, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.validation import apply_fields
from pdca.risks import scoring
from pdca.risks.models import ImpactAssessment, Risk, RiskMethod

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

#: What a caller may set on a method.
METHOD_FIELDS = (
    "name",
    "likelihood_labels",
    "impact_labels",
    "score_rule",
    "acceptance_threshold",
    "bands",
)
MIN_LEVELS, MAX_LEVELS = 2, 10
MAX_LABEL = 60
MAX_BANDS = 10
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SCALES = {"likelihood_labels": "likelihood", "impact_labels": "impact"}


def method_for(organization: Organization) -> RiskMethod:
    """The organization's saved method, or an unsaved default one (reading never writes)."""
    method = RiskMethod.objects.filter(organization=organization).first()
    return method if method is not None else RiskMethod(organization=organization)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _scale_errors(name: str, labels: Any) -> list[FieldError]:
    scale = SCALES[name]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        return [FieldError(name, f"Give the {scale} scale as a list of labels, level 1 first.")]
    if not MIN_LEVELS <= len(labels) <= MAX_LEVELS:
        return [
            FieldError(
                name,
                f"The {scale} scale needs {MIN_LEVELS} to {MAX_LEVELS} levels; "
                f"it has {len(labels)}.",
            )
        ]
    errors = []
    seen: dict[str, tuple[int, str]] = {}
    for index, label in enumerate(labels):
        path, level = f"{name}.{index}", index + 1
        key = label.strip().casefold()
        if not key:
            errors.append(FieldError(path, f"{scale.capitalize()} level {level} has no label."))
        elif len(label.strip()) > MAX_LABEL:
            errors.append(
                FieldError(
                    path, f"{scale.capitalize()} level {level}: at most {MAX_LABEL} characters."
                )
            )
        elif key in seen:
            errors.append(
                FieldError(
                    path,
                    f"{scale.capitalize()} level {level} repeats the label of level "
                    f"{seen[key][0]} ({seen[key][1]}).",
                    "duplicate",
                )
            )
        else:
            seen[key] = (level, label.strip())
    return errors


def _band_errors(bands: Any, top: int | None) -> list[FieldError]:
    if not isinstance(bands, list) or not bands:
        return [FieldError("bands", "Give at least one band (up to, label, colour).")]
    if len(bands) > MAX_BANDS:
        return [FieldError("bands", f"At most {MAX_BANDS} bands; there are {len(bands)}.")]
    errors = []
    previous: int | None = None
    for index, band in enumerate(bands):
        path, number = f"bands.{index}", index + 1
        if not isinstance(band, dict) or set(band) != {"up_to", "label", "colour"}:
            errors.append(FieldError(path, f"Band {number}: give exactly up_to, label and colour."))
            previous = None
            continue
        up_to, label, colour = band["up_to"], band["label"], band["colour"]
        if not _is_int(up_to) or up_to < 1:
            errors.append(
                FieldError(
                    f"{path}.up_to", f"Band {number}: up to must be a whole number of 1 or more."
                )
            )
            up_to = None
        elif previous is not None and up_to <= previous:
            errors.append(
                FieldError(
                    f"{path}.up_to",
                    f"Band {number}: up to ({up_to}) must be higher than the band before "
                    f"({previous}).",
                )
            )
        if not isinstance(label, str) or not label.strip():
            errors.append(FieldError(f"{path}.label", f"Band {number} has no label."))
        elif len(label.strip()) > MAX_LABEL:
            errors.append(
                FieldError(f"{path}.label", f"Band {number}: at most {MAX_LABEL} characters.")
            )
        if not isinstance(colour, str) or not COLOUR.match(colour):
            errors.append(
                FieldError(
                    f"{path}.colour",
                    f"Band {number}: the colour must be written #rrggbb, e.g. #2e7d32.",
                )
            )
        previous = up_to if up_to is not None else previous
    last = bands[-1]
    if (
        not errors
        and top is not None
        and isinstance(last, dict)
        and _is_int(last.get("up_to"))
        and last["up_to"] < top
    ):
        errors.append(
            FieldError(
                f"bands.{len(bands) - 1}.up_to",
                f"The last band must reach the highest score ({top}); it stops at {last['up_to']}.",
            )
        )
    return errors


def validate_method(method: RiskMethod) -> None:
    """Check a method's fields; raise ValidationFailed naming every faulty field
    (`likelihood_labels.2`, `bands.1.colour`, ...)."""
    errors: list[FieldError] = []
    if not isinstance(method.name, str) or not method.name.strip():
        errors.append(FieldError("name", "Give the method a name."))
    elif len(method.name) > 100:
        errors.append(FieldError("name", "At most 100 characters."))
    for name in SCALES:
        errors += _scale_errors(name, getattr(method, name))
    rule_ok = method.score_rule in RiskMethod.ScoreRule.values
    if not rule_ok:
        errors.append(
            FieldError(
                "score_rule",
                f"Choose one of: {', '.join(RiskMethod.ScoreRule.values)}.",
            )
        )
    scales_ok = not any(e.field.split(".")[0] in SCALES for e in errors)
    top = scoring.max_score(method) if rule_ok and scales_ok else None
    threshold = method.acceptance_threshold
    if not _is_int(threshold) or threshold < 1:
        errors.append(FieldError("acceptance_threshold", "Give a whole number of 1 or more."))
    elif top is not None and threshold > top:
        errors.append(
            FieldError(
                "acceptance_threshold",
                f"The threshold must be between 1 and the highest score ({top}).",
            )
        )
    errors += _band_errors(method.bands, top)
    if errors:
        raise ValidationFailed(errors)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Labels and band texts without surrounding spaces, colours in lower case."""
    cleaned = dict(fields)
    for name in SCALES:
        value = cleaned.get(name)
        if isinstance(value, list):
            cleaned[name] = [x.strip() if isinstance(x, str) else x for x in value]
    bands = cleaned.get("bands")
    if isinstance(bands, list):
        cleaned["bands"] = [
            {
                **band,
                **({"label": band["label"].strip()} if isinstance(band.get("label"), str) else {}),
                **(
                    {"colour": band["colour"].strip().lower()}
                    if isinstance(band.get("colour"), str)
                    else {}
                ),
            }
            if isinstance(band, dict)
            else band
            for band in bands
        ]
    return cleaned


def _check_levels_in_use(method: RiskMethod) -> None:
    """Refuse to drop scale levels that risks or impact assessments still use."""
    n_l, n_i = len(method.likelihood_labels), len(method.impact_labels)
    org = method.organization
    risks = Risk.objects.filter(organization=org).aggregate(
        likelihood=Count(
            "pk", filter=Q(inherent_likelihood__gt=n_l) | Q(residual_likelihood__gt=n_l)
        ),
        impact=Count("pk", filter=Q(inherent_impact__gt=n_i) | Q(residual_impact__gt=n_i)),
    )
    assessments = ImpactAssessment.objects.filter(organization=org).aggregate(
        likelihood=Count("pk", filter=Q(likelihood__gt=n_l)),
        impact=Count("pk", filter=Q(severity__gt=n_i)),
    )
    errors = []
    for name, scale, levels in (
        ("likelihood_labels", "likelihood", n_l),
        ("impact_labels", "impact", n_i),
    ):
        users = []
        if risks[scale]:
            users.append(_plural(risks[scale], "risk"))
        if assessments[scale]:
            users.append(_plural(assessments[scale], "AI impact assessment"))
        if users:
            word = "uses" if risks[scale] + assessments[scale] == 1 else "use"
            errors.append(
                FieldError(
                    name,
                    f"{' and '.join(users)} still {word} a level above {levels} on the "
                    f"{scale} scale: re-rate them before shortening it.",
                    "in_use",
                )
            )
    if errors:
        raise ValidationFailed(errors)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def rescore(method: RiskMethod) -> tuple[int, int, int, int]:
    """Recompute the stored scores of the organization's risks and impact assessments on
    `method`; returns (risks, risks changed, assessments, assessments changed)."""
    risks = list(
        Risk.objects.filter(organization=method.organization).only(
            "pk",
            "inherent_likelihood",
            "inherent_impact",
            "inherent_score",
            "residual_likelihood",
            "residual_impact",
            "residual_score",
        )
    )
    changed_risks = []
    for risk in risks:
        inherent = scoring.score_for(method, risk.inherent_likelihood, risk.inherent_impact)
        residual = scoring.score_for(method, risk.residual_likelihood, risk.residual_impact)
        if (inherent, residual) != (risk.inherent_score, risk.residual_score):
            risk.inherent_score, risk.residual_score = inherent, residual
            changed_risks.append(risk)
    Risk.objects.bulk_update(changed_risks, ["inherent_score", "residual_score"], batch_size=500)
    assessments = list(
        ImpactAssessment.objects.filter(organization=method.organization).only(
            "pk", "likelihood", "severity", "score"
        )
    )
    changed_assessments = []
    for assessment in assessments:
        value = scoring.score_for(method, assessment.likelihood, assessment.severity)
        if value != assessment.score:
            assessment.score = value
            changed_assessments.append(assessment)
    ImpactAssessment.objects.bulk_update(changed_assessments, ["score"], batch_size=500)
    return len(risks), len(changed_risks), len(assessments), len(changed_assessments)


@transaction.atomic
def update_method(organization: Organization, *, actor: User, **fields: Any) -> RiskMethod:
    """Create or change the organization's risk method, then re-score its risks and AI impact
    assessments on it; one activity entry says how many were re-scored."""
    require(actor, "change", RiskMethod, organization=organization)
    # Lock the saved method, so two concurrent edits re-score one after the other.
    saved = RiskMethod.objects.select_for_update().filter(organization=organization).first()
    creating = saved is None
    # Locking refuses a change based on a stale version of the method.
    method = RiskMethod(organization=organization) if saved is None else lock_for_update(saved)
    before = snapshot(method)
    apply_fields(method, _clean(fields), METHOD_FIELDS)
    validate_method(method)
    _check_levels_in_use(method)
    if creating:
        method.save()
    else:
        save_changed(method)
    n_risks, risks_changed, n_assessments, assessments_changed = rescore(method)
    message = (
        f"Re-scored {_plural(n_risks, 'risk')} ({risks_changed} changed) and "
        f"{_plural(n_assessments, 'AI impact assessment')} ({assessments_changed} changed)."
    )
    if creating:
        changes = {k: [None, v] for k, v in snapshot(method).items() if v not in (None, "")}
        record_activity(actor=actor, action="create", obj=method, changes=changes, message=message)
    else:
        record_update(actor=actor, obj=method, before=before, message=message)
    return method
