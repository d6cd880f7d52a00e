"""Pages of an audit's status steps, team, plan (page and PDF) and meetings. Thin: the rules
live in `pdca.audits.services`."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pdca.audits import services
from pdca.audits.independence import AUDITING_ROLES
from pdca.audits.models import Audit, AuditMeeting, AuditPlanItem, AuditTeamMember
from pdca.audits.plan.pdf import plan_filename, plan_pdf
from pdca.audits.qualification import standings, team_warnings
from pdca.core.exceptions import ServiceError
from pdca.core.forms import RequirementPickerField, StyledFormMixin, field_of
from pdca.core.permissions import may
from pdca.core.views import (
    add_service_error,
    file_response,
    member_required,
    object_for_page,
    require_page,
    scoped_or_404,
)
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.system.selectors import requirement_choices
from pdca.tenancy.models import Site

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _members(organization):
    return (
        get_user_model()
        .objects.filter(memberships__organization=organization, is_active=True)
        .order_by("full_name", "email")
    )


def audit_url(audit_id: int) -> str:
    return reverse("audits:audits-detail", args=[audit_id])


# --- forms --------------------------------------------------------------------------------------


class TeamMemberForm(StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Person")
    role = forms.ChoiceField(choices=AuditTeamMember.Role.choices)

    def __init__(self, *args, organization, edit: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "user", forms.ModelChoiceField).queryset = _members(organization)
        if edit:
            del self.fields["user"]


class PlanItemForm(StyledFormMixin, forms.Form):
    starts_at = forms.DateTimeField(label="Starts", widget=DATETIME)
    ends_at = forms.DateTimeField(label="Ends", widget=DATETIME)
    activity = forms.CharField(max_length=200, help_text="e.g. Opening meeting, Production")
    process = forms.ModelChoiceField(queryset=Process.objects.none(), required=False)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False)
    requirements = RequirementPickerField(queryset=Requirement.objects.none())
    auditor = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    auditee = forms.CharField(max_length=200, required=False, help_text="Person or role met")

    def __init__(self, *args, audit: Audit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        org = audit.organization_id
        field_of(self, "process", forms.ModelChoiceField).queryset = Process.objects.filter(
            organization_id=org
        )
        field_of(self, "site", forms.ModelChoiceField).queryset = Site.objects.filter(
            organization_id=org
        )
        requirements = requirement_choices(audit.organization)
        standard_ids = list(audit.standards.values_list("pk", flat=True))
        if standard_ids:
            requirements = requirements.filter(standard_id__in=standard_ids)
        field_of(self, "requirements", forms.ModelChoiceField).queryset = requirements
        field_of(
            self, "auditor", forms.ModelChoiceField
        ).queryset = get_user_model().objects.filter(pk__in=services.team_user_ids(audit))

    @staticmethod
    def initial_for(item: AuditPlanItem) -> dict:
        return {
            "starts_at": timezone.localtime(item.starts_at),
            "ends_at": timezone.localtime(item.ends_at),
            "activity": item.activity,
            "process": item.process_id,
            "site": item.site_id,
            "requirements": list(item.requirements.values_list("pk", flat=True)),
            "auditor": item.auditor_id,
            "auditee": item.auditee,
        }


class MeetingForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=AuditMeeting.Kind.choices)
    held_at = forms.DateTimeField(label="Held at", widget=DATETIME)
    attendees = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="One person per line, with their role"
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args, edit: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["kind"]


# --- lookups ------------------------------------------------------------------------------------


def _audit(request, pk: int, action: str = "view") -> Audit:
    audit = scoped_or_404(
        Audit.objects.filter(organization=request.organization), request.user, pk=pk
    )
    require_page(request, action, audit)
    return audit


def _child(request, model, pk: int, action: str):
    obj = object_for_page(
        request,
        model.objects.filter(organization=request.organization).select_related("audit"),
        pk,
        action,
    )
    return obj


# --- status -------------------------------------------------------------------------------------


@member_required
def transition(request, pk: int):
    """Asks for a comment (GET with `?to=`), moves the audit on POST."""
    audit = _audit(request, pk, "change")
    to = request.POST.get("to") or request.GET.get("to") or ""
    if request.method == "POST":
        try:
            services.transition_audit(
                audit, to, actor=request.user, comment=request.POST.get("comment", "")
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"The audit is now {audit.get_status_display().lower()}.")
        return redirect(audit_url(audit.pk))
    step = services.STEP_BY_MOVE.get((audit.status, to))
    return render(
        request,
        "audits/transition.html",
        {
            "audit": audit,
            "step": step,
            "to": to,
            "reason": services.transition_problem(audit, to),
            "cancel_href": audit_url(audit.pk),
        },
    )


# --- team ---------------------------------------------------------------------------------------


@member_required
def team_add(request, pk: int):
    require_page(request, "add", AuditTeamMember, organization=request.organization)
    audit = _audit(request, pk)
    form = TeamMemberForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_team_member(
                audit, form.cleaned_data["user"], form.cleaned_data["role"], actor=request.user
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{member} added to the team.")
            if member.role in AUDITING_ROLES:
                for warning in team_warnings(audit, member.user):
                    messages.warning(request, warning)
            return redirect(audit_url(audit.pk))
    return render(
        request,
        "audits/team_form.html",
        {
            "form": form,
            "audit": audit,
            "cancel_href": audit_url(audit.pk),
            "standings": _team_standings(audit),
        },
    )


def _team_standings(audit: Audit) -> list[dict[str, Any]]:
    """Who among the members is qualified for the internal audit's standards (for choosing)."""
    if audit.audit_type != Audit.Type.INTERNAL or not audit.standards.exists():
        return []
    found = standings(audit.organization, standards=audit.standards.all())
    people: dict[str, dict[str, Any]] = {}
    for s in found:
        line = people.setdefault(s.person, {"person": s.person, "qualified": [], "not": []})
        (line["qualified"] if s.qualified else line["not"]).append(s.standard.code)
    return list(people.values())


@member_required
def team_edit(request, pk: int):
    member = _child(request, AuditTeamMember, pk, "change")
    form = TeamMemberForm(
        request.POST or None,
        organization=request.organization,
        edit=True,
        initial={"role": member.role},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_team_member(member, actor=request.user, role=form.cleaned_data["role"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{member} saved.")
            return redirect(audit_url(member.audit_id))
    return render(
        request,
        "audits/team_form.html",
        {
            "form": form,
            "audit": member.audit,
            "member": member,
            "cancel_href": audit_url(member.audit_id),
        },
    )


@member_required
def team_delete(request, pk: int):
    member = _child(request, AuditTeamMember, pk, "delete")
    back = audit_url(member.audit_id)
    if request.method == "POST":
        try:
            services.remove_team_member(member, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{member.user} is no longer on the team.")
        return redirect(back)
    return render(
        request,
        "web/confirm_delete.html",
        {"object": f"{member} from the team", "cancel_href": back},
    )


# --- plan ---------------------------------------------------------------------------------------


def plan_days(audit: Audit) -> list[tuple[dt.date, list[AuditPlanItem]]]:
    """The audit's plan slots grouped by (local) day, in time order. Three queries."""
    items = list(
        audit.plan_items.select_related("site", "process", "auditor")
        .prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.select_related("standard"))
        )
        .order_by("starts_at", "pk")
    )
    for item in items:
        shown: Any = item  # with its local times, for the template
        shown.local_start = timezone.localtime(item.starts_at)
        shown.local_end = timezone.localtime(item.ends_at)
    return [
        (day, list(rows))
        for day, rows in groupby(items, key=lambda i: timezone.localtime(i.starts_at).date())
    ]


@member_required
def plan(request, pk: int):
    """The audit plan as a timetable by day: every member (auditees included) sees it."""
    audit = _audit(request, pk)
    org = request.organization
    frozen = audit.report_frozen
    return render(
        request,
        "audits/plan.html",
        {
            "audit": audit,
            "days": plan_days(audit),
            "audit_url": audit_url(audit.pk),
            "can_add": not frozen and may(request.user, "add", AuditPlanItem, organization=org),
            "can_change": not frozen
            and may(request.user, "change", AuditPlanItem, organization=org),
            "can_delete": not frozen
            and may(request.user, "delete", AuditPlanItem, organization=org),
        },
    )


@member_required
def plan_download(request, pk: int):
    audit = _audit(request, pk)
    return file_response(plan_pdf(audit), "application/pdf", plan_filename(audit))


def _plan_item_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["requirements"] = list(data["requirements"])
    return data


@member_required
def plan_item_create(request, pk: int):
    require_page(request, "add", AuditPlanItem, organization=request.organization)
    audit = _audit(request, pk)
    form = PlanItemForm(request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_plan_item(audit, actor=request.user, **_plan_item_data(form))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Plan slot added.")
            return redirect("audits:plan", pk=audit.pk)
    return render(
        request,
        "audits/plan_item_form.html",
        {"form": form, "audit": audit, "cancel_href": reverse("audits:plan", args=[audit.pk])},
    )


@member_required
def plan_item_edit(request, pk: int):
    item = _child(request, AuditPlanItem, pk, "change")
    audit = item.audit
    form = PlanItemForm(request.POST or None, audit=audit, initial=PlanItemForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        # The service works on its own copy: a refused change must not show on this page.
        target = AuditPlanItem.objects.select_related("audit").get(pk=item.pk)
        try:
            services.update_plan_item(target, actor=request.user, **_plan_item_data(form))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Plan slot saved.")
            return redirect("audits:plan", pk=audit.pk)
    return render(
        request,
        "audits/plan_item_form.html",
        {
            "form": form,
            "audit": audit,
            "item": item,
            "cancel_href": reverse("audits:plan", args=[audit.pk]),
        },
    )


@member_required
def plan_item_delete(request, pk: int):
    item = _child(request, AuditPlanItem, pk, "delete")
    back = reverse("audits:plan", args=[item.audit_id])
    if request.method == "POST":
        try:
            services.delete_plan_item(item, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Plan slot deleted.")
        return redirect(back)
    return render(
        request, "web/confirm_delete.html", {"object": f"the plan slot {item}", "cancel_href": back}
    )


# --- meetings -----------------------------------------------------------------------------------


@member_required
def meeting_create(request, pk: int):
    """Record the opening or closing meeting (`?kind=` preselects which)."""
    require_page(request, "add", AuditMeeting, organization=request.organization)
    audit = _audit(request, pk)
    form = MeetingForm(request.POST or None, initial={"kind": request.GET.get("kind", "opening")})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_meeting(audit, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Meeting recorded.")
            return redirect(audit_url(audit.pk))
    return render(
        request,
        "audits/meeting_form.html",
        {"form": form, "audit": audit, "cancel_href": audit_url(audit.pk)},
    )


@member_required
def meeting_edit(request, pk: int):
    meeting = _child(request, AuditMeeting, pk, "change")
    form = MeetingForm(
        request.POST or None,
        edit=True,
        initial={
            "held_at": timezone.localtime(meeting.held_at),
            "attendees": meeting.attendees,
            "notes": meeting.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        target = AuditMeeting.objects.select_related("audit").get(pk=meeting.pk)
        try:
            services.update_meeting(target, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{meeting.get_kind_display()} saved.")
            return redirect(audit_url(meeting.audit_id))
    return render(
        request,
        "audits/meeting_form.html",
        {
            "form": form,
            "audit": meeting.audit,
            "meeting": meeting,
            "cancel_href": audit_url(meeting.audit_id),
        },
    )


@member_required
def meeting_delete(request, pk: int):
    meeting = _child(request, AuditMeeting, pk, "delete")
    back = audit_url(meeting.audit_id)
    if request.method == "POST":
        try:
            services.delete_meeting(meeting, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{meeting.get_kind_display()} deleted.")
        return redirect(back)
    return render(
        request,
        "web/confirm_delete.html",
        {"object": f"the record of the {meeting.get_kind_display().lower()}", "cancel_href": back},
    )
