"""Pages of the programme: the calendar across the client base (with CSV and XLSX export),
the list of cycles, and a cycle's page (timeline, audits, finding reviews, checklist and
decision, history) with the forms of every step, each posting to its own small view.

Thin: the rules are in the services. A refused step shows the cycle page again with the error
and the status the service gave (422 naming the field, 409, 403).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from pdca.certification.models import (
    Application,
    CertificationCycle,
    CertificationDecision,
    CycleAudit,
    FindingReview,
)
from pdca.certification.services import (
    calendar,
    cycles,
    decisions,
    finding_reviews,
    transitions,
)
from pdca.certification.services import programme_audits as audits
from pdca.certification.services.editions import standards_prefetch
from pdca.certification.views.programme import forms as f
from pdca.core.exceptions import PermissionDenied, ServiceError, ValidationFailed
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import file_response, member_required, paginate, scoped_or_404
from pdca.core.xlsx import csv_bytes, first_sheet, style_header, workbook_bytes
from pdca.standards.models import Standard

CSV_HEADER = (
    "Client",
    "Cycle",
    "Audit",
    "Standards",
    "Due",
    "Start",
    "End",
    "Lead auditor",
    "Status",
    "Planned days",
)


# --- the calendar ---------------------------------------------------------------------------


def _calendar_rows(request, form: f.CalendarForm):
    data = form.cleaned_data if form.is_valid() else {}
    chosen = calendar.CalendarFilters(
        months=data.get("months") or 3,
        month=data.get("month") or "",
        auditor=data["auditor"].pk if data.get("auditor") else None,
        standard=data.get("standard"),
        status=data.get("status") or "",
        client=data.get("client"),
        overdue=bool(data.get("overdue")),
    )
    base = scope(CycleAudit.objects.filter(organization=request.organization), request.user)
    return calendar.calendar_rows(base, chosen)


def _export_row(row: CycleAudit) -> list[Any]:
    audit = row.audit
    lead = audit.lead_auditor if audit else None
    return [
        row.cycle.client.name,
        row.cycle.number,
        audits.label_of(row),
        ", ".join(s.code for s in row.cycle.standards.all()),
        row.due_date,
        audit.start_date if audit else None,
        audit.end_date if audit else None,
        (lead.get_full_name() or lead.email) if lead else "",
        audits.STATUS_LABELS[audits.status_of(row)],
        row.planned_days,
    ]


def _export(rows, kind: str) -> HttpResponse:
    if kind == "csv":
        content = csv_bytes([CSV_HEADER, *(_export_row(r) for r in rows)])
        return file_response(content, "text/csv; charset=utf-8", "programme.csv")
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = "Programme"
    sheet.append(list(CSV_HEADER))
    style_header(sheet)
    for row in rows:
        sheet.append(
            [float(v) if v is not None and k == 9 else v for k, v in enumerate(_export_row(row))]
        )
    return file_response(
        workbook_bytes(workbook),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "programme.xlsx",
    )


@member_required
def calendar_page(request):
    """Every programme audit due or scheduled in the coming months, month by month, with the
    overdue ones first and highlighted; filters by auditor, standard, month, status, client."""
    if not may(request.user, "view", CycleAudit, organization=request.organization):
        from django.http import Http404

        raise Http404("No such page.")
    form = f.CalendarForm(request.GET or None, organization=request.organization)
    try:
        rows = _calendar_rows(request, form)
        if request.GET.get("format") in ("csv", "xlsx"):
            return _export(rows[:10_000], request.GET["format"])
        page = paginate(request, rows)
    except ValidationFailed as exc:
        form.add_error(None, exc.message)
        page = paginate(request, CycleAudit.objects.none())
    today = timezone.localdate()
    items = [
        {
            "row": row,
            "label": audits.label_of(row),
            "status": audits.status_of(row, today),
            "status_label": audits.STATUS_LABELS[audits.status_of(row, today)],
            "late": audits.is_late(row),
            "month": (row.audit.start_date if row.audit else row.due_date).replace(day=1),
        }
        for row in page
    ]
    return render(
        request,
        "certification/programme/calendar.html",
        {
            "form": form,
            "page": page,
            "items": items,
            "statuses": audits.STATUS_LABELS,
            "standards": Standard.objects.order_by("code").only("pk", "code", "name"),
            "query": request.GET.urlencode(),
        },
        status=200 if form.is_valid() or not request.GET else 422,
    )


# --- cycles ---------------------------------------------------------------------------------


@member_required
def cycle_list(request):
    qs = (
        scope(CertificationCycle.objects.filter(organization=request.organization), request.user)
        .select_related("client")
        .prefetch_related(standards_prefetch())
        .order_by("client__name", "-number")
    )
    return render(
        request, "certification/programme/cycle_list.html", {"page": paginate(request, qs)}
    )


def _cycle(request, pk: int) -> CertificationCycle:
    return scoped_or_404(
        CertificationCycle.objects.filter(organization=request.organization).select_related(
            "client", "application", "previous"
        ),
        request.user,
        pk=pk,
    )


def _lead_options(cycle: CertificationCycle) -> list[tuple[Any, str]]:
    """The lead auditor choices, read once: the select is shown on every row still to
    schedule, and a form field would read them again for each."""
    field = f.ScheduleForm(organization=cycle.organization).fields["lead_auditor"]
    assert isinstance(field, forms.ModelChoiceField)
    return [(value, str(label)) for value, label in field.iterator(field)]


def cycle_context(request, cycle: CertificationCycle) -> dict[str, Any]:
    today = timezone.localdate()
    programme = list(
        CycleAudit.objects.filter(cycle=cycle)
        .select_related("audit", "audit__lead_auditor")
        .prefetch_related("transition_to")
        .order_by("due_date", "kind", "sequence")
    )
    found = transitions.cycle_transitions(cycle)
    deadline = transitions.deadline_of(found)
    held = [a.audit_id for a in programme if a.audit_id]
    reviews = list(
        FindingReview.objects.filter(finding__audit_id__in=held)
        .select_related("finding", "finding__audit", "plan_reviewed_by", "verified_by")
        .order_by("finding__audit__start_date", "finding__number")
    )
    org = cycle.organization_id
    can_manage = may(request.user, "change", cycle)
    can_review = may(request.user, "change", FindingReview, organization=org)
    can_decide = may(request.user, "decide", CertificationDecision, organization=org)
    checklist = decisions.decision_checklist(cycle, request.user, today)
    return {
        "cycle": cycle,
        "standards": list(cycle.standards.order_by("code")),
        "transitions": [
            {"t": t, "text": t.sentence(today), "ended": t.ended(today)} for t in found
        ],
        "transition_options": [
            {"item": item, "label": audits.label_of(item)}
            for item in transitions.transition_options(cycle, found)
        ],
        "transition_audits": [
            {"item": item, "label": audits.label_of(item), "status": audits.status_of(item, today)}
            for item in programme
            if item.transition_to.all() and not item.cancelled_reason
        ],
        "transition_form": f.TransitionAuditForm(initial={"due_date": deadline}),
        "transition_deadline": deadline,
        "sites": list(cycle.sites.all()),
        "programme": [
            {
                "item": item,
                "label": audits.label_of(item),
                "status": audits.status_of(item, today),
                "status_label": audits.STATUS_LABELS[audits.status_of(item, today)],
                "late": audits.is_late(item),
                "stage2_problem": audits.stage2_problem(item)
                if item.kind == CycleAudit.Kind.STAGE2 and not item.audit_id
                else None,
            }
            for item in programme
        ],
        "reviews": reviews,
        "decisions": decisions.decisions_of(cycle),
        "certificates": list(cycle.certificates.order_by("issued_on")),
        "checklist": checklist,
        "checklist_ok": all(i.ok for i in checklist),
        "needs_new_stage2": finding_reviews.needs_new_stage2(cycle, today),
        "history": history_of(cycle, request.user)[:50],
        "can_manage": can_manage,
        "can_review": can_review,
        "can_decide": can_decide,
        "schedule_form": f.ScheduleForm(organization=cycle.organization),
        "lead_options": _lead_options(cycle),
        "outcome_form": f.OutcomeForm(),
        "days_form": f.DaysForm(),
        "special_form": f.SpecialForm(),
        "decision_form": f.DecisionForm(
            initial={"kind": decisions.default_kind(cycle), "on": today}
        ),
        "answer_form": f.AnswerForm(),
        "plan_form": f.PlanForm(),
        "verify_form": f.VerifyForm(initial={"on": today}),
        "errors": [],
    }


@member_required
def cycle_detail(request, pk: int):
    """A cycle: its programme (due and held), audits with their status, finding reviews, the
    decision checklist and decision form, and its history."""
    cycle = _cycle(request, pk)
    return render(
        request, "certification/programme/cycle_detail.html", cycle_context(request, cycle)
    )


def _refused(request, cycle: CertificationCycle, exc: ServiceError | forms.Form) -> HttpResponse:
    """The cycle page again, with what was refused."""
    context = cycle_context(request, cycle)
    if isinstance(exc, forms.Form):
        errors = [
            f"{name}: {message}" if name != "__all__" else str(message)
            for name, messages_ in exc.errors.items()
            for message in messages_
        ]
        status = 422
    elif isinstance(exc, ValidationFailed):
        errors = [f"{e.field}: {e.message}" if e.field else e.message for e in exc.errors]
        status = exc.status
    else:
        errors, status = [exc.message], exc.status
    context["errors"] = errors
    return render(request, "certification/programme/cycle_detail.html", context, status=status)


def _step(request, cycle: CertificationCycle, form: forms.Form, call, done: str) -> HttpResponse:
    if not form.is_valid():
        return _refused(request, cycle, form)
    try:
        result = call(form.cleaned_data)
    except PermissionDenied as exc:
        return _refused(request, cycle, exc)
    except ServiceError as exc:
        return _refused(request, cycle, exc)
    for warning in getattr(result, "warnings", []):
        messages.warning(request, warning)
    messages.success(request, done)
    return redirect("certification:cycle-detail", cycle.pk)


def _item(request, pk: int) -> CycleAudit:
    return scoped_or_404(
        CycleAudit.objects.filter(organization=request.organization).select_related("cycle"),
        request.user,
        pk=pk,
    )


def _review(request, pk: int) -> tuple[FindingReview, CertificationCycle]:
    review = scoped_or_404(
        FindingReview.objects.filter(organization=request.organization), request.user, pk=pk
    )
    item = CycleAudit.objects.select_related("cycle").get(
        audit__findings__certification_review=review
    )
    return review, item.cycle


@require_POST
@member_required
def cycle_open(request, pk: int):
    """Open the cycle of an accepted application (its page's button)."""
    application = scoped_or_404(
        Application.objects.filter(organization=request.organization), request.user, pk=pk
    )
    try:
        cycle = cycles.open_cycle(
            application, actor=request.user, with_stage1=request.POST.get("with_stage1") == "on"
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return render(
            request,
            "certification/programme/refused.html",
            {"message": exc.message, "application": application},
            status=exc.status,
        )
    messages.success(request, f"Cycle {cycle.number} opened and its programme planned.")
    return redirect("certification:cycle-detail", cycle.pk)


@require_POST
@member_required
def schedule(request, pk: int):
    item = _item(request, pk)
    form = f.ScheduleForm(request.POST, organization=item.cycle.organization)
    return _step(
        request,
        item.cycle,
        form,
        lambda d: audits.schedule_audit(item, actor=request.user, **d),
        f"{audits.label_of(item)} scheduled.",
    )


@require_POST
@member_required
def stage1_outcome(request, pk: int):
    item = _item(request, pk)
    return _step(
        request,
        item.cycle,
        f.OutcomeForm(request.POST),
        lambda d: audits.record_stage1_outcome(
            item, d["outcome"], d["concerns"], actor=request.user
        ),
        "Stage 1 outcome recorded.",
    )


@require_POST
@member_required
def delivered_days(request, pk: int):
    item = _item(request, pk)
    return _step(
        request,
        item.cycle,
        f.DaysForm(request.POST),
        lambda d: audits.record_delivered_days(item, d["days"], d["reason"], actor=request.user),
        "Days delivered recorded.",
    )


@require_POST
@member_required
def special_audit(request, pk: int):
    cycle = _cycle(request, pk)
    return _step(
        request,
        cycle,
        f.SpecialForm(request.POST),
        lambda d: cycles.add_special_audit(
            cycle, d["kind"], d["due_date"], d["reason"], actor=request.user
        ),
        "Audit added to the programme.",
    )


@require_POST
@member_required
def transition_audit(request, pk: int):
    """Plan the transition audit: combined with a surveillance or recertification audit due
    before the end of the transition, or a separate one."""
    cycle = _cycle(request, pk)
    return _step(
        request,
        cycle,
        f.TransitionAuditForm(request.POST),
        lambda d: transitions.plan_transition_audit(
            cycle,
            actor=request.user,
            combine_with=d["combine_with"],
            due_date=None if d["combine_with"] else d["due_date"],
            reason=d["reason"],
        ),
        "Transition audit planned.",
    )


@require_POST
@member_required
def repeat_stage(request, pk: int):
    cycle = _cycle(request, pk)
    return _step(
        request,
        cycle,
        f.RepeatForm(request.POST),
        lambda d: cycles.repeat_audit(cycle, d["kind"], actor=request.user, reason=d["reason"]),
        "Audit added to the programme.",
    )


@require_POST
@member_required
def decide(request, pk: int):
    cycle = _cycle(request, pk)
    return _step(
        request,
        cycle,
        f.DecisionForm(request.POST),
        lambda d: decisions.decide(
            cycle,
            kind=d["kind"],
            outcome=d["outcome"],
            notes=d["notes"],
            on=d["on"],
            actor=request.user,
        ),
        "Decision recorded.",
    )


@require_POST
@member_required
def review_answer(request, pk: int):
    review, cycle = _review(request, pk)
    return _step(
        request,
        cycle,
        f.AnswerForm(request.POST),
        lambda d: finding_reviews.record_client_answer(review, actor=request.user, **d),
        "Answer recorded.",
    )


@require_POST
@member_required
def review_plan(request, pk: int):
    review, cycle = _review(request, pk)
    return _step(
        request,
        cycle,
        f.PlanForm(request.POST),
        lambda d: finding_reviews.review_plan(review, d["accept"], d["reason"], actor=request.user),
        "Plan reviewed.",
    )


@require_POST
@member_required
def review_verify(request, pk: int):
    review, cycle = _review(request, pk)
    return _step(
        request,
        cycle,
        f.VerifyForm(request.POST),
        lambda d: finding_reviews.verify_actions(
            review, d["method"], d["notes"], d["on"], actor=request.user
        ),
        "Verification recorded.",
    )
