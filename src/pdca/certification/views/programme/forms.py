"""Forms of the programme pages: they parse input; the rules are in the services."""

from __future__ import annotations

from django import forms

from pdca.accounts.models import User
from pdca.certification.models import CertificationDecision, CycleAudit, FindingReview
from pdca.certification.services.programme_audits import STATUSES
from pdca.core.forms import StyledFormMixin

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 2})


class ScheduleForm(StyledFormMixin, forms.Form):
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE)
    lead_auditor = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, organization=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lead_auditor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            memberships__organization=organization, is_active=True
        ).order_by("full_name", "email")


class OutcomeForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(choices=CycleAudit.Stage1Outcome.choices)
    concerns = forms.CharField(required=False, max_length=20_000, widget=TEXT)


class DaysForm(StyledFormMixin, forms.Form):
    days = forms.DecimalField(min_value=0, max_value=9999.99, decimal_places=2)
    reason = forms.CharField(required=False, max_length=20_000, widget=TEXT)


class SpecialForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (CycleAudit.Kind.SPECIAL, "Special"),
            (CycleAudit.Kind.SHORT_NOTICE, "Short notice"),
        ]
    )
    due_date = forms.DateField(widget=DATE)
    reason = forms.CharField(max_length=20_000, widget=TEXT)


class TransitionAuditForm(StyledFormMixin, forms.Form):
    """Plan the transition audit: combined with a planned audit (its id), or separate."""

    combine_with = forms.IntegerField(required=False, min_value=1)
    due_date = forms.DateField(required=False, widget=DATE)
    reason = forms.CharField(required=False, max_length=20_000, widget=TEXT)


class RepeatForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=[(CycleAudit.Kind.STAGE1, "Stage 1"), (CycleAudit.Kind.STAGE2, "Stage 2")]
    )
    reason = forms.CharField(required=False, max_length=20_000, widget=TEXT)


class DecisionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=CertificationDecision.Kind.choices)
    outcome = forms.ChoiceField(choices=CertificationDecision.Outcome.choices)
    on = forms.DateField(label="Decided on", widget=DATE)
    notes = forms.CharField(required=False, max_length=20_000, widget=TEXT)


class AnswerForm(StyledFormMixin, forms.Form):
    correction = forms.CharField(max_length=20_000, widget=TEXT)
    root_cause = forms.CharField(max_length=20_000, widget=TEXT)
    corrective_action = forms.CharField(max_length=20_000, widget=TEXT)
    responded_on = forms.DateField(widget=DATE)


class PlanForm(StyledFormMixin, forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("yes", "Accept the plan"), ("no", "Reject the plan")],
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(required=False, max_length=20_000, widget=TEXT)


class VerifyForm(StyledFormMixin, forms.Form):
    method = forms.ChoiceField(choices=FindingReview.Method.choices)
    notes = forms.CharField(max_length=20_000, widget=TEXT)
    on = forms.DateField(label="Verified on", widget=DATE)


class CalendarForm(forms.Form):
    """The calendar's filters (GET)."""

    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", required=False)
    months = forms.IntegerField(min_value=1, max_value=24, required=False)
    auditor = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Any auditor",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    standard = forms.IntegerField(required=False, min_value=1)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *STATUSES],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    client = forms.IntegerField(required=False, min_value=1)
    overdue = forms.BooleanField(required=False)

    def __init__(self, *args, organization=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["auditor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(memberships__organization=organization).order_by(
            "full_name", "email"
        )
