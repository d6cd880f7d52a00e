"""Pages of an audit's findings and report: the findings list, a finding's page with its
three-part statement and the nonconformity it opened, the forms, the report page (the draft
for those who read the working papers, the latest issued revision for everyone), issuing and
revising it, the draft PDF, and the download of each issued revision's PDF.

Thin: the rules are in `pdca.audits.findings`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pdca.audits import findings as services
from pdca.audits.models import Audit, AuditReport, ChecklistItem, Finding
from pdca.audits.report import issue as issuing
from pdca.audits.report import jobs as report_jobs
from pdca.audits.report import rendering as reports
from pdca.audits.report.completeness import missing_for_issue
from pdca.core.exceptions import ServiceError
from pdca.core.forms import RequirementPickerField, StyledFormMixin, field_of
from pdca.core.jobs.models import Job
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    file_response,
    member_required,
    object_for_page,
    refuse,
    require_page,
    scoped_or_404,
)
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.tenancy.models import Site


class FindingForm(StyledFormMixin, forms.Form):
    """A finding: grade, title, the three-part statement, and what it concerns."""

    grade = forms.ChoiceField(choices=Finding.Grade.choices)
    title = forms.CharField(max_length=200)
    requirement_statement = forms.CharField(
        label="Requirement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the requirement asks, in your words (required for a nonconformity)",
    )
    evidence = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The objective evidence seen (required for a nonconformity)",
    )
    statement = forms.CharField(
        label="Finding",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was found, against the requirement",
    )
    requirements = RequirementPickerField(queryset=Requirement.objects.none())
    process = forms.ModelChoiceField(queryset=Process.objects.none(), required=False)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False)
    checklist_item = forms.ModelChoiceField(
        label="Checklist item", queryset=ChecklistItem.objects.none(), required=False
    )

    def __init__(self, *args, audit: Audit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        org = audit.organization_id
        requirements = field_of(self, "requirements", forms.ModelChoiceField)
        requirements.queryset = (
            Requirement.objects.filter(standard__in=audit.standards.all(), retired=False)
            .select_related("standard")
            .order_by("standard__name", "sort_key")
        )
        field_of(self, "process", forms.ModelChoiceField).queryset = Process.objects.filter(
            organization_id=org
        )
        field_of(self, "site", forms.ModelChoiceField).queryset = Site.objects.filter(
            organization_id=org
        )
        field_of(self, "checklist_item", forms.ModelChoiceField).queryset = audit.checklist.all()

    @classmethod
    def initial_for(cls, finding: Finding) -> dict:
        return {
            **{name: getattr(finding, name) for name in services.FINDING_FIELDS},
            "requirements": list(finding.requirements.all()),
        }


def _audit(request, pk: int) -> Audit:
    return scoped_or_404(
        Audit.objects.filter(organization=request.organization).select_related("organization"),
        request.user,
        pk=pk,
    )


def _working_papers(request, audit: Audit) -> None:
    """Findings are the auditors' working papers: to anyone else they do not exist."""
    if not may(request.user, "view", Finding, organization=audit.organization):
        raise Http404("No such page.")


def _finding(request, pk: int, action: str = "view") -> Finding:
    finding = object_for_page(
        request,
        Finding.objects.filter(organization=request.organization).select_related(
            "audit",
            "nonconformity",
            "opportunity",
            "process",
            "site",
            "checklist_item",
            "raised_by",
        ),
        pk,
        action,
    )
    return finding


# --- findings -----------------------------------------------------------------------------


@member_required
def finding_list(request, pk: int):
    """The findings of one audit, numbered, with the nonconformity each opened."""
    audit = _audit(request, pk)
    _working_papers(request, audit)
    rows = (
        scope(Finding.objects.filter(audit=audit), request.user)
        .select_related("nonconformity", "process")
        .order_by("number")
    )
    return render(
        request,
        "audits/finding_list.html",
        {
            "audit": audit,
            "findings": rows,
            "frozen": audit.report_frozen,
            "can_add": may(request.user, "add", Finding, organization=audit.organization),
        },
    )


def _form_data(form: FindingForm) -> dict:
    data = dict(form.cleaned_data)
    data["requirements"] = list(data["requirements"])
    return data


@member_required
def finding_create(request, pk: int):
    require_page(request, "add", Finding, organization=request.organization)
    audit = _audit(request, pk)
    initial = {}
    item_id = request.GET.get("checklist_item")
    if item_id and item_id.isdigit():
        initial["checklist_item"] = audit.checklist.filter(pk=item_id).first()
    form = FindingForm(request.POST or None, audit=audit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            finding = services.raise_finding(audit, actor=request.user, **_form_data(form))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Finding F{finding.number} raised.")
            return redirect("audits:finding", finding.pk)
    return render(request, "audits/finding_form.html", {"form": form, "audit": audit})


@member_required
def finding_detail(request, pk: int):
    """A finding: its three parts, what it concerns, and the nonconformity it opened."""
    finding = _finding(request, pk)
    return render(
        request,
        "audits/finding_detail.html",
        {
            "finding": finding,
            "audit": finding.audit,
            "requirements": finding.requirements.select_related("standard").order_by(
                "standard__name", "sort_key"
            ),
            "history": history_of(finding, request.user)[:50],
            "frozen": finding.audit.report_frozen,
            "can_change": may(request.user, "change", finding),
            "can_delete": may(request.user, "delete", finding),
        },
    )


@member_required
def finding_edit(request, pk: int):
    finding = _finding(request, pk, "change")
    audit = finding.audit
    form = FindingForm(request.POST or None, audit=audit, initial=FindingForm.initial_for(finding))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_finding(
                Finding.objects.get(pk=finding.pk), actor=request.user, **_form_data(form)
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Finding F{finding.number} saved.")
            return redirect("audits:finding", finding.pk)
    return render(
        request, "audits/finding_form.html", {"form": form, "audit": audit, "finding": finding}
    )


@member_required
def finding_delete(request, pk: int):
    finding = _finding(request, pk, "delete")
    if request.method == "POST":
        try:
            services.delete_finding(finding, actor=request.user)
        except ServiceError as exc:
            refuse(request, exc)
            return redirect("audits:finding", finding.pk)
        messages.success(request, f"Finding F{finding.number} deleted.")
        return redirect("audits:findings", finding.audit_id)
    return render(
        request,
        "web/confirm_delete.html",
        {"object": finding, "cancel_href": reverse("audits:finding", args=[finding.pk])},
    )


# --- the report ---------------------------------------------------------------------------


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this revision (needed from revision 2 on)",
    )


def _revisions(audit: Audit, user):
    return (
        scope(AuditReport.objects.filter(audit=audit), user)
        .select_related("issued_by", "pdf")
        .order_by("-revision")
    )


@member_required
def report_page(request, pk: int):
    """The audit's report: the live draft for those who read the working papers while the
    report is not issued, otherwise the latest issued revision; every revision with its
    SHA-256 and PDF."""
    audit = _audit(request, pk)
    revisions = list(_revisions(audit, request.user))
    insider = may(request.user, "view", Finding, organization=audit.organization)
    draft = insider and not audit.report_frozen
    content = (
        reports.report_content(audit) if draft else (revisions[0].content if revisions else None)
    )
    can_issue = may(request.user, "issue", audit)
    context = {
        "audit": audit,
        "revisions": revisions,
        "draft": draft,
        "insider": insider,
        "can_issue": can_issue and audit.status == Audit.Status.REPORTING,
        "can_revise": can_issue and audit.status == Audit.Status.REPORT_ISSUED,
        "issue_form": ReasonForm(),
    }
    if context["can_issue"]:
        context["missing"] = missing_for_issue(audit)
        context["is_lead"] = audit.lead_auditor_id == request.user.pk
    if content is not None:
        context.update(reports.template_context(content))
    return render(request, "audits/report.html", context)


def _reason_action(request, pk: int, action) -> object:
    audit = _audit(request, pk)
    require_page(request, "issue", audit)
    if request.method != "POST":
        return redirect("audits:report", audit.pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        action(audit, reason)
    except ServiceError as exc:
        refuse(request, exc)
    return redirect("audits:report", audit.pk)


@member_required
def report_issue(request, pk: int):
    """Issue the next revision (POST) as a job: content frozen, PDF stored with its SHA-256.
    What would refuse it is said at once; a worker that has not finished yet is followed on
    the job page, which links back to the report."""
    audit = _audit(request, pk)
    require_page(request, "issue", audit)
    if request.method != "POST":
        return redirect("audits:report", audit.pk)
    form = ReasonForm(request.POST)
    exceptions = {
        key.removeprefix("exception-"): value
        for key, value in request.POST.items()
        if key.startswith("exception-")
    }
    try:
        job = report_jobs.queue_issue(
            audit,
            actor=request.user,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
            exceptions=exceptions,
        )
    except ServiceError as exc:
        refuse(request, exc)
        return redirect("audits:report", audit.pk)
    if job.status == Job.Status.SUCCEEDED:
        messages.success(request, job.progress_message or "The report is issued.")
    elif job.status == Job.Status.FAILED:
        messages.error(request, job.error)
    else:
        return redirect("jobs:detail", pk=job.pk)
    return redirect("audits:report", audit.pk)


@member_required
def report_revise(request, pk: int):
    """Start a new revision (POST): the audit goes back to reporting."""

    def revise(audit, reason):
        issuing.start_revision(audit, actor=request.user, reason=reason)
        messages.success(request, "A new revision is started: findings may change again.")

    return _reason_action(request, pk, revise)


@require_POST
@member_required
def report_draft_pdf(request, pk: int):
    """Queue the draft as PDF, for those who read the working papers, and follow it on the
    job page, which offers the download when it is ready."""
    audit = _audit(request, pk)
    _working_papers(request, audit)
    job = report_jobs.queue_draft_pdf(audit, actor=request.user)
    return redirect("jobs:detail", pk=job.pk)


@member_required
def report_pdf(request, pk: int):
    """An issued revision's stored PDF, re-hashed before it is handed out."""
    report = scoped_or_404(
        AuditReport.objects.filter(organization=request.organization).select_related("pdf"),
        request.user,
        pk=pk,
    )
    try:
        data = issuing.read_report_pdf(report, actor=request.user)
    except ServiceError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied(exc.message) from None
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    return file_response(data, reports.PDF_CONTENT_TYPE, report.pdf.original_name)
