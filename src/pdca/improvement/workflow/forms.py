"""Forms of the corrective-action pages. They parse what people enter; the services in
`improvement.workflow`, `improvement.actions` and `improvement.policy` decide. Files go in a
field named `evidence`, like the services' own field, so their errors land on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from pdca.core.forms import RequirementPickerField, StyledFormMixin, field_of
from pdca.core.registers.choices import choices_for
from pdca.improvement.models import Nonconformity
from pdca.improvement.policy import POLICY_FIELDS
from pdca.improvement.reporting import REPORTABLE_SOURCES
from pdca.system.selectors import requirement_choices

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.documents.models import DocumentVersion
    from pdca.system.models import Process
    from pdca.tenancy.models import Site

NC = Nonconformity


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """None, one or several files chosen at once; cleans to a list."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = list(data) if isinstance(data, list | tuple) else [data]
        items = [item for item in items if item]
        if not items:
            single(None, initial)  # raises "required" when the field is required
            return []
        return [single(item, initial) for item in items]


def _members(organization):
    from pdca.improvement.registers import NONCONFORMITIES

    return choices_for(NONCONFORMITIES, "owner", organization)


def _processes(organization):
    from pdca.improvement.registers import NONCONFORMITIES

    return choices_for(NONCONFORMITIES, "process", organization)


def _sites(organization):
    from pdca.improvement.registers import NONCONFORMITIES

    return choices_for(NONCONFORMITIES, "site", organization)


class CapaForm(StyledFormMixin, forms.Form):
    """Base: knows its organization; `service_data()` gives the service's keyword arguments
    (uploaded files apart: the view stores them first)."""

    def __init__(self, *args, organization, **kwargs) -> None:
        self.organization = organization
        super().__init__(*args, **kwargs)
        self.setup()
        for field in self.fields.values():
            # Radio buttons and check boxes are laid out as a list, not as one control.
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"

    def setup(self) -> None:
        """Fill querysets that depend on the organization."""

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "evidence"}

    def uploads(self) -> list:
        return list(self.cleaned_data.get("evidence") or [])


# --- reporting and the policy ---------------------------------------------------------------


class ReportForm(CapaForm):
    title = forms.CharField(max_length=200, help_text="A few words: what went wrong.")
    description = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you saw, where and when; who was involved if it matters.",
    )
    source = forms.ChoiceField(
        label="Kind",
        choices=[(s.value, s.label) for s in REPORTABLE_SOURCES],
        initial=NC.Source.EMPLOYEE,
    )
    process: forms.ModelChoiceField[Process] = forms.ModelChoiceField(
        queryset=None, required=False, help_text="If you know it."
    )
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(queryset=None, required=False)
    evidence = MultipleFileField(
        label="Files", help_text="Photos or documents that show the problem (optional)."
    )

    def __init__(self, *args, can_upload: bool = True, **kwargs) -> None:
        self.can_upload = can_upload
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        field_of(self, "process", forms.ModelChoiceField).queryset = _processes(self.organization)
        field_of(self, "site", forms.ModelChoiceField).queryset = _sites(self.organization)
        if not self.can_upload:
            # Only members who may add to the evidence store attach files.
            del self.fields["evidence"]


class PolicyForm(CapaForm):
    major_due_days = forms.IntegerField(
        label="Major: days from triage to closure", min_value=1, max_value=730
    )
    minor_due_days = forms.IntegerField(
        label="Minor: days from triage to closure", min_value=1, max_value=730
    )
    major_wait_days = forms.IntegerField(
        label="Major: days to wait before the effectiveness check", min_value=0, max_value=730
    )
    minor_wait_days = forms.IntegerField(
        label="Minor: days to wait before the effectiveness check", min_value=0, max_value=730
    )

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in POLICY_FIELDS}


# --- the workflow's steps -------------------------------------------------------------------


class TriageForm(CapaForm):
    severity = forms.ChoiceField(choices=[("", "Choose…"), *NC.Severity.choices])
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, help_text="Who takes it through correction, cause and actions."
    )
    process: forms.ModelChoiceField[Process] = forms.ModelChoiceField(queryset=None)
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(queryset=None, required=False)
    requirements = RequirementPickerField(
        queryset=None, required=True, help_text="The requirement(s) it fails to meet."
    )
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Blank: set from the policy's days for its severity.",
    )

    def setup(self) -> None:
        field_of(self, "owner", forms.ModelChoiceField).queryset = _members(self.organization)
        field_of(self, "process", forms.ModelChoiceField).queryset = _processes(self.organization)
        field_of(self, "site", forms.ModelChoiceField).queryset = _sites(self.organization)
        field_of(self, "requirements", forms.ModelChoiceField).queryset = requirement_choices(
            self.organization
        )

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["requirements"] = list(data["requirements"])
        if data["due_date"] is None:
            del data["due_date"]
        return data


class DismissForm(CapaForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Why this is not a nonconformity."
    )


class ContainForm(CapaForm):
    correction = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done at once to fix the immediate problem.",
    )
    evidence = MultipleFileField(
        label="Evidence", required=True, help_text="A photo, record or file showing it was done."
    )


class AnalyseForm(CapaForm):
    method = forms.ChoiceField(choices=NC.CauseMethod.choices, widget=forms.RadioSelect)
    whys = forms.CharField(
        label="Why? Why? Why?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Five whys: each answer on its own line, the first answering why it happened.",
    )
    categories = forms.MultipleChoiceField(
        label="Cause categories",
        choices=NC.CauseCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    root_cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What, once removed, stops it happening again.",
    )

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["whys"] = [line.strip() for line in data["whys"].splitlines() if line.strip()]
        return data


class PlanForm(CapaForm):
    effectiveness_criteria = forms.CharField(
        label="How we will know it worked",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the effectiveness check will look at, and where.",
    )


class ImplementForm(CapaForm):
    """Marking the nonconformity implemented records nothing more than the step."""


class VerifyForm(CapaForm):
    effective = forms.TypedChoiceField(
        choices=[("yes", "Effective: the cause is removed"), ("no", "Not effective")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="What was checked and what it showed."
    )
    evidence = MultipleFileField(label="Evidence")


class CloseForm(CapaForm):
    note = forms.CharField(
        label="Closing note", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


STEP_FORMS: dict[str, type[CapaForm]] = {
    "triage": TriageForm,
    "dismiss": DismissForm,
    "contain": ContainForm,
    "analyse": AnalyseForm,
    "plan": PlanForm,
    "implement": ImplementForm,
    "verify": VerifyForm,
    "close": CloseForm,
}


# --- corrective actions ---------------------------------------------------------------------


class ActionForm(CapaForm):
    title = forms.CharField(max_length=200, help_text="What will be done.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def setup(self) -> None:
        field_of(self, "owner", forms.ModelChoiceField).queryset = _members(self.organization)


class CancelActionForm(CapaForm):
    reason = forms.CharField(max_length=2000, help_text="Why it is dropped from the plan.")


class ImplementActionForm(CapaForm):
    note = forms.CharField(
        label="What was done", widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000
    )
    evidence = MultipleFileField(label="Evidence")
    document_version: forms.ModelChoiceField[DocumentVersion] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="New document version",
        help_text="When a document was changed in response: its new version.",
    )

    def setup(self) -> None:
        from pdca.documents.models import DocumentVersion

        field_of(self, "document_version", forms.ModelChoiceField).queryset = (
            DocumentVersion.objects.filter(organization=self.organization)
            .select_related("document")
            .order_by("document__code", "document__title", "-number")
        )
