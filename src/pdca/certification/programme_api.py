"""API of the certification body's programme (added to pdca.certification.api): cycles and
their programme audits, the calendar across the client base, the review of clients' answers
to findings, the decision checklist and decisions. Thin endpoints over the services in
`services.cycles`, `programme_audits`, `finding_reviews`, `decisions` and `calendar`."""

import datetime as dt

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from pdca.accounts.models import User
from pdca.certification.models import (
    Application,
    CertificationCycle,
    CertificationDecision,
    CycleAudit,
    FindingReview,
)
from pdca.certification.programme_schemas import (
    ActionsVerifiedIn,
    CalendarFilter,
    CalendarRowOut,
    ClientAnswerIn,
    CycleAuditOut,
    CycleDetail,
    CycleFilter,
    CycleOpenIn,
    CycleOut,
    DecisionChecklistItemOut,
    DecisionIn,
    DecisionOut,
    DeliveredDaysIn,
    FindingReviewFilter,
    FindingReviewOut,
    PlanReviewIn,
    RepeatStageIn,
    ScheduleAuditIn,
    ScheduledOut,
    SpecialAuditIn,
    Stage1OutcomeIn,
    TransitionAuditIn,
)
from pdca.certification.services import (
    calendar,
    cycles,
    decisions,
    finding_reviews,
    transitions,
)
from pdca.certification.services import programme_audits as audits
from pdca.core.api import Page, responses
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import scope

router = Router(tags=["certification programme"])

# --- lookups ------------------------------------------------------------------------------


def _cycles(user) -> QuerySet[CertificationCycle]:
    return (
        scope(CertificationCycle.objects.all(), user)
        .select_related("client")
        .prefetch_related("standards")
        .order_by("client__name", "-number")
    )


def _cycle_audits(user) -> QuerySet[CycleAudit]:
    return (
        scope(CycleAudit.objects.all(), user)
        .select_related("cycle__client", "audit", "audit__lead_auditor")
        .prefetch_related("transition_to")
    )


def _reviews(user) -> QuerySet[FindingReview]:
    return (
        scope(FindingReview.objects.all(), user)
        .select_related("finding")
        .order_by("response_due", "pk")
    )


def _mine(model, request, pk: int):
    """A row the user sees, for a write: 404 for anyone who does not see it, and the service
    answers 403 to a member who sees it without the right to change it."""
    return get_object_or_404(scope(model.objects.all(), request.auth), pk=pk)


def _detail(request, cycle_id: int) -> CertificationCycle:
    """The cycle with what its page shows (read by CycleDetail's resolvers)."""
    cycle = get_object_or_404(_cycles(request.auth), pk=cycle_id)
    rows = list(
        _cycle_audits(request.auth).filter(cycle=cycle).order_by("due_date", "kind", "sequence")
    )
    held = [r.audit_id for r in rows if r.audit_id]
    cycle._programme = rows  # type: ignore[attr-defined]
    cycle._reviews = list(_reviews(request.auth).filter(finding__audit_id__in=held))  # type: ignore[attr-defined]
    cycle._decisions = decisions.decisions_of(cycle)  # type: ignore[attr-defined]
    cycle._needs_new_stage2 = finding_reviews.needs_new_stage2(cycle)  # type: ignore[attr-defined]
    found = transitions.cycle_transitions(cycle)
    today = timezone.localdate()
    cycle._transitions = [t.as_dict(today) for t in found]  # type: ignore[attr-defined]
    cycle._transition_options = transitions.transition_options(cycle, found)  # type: ignore[attr-defined]
    return cycle


def _member(request, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationFailed.single(field, "No such person.")
    return user


# --- cycles ---------------------------------------------------------------------------------


@router.get("/cb/cycles/", response=responses(list[CycleOut]))
@paginate(Page)
def list_cycles(request, filters: Query[CycleFilter]):
    """The certification body's cycles, by client."""
    qs = _cycles(request.auth)
    if filters.client is not None:
        qs = qs.filter(client_id=filters.client)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.post("/cb/cycles/", response=responses(CycleDetail, 201))
def open_cycle(request, payload: CycleOpenIn):
    """Open the cycle of an accepted application and plan its programme."""
    application = _mine(Application, request, payload.application)
    cycle = cycles.open_cycle(application, actor=request.auth, with_stage1=payload.with_stage1)
    return Status(201, _detail(request, cycle.pk))


@router.get("/cb/cycles/{cycle_id}/", response=responses(CycleDetail))
def get_cycle(request, cycle_id: int):
    """A cycle with its programme audits, finding reviews and decisions."""
    return _detail(request, cycle_id)


@router.get("/cb/cycles/{cycle_id}/checklist/", response=responses(list[DecisionChecklistItemOut]))
def cycle_checklist(
    request,
    cycle_id: int,
    kind: CertificationDecision.Kind | None = None,
    on: dt.date | None = None,
):
    """The decision checklist as it stands for you as the decider."""
    cycle = get_object_or_404(_cycles(request.auth), pk=cycle_id)
    items = decisions.decision_checklist(cycle, request.auth, on or timezone.localdate(), kind=kind)
    return [item.to_dict() for item in items]


@router.post("/cb/cycles/{cycle_id}/decisions/", response=responses(DecisionOut, 201))
def decide(request, cycle_id: int, payload: DecisionIn):
    """Take the certification decision (decision makers who were on no audit team of it). A
    granted `transition` decision moves the certificate to the new edition; a grant that would
    issue a certificate to an edition no longer certified is refused (409 `edition_replaced`)."""
    cycle = _mine(CertificationCycle, request, cycle_id)
    decision = decisions.decide(
        cycle,
        kind=payload.kind,
        outcome=payload.outcome,
        notes=payload.notes,
        on=payload.on or timezone.localdate(),
        actor=request.auth,
    )
    return Status(
        201, CertificationDecision.objects.select_related("decided_by").get(pk=decision.pk)
    )


@router.post("/cb/cycles/{cycle_id}/special-audits/", response=responses(CycleAuditOut, 201))
def add_special_audit(request, cycle_id: int, payload: SpecialAuditIn):
    """Add a special or short-notice audit to the cycle's programme."""
    cycle = _mine(CertificationCycle, request, cycle_id)
    item = cycles.add_special_audit(
        cycle, payload.kind, payload.due_date, payload.reason, actor=request.auth
    )
    return Status(201, _cycle_audits(request.auth).get(pk=item.pk))


@router.post(
    "/cb/cycles/{cycle_id}/transition-audit/",
    response=responses(CycleAuditOut, 201),
    operation_id="plan_cb_transition_audit",
)
def plan_transition_audit(request, cycle_id: int, payload: TransitionAuditIn):
    """Plan the audit of the client's move to the new edition of a standard: combined with a
    surveillance or recertification audit due before the end of the transition
    (`combine_with`, one of the cycle's `transition_options`), or a separate transition audit
    due by `due_date` (default: the end of the transition). 409 with its code when refused
    (`not_certified`, `no_transition`, `transition_ended`, `already_planned`); 422 naming the
    field (`after_deadline`, `not_combinable`, `not_a_successor`)."""
    cycle = _mine(CertificationCycle, request, cycle_id)
    item = transitions.plan_transition_audit(
        cycle,
        actor=request.auth,
        combine_with=payload.combine_with,
        due_date=payload.due_date,
        to=payload.to,
        reason=payload.reason,
    )
    return Status(201, _cycle_audits(request.auth).get(pk=item.pk))


@router.post("/cb/cycles/{cycle_id}/repeat/", response=responses(CycleAuditOut, 201))
def repeat_stage(request, cycle_id: int, payload: RepeatStageIn):
    """Add a new stage 1 (not ready) or stage 2 (six-month rule missed)."""
    cycle = _mine(CertificationCycle, request, cycle_id)
    item = cycles.repeat_audit(cycle, payload.kind, actor=request.auth, reason=payload.reason)
    return Status(201, _cycle_audits(request.auth).get(pk=item.pk))


# --- the calendar and programme audits ---------------------------------------------------


@router.get("/cb/programme/", response=responses(list[CalendarRowOut]))
@paginate(Page)
def programme_calendar(request, filters: Query[CalendarFilter]):
    """Programme audits due or scheduled in a window of months across every client, with the
    overdue ones; filter by auditor, standard, month, status, client."""
    chosen = calendar.CalendarFilters(
        start=filters.start,
        months=filters.months,
        month=filters.month or "",
        auditor=filters.auditor,
        standard=calendar.standard_id(filters.standard),
        status=filters.status or "",
        client=filters.client,
        overdue=filters.overdue,
    )
    return calendar.calendar_rows(scope(CycleAudit.objects.all(), request.auth), chosen)


@router.get("/cb/cycle-audits/{item_id}/", response=responses(CycleAuditOut))
def get_cycle_audit(request, item_id: int):
    return get_object_or_404(_cycle_audits(request.auth), pk=item_id)


@router.post("/cb/cycle-audits/{item_id}/schedule/", response=responses(ScheduledOut))
def schedule(request, item_id: int, payload: ScheduleAuditIn):
    """Schedule the audit (an audit of the certification body is created); a date after the
    due date is allowed with a warning."""
    item = _mine(CycleAudit, request, item_id)
    result = audits.schedule_audit(
        item,
        start_date=payload.start_date,
        end_date=payload.end_date,
        lead_auditor=_member(request, payload.lead_auditor, "lead_auditor"),
        actor=request.auth,
    )
    return {
        "cycle_audit": _cycle_audits(request.auth).get(pk=item.pk),
        "warnings": result.warnings,
    }


@router.post("/cb/cycle-audits/{item_id}/stage1-outcome/", response=responses(CycleAuditOut))
def stage1_outcome(request, item_id: int, payload: Stage1OutcomeIn):
    """Record a stage 1's outcome once its report is issued; it gates stage 2."""
    item = _mine(CycleAudit, request, item_id)
    audits.record_stage1_outcome(item, payload.outcome, payload.concerns, actor=request.auth)
    return _cycle_audits(request.auth).get(pk=item.pk)


@router.post("/cb/cycle-audits/{item_id}/delivered-days/", response=responses(CycleAuditOut))
def delivered_days(request, item_id: int, payload: DeliveredDaysIn):
    """Record the auditor-days delivered (a reason when they differ from those planned)."""
    item = _mine(CycleAudit, request, item_id)
    audits.record_delivered_days(item, payload.days, payload.reason, actor=request.auth)
    return _cycle_audits(request.auth).get(pk=item.pk)


# --- finding reviews ------------------------------------------------------------------------


@router.get("/cb/finding-reviews/", response=responses(list[FindingReviewOut]))
@paginate(Page)
def list_reviews(request, filters: Query[FindingReviewFilter]):
    """Reviews of clients' answers to major and minor findings."""
    qs = _reviews(request.auth)
    if filters.cycle is not None:
        qs = qs.filter(finding__audit__certification_audit__cycle_id=filters.cycle)
    if filters.plan_status:
        qs = qs.filter(plan_status=filters.plan_status)
    return qs


@router.get("/cb/finding-reviews/{review_id}/", response=responses(FindingReviewOut))
def get_review(request, review_id: int):
    return get_object_or_404(_reviews(request.auth), pk=review_id)


@router.post("/cb/finding-reviews/{review_id}/answer/", response=responses(FindingReviewOut))
def answer(request, review_id: int, payload: ClientAnswerIn):
    """Record the client's correction, root cause and corrective action."""
    review = _mine(FindingReview, request, review_id)
    finding_reviews.record_client_answer(
        review,
        payload.correction,
        payload.root_cause,
        payload.corrective_action,
        payload.responded_on,
        actor=request.auth,
    )
    return _reviews(request.auth).get(pk=review.pk)


@router.post("/cb/finding-reviews/{review_id}/review/", response=responses(FindingReviewOut))
def review_plan(request, review_id: int, payload: PlanReviewIn):
    """Accept the client's plan, or reject it with the reason."""
    review = _mine(FindingReview, request, review_id)
    finding_reviews.review_plan(review, payload.accept, payload.reason, actor=request.auth)
    return _reviews(request.auth).get(pk=review.pk)


@router.post("/cb/finding-reviews/{review_id}/verify/", response=responses(FindingReviewOut))
def verify(request, review_id: int, payload: ActionsVerifiedIn):
    """Record that the client's actions were verified, how and when."""
    review = _mine(FindingReview, request, review_id)
    finding_reviews.verify_actions(
        review, payload.method, payload.notes, payload.on, actor=request.auth
    )
    return _reviews(request.auth).get(pk=review.pk)
