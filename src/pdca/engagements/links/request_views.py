"""Pages of evidence requests, of the body's audits as the client sees them once released, and
of the client's plan for a linked finding."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.audits.models import Audit
from pdca.core.exceptions import NotFound, ServiceError
from pdca.core.views import add_service_error, member_required
from pdca.engagements import access
from pdca.engagements.links import forms, lookups, selectors
from pdca.engagements.links.views import get_or_404
from pdca.engagements.models import EvidenceRequest
from pdca.engagements.services import findings, requests
from pdca.engagements.services.findings import audits_of


@member_required
def request_new(request, pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    if not access.may_audit(request.user, engagement):
        raise Http404("No such engagement.")
    form = forms.RequestForm(request.POST or None, audits=audits_of(engagement))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = requests.request_evidence(
                engagement,
                title=data["title"],
                kind=data["kind"],
                sample_size=data["sample_size"],
                due_date=data["due_date"],
                description=data["description"],
                audit=int(data["audit"]) if data["audit"] else None,
                actor=request.user,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{made} sent to {engagement.client_organization}.")
            return redirect("engagements:request", made.pk)
    return render(
        request,
        "engagements/request_form.html",
        {"engagement": engagement, "form": form},
        status=422 if form.errors else 200,
    )


def _request_or_404(request, pk: int) -> EvidenceRequest:
    try:
        return lookups.evidence_request(request.user, pk)
    except NotFound:
        raise Http404("No such evidence request.") from None


@member_required
def request_detail(request, pk: int) -> HttpResponse:
    found = _request_or_404(request, pk)
    engagement = found.engagement
    side = access.side_of(request.user, engagement)
    answer_form = None
    if side == access.CLIENT and access.may_grant(request.user, engagement):
        answer_form = forms.AnswerForm(
            request.POST or None,
            organization=engagement.client_organization,
            initial={"documents": found.documents.all(), "evidence": found.evidence.all()},
        )
        if request.method == "POST" and answer_form.is_valid():
            data = answer_form.cleaned_data
            try:
                requests.answer_request(
                    found,
                    documents=[d.pk for d in data["documents"]],
                    evidence=[f.pk for f in data["evidence"]],
                    note=data["note"],
                    actor=request.user,
                )
            except ServiceError as exc:
                add_service_error(answer_form, exc)
            else:
                messages.success(request, "Answered: the auditor may now read what you attached.")
                return redirect("engagements:request", found.pk)
    return render(
        request,
        "engagements/request_detail.html",
        {
            "req": found,
            "engagement": engagement,
            "side": side,
            "documents": list(found.documents.order_by("code")),
            "evidence": list(found.evidence.order_by("original_name")),
            "answer_form": answer_form,
            "may_review": access.may_audit(request.user, engagement),
            "overdue": requests.is_overdue(found),
        },
        status=422 if answer_form is not None and answer_form.errors else 200,
    )


@member_required
@require_POST
def request_review(request, pk: int) -> HttpResponse:
    found = _request_or_404(request, pk)
    form = forms.ReviewAnswerForm(request.POST)
    try:
        if request.POST.get("action") == "withdraw":
            requests.withdraw_request(found, request.POST.get("reason", ""), actor=request.user)
            messages.success(request, "The request was withdrawn.")
        elif form.is_valid():
            requests.review_answer(
                found,
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(request, "Your review was recorded.")
        else:
            messages.error(request, "Choose whether the answer is accepted.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("engagements:request", found.pk)


@member_required
def audit_detail(request, pk: int, audit_pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    try:
        audit = selectors.released_audit(engagement, audit_pk, request.user)
    except LookupError:
        raise Http404("No such audit.") from None
    return render(
        request,
        "engagements/audit_detail.html",
        {
            "engagement": engagement,
            "audit": audit,
            "side": access.side_of(request.user, engagement),
            "parts": selectors.audit_parts(audit),
            "may_audit": access.may_audit(request.user, engagement),
        },
    )


@member_required
@require_POST
def audit_release(request, pk: int, audit_pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    audit = Audit.objects.filter(pk=audit_pk, organization_id=engagement.organization_id).first()
    if audit is None or not access.may_audit(request.user, engagement):
        raise Http404("No such audit.")
    try:
        findings.release_audit(engagement, audit, actor=request.user)
        messages.success(
            request, f"{audit} is released: {engagement.client_organization} sees it now."
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("engagements:audit", engagement.pk, audit.pk)


@member_required
@require_POST
def plan_send(request, pk: int) -> HttpResponse:
    try:
        link = lookups.finding_link(request.user, pk)
    except NotFound:
        raise Http404("No such finding.") from None
    if access.side_of(request.user, link.engagement) != access.CLIENT:
        raise Http404("No such finding.")
    try:
        findings.send_plan(link, actor=request.user)
        messages.success(
            request, f"Plan sent to {link.engagement.organization} for F{link.finding.number}."
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(
        f"{request.POST.get('next') or ''}" or f"/engagements/{link.engagement_id}/#findings"
    )
