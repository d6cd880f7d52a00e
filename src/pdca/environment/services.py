"""The workflow steps of this app beyond plain register editing: assessing an aspect's
significance on the organization's method, and recording a compliance evaluation (which moves
the obligation's next due date and, when it fails, opens a nonconformity)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.records.rules import ensure_open
from pdca.core.validation import TEXT_MAX_LENGTH
from pdca.environment import hooks
from pdca.environment.dates import next_due
from pdca.environment.method import method_for
from pdca.environment.models import Aspect, ComplianceEvaluation, ComplianceObligation
from pdca.environment.significance import as_snapshot, evaluate
from pdca.standards.models import Requirement

if TYPE_CHECKING:
    import datetime as dt

    from pdca.accounts.models import User

#: The clause a failed evaluation cites (any edition of ISO 14001 the organization adopted).
COMPLIANCE_CLAUSES = ("9.1.2",)


def _score_errors(criteria: list[dict[str, Any]], scores: Any) -> list[FieldError]:
    if not isinstance(scores, dict):
        return [FieldError("scores", "Give one score per criterion.")]
    errors = []
    keys = {c["key"] for c in criteria}
    for key in sorted(set(scores) - keys):
        errors.append(FieldError(f"scores.{key}", "Not a criterion of the method.", "unknown"))
    for c in criteria:
        value = scores.get(c["key"])
        path = f"scores.{c['key']}"
        if value is None:
            errors.append(FieldError(path, f"Score {c['label'].lower()}.", "required"))
        elif isinstance(value, bool) or not isinstance(value, int):
            errors.append(FieldError(path, "Give a whole number."))
        elif not c["min"] <= value <= c["max"]:
            errors.append(
                FieldError(path, f"{c['label']}: give a score from {c['min']} to {c['max']}.")
            )
    return errors


@transaction.atomic
def assess_aspect(aspect: Aspect, *, actor: User, scores: dict[str, int]) -> Aspect:
    """Score an aspect on each criterion of the organization's current significance method;
    the aspect keeps the scores, the combined score, whether it is significant and why, and a
    copy of the method."""
    lock_for_update(aspect)
    require(actor, "change", aspect)
    ensure_open(aspect)
    method = method_for(aspect.organization)
    frozen = as_snapshot(method)
    errors = _score_errors(frozen["criteria"], scores)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(aspect)
    kept = {c["key"]: scores[c["key"]] for c in frozen["criteria"]}
    result = evaluate(frozen, kept)
    aspect.scores = kept
    aspect.method_snapshot = frozen
    aspect.score = result.score
    aspect.significant = result.significant
    aspect.significance_reason = result.reason[:300]
    aspect.assessed_on = timezone.localdate()
    aspect.assessed_by = actor
    save_changed(aspect)
    verdict = "significant" if result.significant else "not significant"
    record_update(
        actor=actor,
        obj=aspect,
        before=before,
        message=f"Significance assessed: {verdict} ({result.reason}).",
    )
    return aspect


def set_next_due(obligation: ComplianceObligation) -> None:
    """Fill the obligation's next due date from its last evaluation (or the day it was
    registered) and its frequency; the register calls this before every save."""
    registered = (
        timezone.localdate(obligation.created_at) if obligation.created_at else timezone.localdate()
    )
    frequency = obligation.evaluation_frequency
    if isinstance(frequency, int) and frequency >= 1:
        obligation.next_evaluation_due = next_due(
            registered, obligation.last_evaluated_on, frequency
        )


def validate_evaluation(evaluation: ComplianceEvaluation) -> None:
    """A result other than compliant needs findings; an evaluation is not dated ahead."""
    errors = []
    failing = evaluation.result and evaluation.result != ComplianceEvaluation.Result.COMPLIANT
    if failing and not (evaluation.findings or "").strip():
        errors.append(
            FieldError(
                "findings",
                "Say what was found: a result other than compliant needs findings.",
                "required",
            )
        )
    if evaluation.evaluated_on and evaluation.evaluated_on > timezone.localdate():
        errors.append(FieldError("evaluated_on", "An evaluation cannot be dated in the future."))
    if errors:
        raise ValidationFailed(errors)


def _nonconformity_text(evaluation: ComplianceEvaluation) -> tuple[str, str]:
    obligation = evaluation.obligation
    verdict = evaluation.get_result_display().lower()
    title = f"{obligation.title}: {verdict}"
    lines = [
        f"The evaluation of compliance on {evaluation.evaluated_on:%Y-%m-%d} found the "
        f"obligation {verdict}.",
        "",
        evaluation.findings.strip(),
    ]
    if obligation.reference:
        lines += ["", f"Obligation: {obligation.title} ({obligation.reference})."]
    # The nonconformity holds at most TEXT_MAX_LENGTH characters, as the findings do.
    return title, "\n".join(lines).strip()[:TEXT_MAX_LENGTH]


@transaction.atomic
def record_evaluation(evaluation: ComplianceEvaluation, *, actor: User) -> ComplianceEvaluation:
    """Record a draft evaluation: from now on it is a record, never changed or deleted. The
    obligation's last evaluation and next due date follow; a result other than compliant
    opens one nonconformity, linked from the evaluation."""
    lock_for_update(evaluation)
    require(actor, "record", evaluation)
    if evaluation.is_recorded:
        raise Conflict("This evaluation is recorded already.", code="already_recorded")
    if evaluation.is_archived:
        raise Conflict("An archived evaluation cannot be recorded.", code="closed")
    validate_evaluation(evaluation)
    # Not checked against the client's version: the client's change is to the evaluation.
    obligation = lock_for_update(
        ComplianceObligation.objects.get(pk=evaluation.obligation_id), check=False
    )
    if obligation.is_archived:
        raise ValidationFailed.single(
            "obligation", "The obligation is archived: restore it before recording evaluations."
        )
    before = snapshot(evaluation)
    evaluation.status = ComplianceEvaluation.Status.RECORDED
    evaluation.recorded_at = timezone.now()
    evaluation.recorded_by = actor
    save_changed(evaluation)
    record_update(actor=actor, obj=evaluation, before=before, message="Evaluation recorded.")
    _move_due_date(obligation, evaluation.evaluated_on, actor=actor)
    if evaluation.fails:
        title, description = _nonconformity_text(evaluation)
        requirements = Requirement.objects.filter(
            standard__code__startswith="iso14001", number__in=COMPLIANCE_CLAUSES
        )
        evaluation.obligation = obligation
        hooks.compliance_failed.call(
            evaluation,
            actor=actor,
            title=title,
            description=description,
            site=obligation.site,
            process=None,
            requirements=list(requirements),
        )
    return evaluation


def _move_due_date(obligation: ComplianceObligation, on: dt.date, *, actor: User) -> None:
    before = snapshot(obligation)
    if obligation.last_evaluated_on is None or on > obligation.last_evaluated_on:
        obligation.last_evaluated_on = on
    set_next_due(obligation)
    if save_changed(obligation):
        # The evaluator may not be allowed to edit the obligation: this is the system moving
        # its due date, logged as part of their evaluation.
        record_update(
            actor=actor, obj=obligation, before=before, message="Compliance evaluation recorded."
        )
