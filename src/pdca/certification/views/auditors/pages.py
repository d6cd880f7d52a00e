"""The auditor pool (qualifications, transition training, evidence, audit log) and team
selection for a programme audit: candidates qualified and free of conflicts first; a conflicted
person is refused with the reason by the audits' own team service, a competence gap (a missing
qualification or transition training) is warned about. Managers record a person's transition
training for a new edition on their page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pdca.audits.models import AuditTeamMember
from pdca.audits.services import add_team_member
from pdca.certification.models import CycleAudit
from pdca.certification.services.auditor_pool import auditor_pool, declared_conflicts
from pdca.certification.services.impartiality import candidates, competence_warnings
from pdca.core.exceptions import PermissionDenied, ServiceError
from pdca.core.forms import StyledFormMixin
from pdca.core.permissions import may, memberships
from pdca.core.views import add_service_error, member_required, object_for_page, require_page
from pdca.people.models import TrainingRecord
from pdca.people.permissions import READERS as PEOPLE_READERS
from pdca.people.services.transition_training import new_editions, record_transition_training
from pdca.tenancy.models import Membership

#: Team roles offered on the selection page.
ROLES = (
    AuditTeamMember.Role.LEAD,
    AuditTeamMember.Role.AUDITOR,
    AuditTeamMember.Role.EXPERT,
    AuditTeamMember.Role.OBSERVER,
)


def _reads_people(request) -> bool:
    """Whether the person reads everyone's qualifications and training records (the pool's
    links to those registers are shown only then)."""
    return memberships(request.user).get(request.organization.pk) in PEOPLE_READERS


@member_required
def auditor_list(request):
    org = request.organization
    require_page(request, "view", CycleAudit, organization=org)
    return render(
        request,
        "certification/auditors/list.html",
        {
            "pool": auditor_pool(org, log=False),
            "today": timezone.localdate(),
            "reads_people": _reads_people(request),
        },
    )


class TransitionTrainingForm(StyledFormMixin, forms.Form):
    """Transition training for a new edition (the person's page)."""

    standard = forms.ChoiceField(label="New edition")
    completed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    provider = forms.CharField(required=False, max_length=200)
    hours = forms.DecimalField(required=False, min_value=0, max_value=9999, decimal_places=1)
    result = forms.ChoiceField(
        choices=[
            (TrainingRecord.Result.PASSED, "Passed"),
            (TrainingRecord.Result.ATTENDED, "Attended"),
        ]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["standard"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (s.code, f"{s.full_name} (replaces {s.replaces.full_name})")
            for s in new_editions()
            if s.replaces is not None
        ]


def _detail(request, user_id: int, form: TransitionTrainingForm | None = None, status: int = 200):
    org = request.organization
    require_page(request, "view", CycleAudit, organization=org)
    pool = auditor_pool(org, person_id=user_id)
    if not pool:
        raise Http404("No such auditor.")
    may_record = may(request.user, "add", TrainingRecord, organization=org)
    if form is None and may_record:
        form = TransitionTrainingForm(initial={"completed_on": timezone.localdate()})
    return render(
        request,
        "certification/auditors/detail.html",
        {
            "member": pool[0],
            "conflicts": declared_conflicts(org, user_id),
            "today": timezone.localdate(),
            "reads_people": _reads_people(request),
            "may_record": may_record,
            "training_form": form,
        },
        status=status,
    )


@member_required
def auditor_detail(request, user_id: int):
    return _detail(request, user_id)


@member_required
@require_POST
def transition_training(request, user_id: int):
    """Record the person's transition training for a new edition (managers)."""
    org = request.organization
    require_page(request, "view", CycleAudit, organization=org)
    if not auditor_pool(org, person_id=user_id):
        raise Http404("No such auditor.")
    require_page(request, "add", TrainingRecord, organization=org)
    form = TransitionTrainingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = record_transition_training(
                org,
                actor=request.user,
                person=user_id,
                standard=data["standard"],
                completed_on=data["completed_on"],
                provider=data["provider"],
                hours=data["hours"],
                result=data["result"],
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Recorded: {record.title}.")
            return redirect("certification:auditor-detail", user_id)
    return _detail(request, user_id, form, status=422)


def _role(request) -> str:
    role = request.GET.get("role") or request.POST.get("role") or AuditTeamMember.Role.AUDITOR
    return role if role in ROLES else AuditTeamMember.Role.AUDITOR


@member_required
def team_select(request, pk: int):
    cycle_audit = object_for_page(
        request,
        CycleAudit.objects.select_related("cycle__client", "audit"),
        pk,
    )
    if cycle_audit.audit is None:
        raise Http404("This audit is not scheduled yet.")
    role = _role(request)
    return render(
        request,
        "certification/auditors/team.html",
        {
            "cycle_audit": cycle_audit,
            "audit": cycle_audit.audit,
            "role": role,
            "roles": [(value, AuditTeamMember.Role(value).label) for value in ROLES],
            "candidates": candidates(cycle_audit, role),
            "team": cycle_audit.audit.team.select_related("user"),
            "may_add": may(request.user, "add", AuditTeamMember, organization=request.organization),
        },
    )


@member_required
@require_POST
def team_add(request, pk: int):
    cycle_audit = object_for_page(request, CycleAudit.objects.select_related("audit", "cycle"), pk)
    if cycle_audit.audit is None:
        raise Http404("This audit is not scheduled yet.")
    role = _role(request)
    try:
        user_id = int(request.POST.get("user", ""))
    except ValueError:
        raise Http404("No such person.") from None
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        organization=request.organization,
        user_id=user_id,
    )
    try:
        add_team_member(cycle_audit.audit, membership.user, role, actor=request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{membership.user} joined the team as {AuditTeamMember.Role(role).label}."
        )
        for warning in competence_warnings(cycle_audit, membership.user, role):
            messages.warning(request, warning)
    return redirect(f"{request.path.rsplit('add/', 1)[0]}?role={role}")
