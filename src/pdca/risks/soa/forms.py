"""Forms of the SoA pages. They parse input; the services decide what is allowed (a decided
control without a justification, an excluded control marked implemented, an owner who is not
a member)."""

from __future__ import annotations

from typing import Any

from django import forms

from pdca.accounts.models import User
from pdca.core.forms import StyledFormMixin, field_of
from pdca.core.xlsx import MAX_UPLOAD_BYTES, XLSX_CONTENT_TYPE
from pdca.risks.models import ControlApplicability, Risk
from pdca.standards.models import Requirement, Standard
from pdca.system.models import ManagementSystem

#: The three answers to "does this control apply?", as form values.
APPLICABLE_CHOICES = [("", "Undecided"), ("yes", "Applicable"), ("no", "Not applicable")]
APPLICABLE_VALUES = {"": None, "yes": True, "no": False}


def applicable_value(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def members_of(organization_id: int):
    """Active members of the organization, the people a line can be owned by."""
    return (
        User.objects.filter(memberships__organization_id=organization_id, is_active=True)
        .order_by("full_name", "email")
        .distinct()
    )


def standards_with_controls():
    return (
        Standard.objects.filter(
            requirements__kind=Requirement.Kind.CONTROL, requirements__retired=False
        )
        .distinct()
        .order_by("name", "edition")
    )


class SoaCreateForm(StyledFormMixin, forms.Form):
    standard = forms.ModelChoiceField(
        queryset=Standard.objects.none(),
        help_text="A standard with a reference set of controls in its Annex A.",
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="Default: Statement of Applicability, <standard>"
    )
    system = forms.ModelChoiceField(
        queryset=ManagementSystem.objects.none(),
        required=False,
        label="Management system",
        help_text="The system whose scope this SoA covers.",
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "standard", forms.ModelChoiceField).queryset = standards_with_controls()
        field_of(self, "system", forms.ModelChoiceField).queryset = ManagementSystem.objects.filter(
            organization=organization
        ).order_by("name")


class LineForm(StyledFormMixin, forms.Form):
    """One line, on its own page or as a row of the grid (where only the changed fields are
    sent: a field missing from the post is left alone)."""

    applicable = forms.ChoiceField(choices=APPLICABLE_CHOICES, required=False)
    justification = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the control is included or excluded: required once decided.",
    )
    implementation = forms.ChoiceField(
        choices=ControlApplicability.Implementation.choices, required=False
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    notes = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    risks = forms.ModelMultipleChoiceField(
        queryset=Risk.objects.none(),
        required=False,
        help_text="The risks this control treats.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, line: ControlApplicability, may_reassign: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "owner", forms.ModelChoiceField).queryset = members_of(line.organization_id)
        field_of(self, "risks", forms.ModelChoiceField).queryset = Risk.objects.filter(
            organization_id=line.organization_id
        ).order_by("code")
        if not may_reassign:
            del self.fields["owner"]

    def changes(self) -> dict[str, Any]:
        """The posted fields, as the service takes them (only those in the post)."""
        data = self.cleaned_data
        posted = set(self.data.keys())
        found: dict[str, Any] = {}
        for name in self.fields:
            if name not in posted and not (name == "risks" and "risks-present" in posted):
                continue
            value = data.get(name)
            if name == "applicable":
                value = APPLICABLE_VALUES[value or ""]
            elif name == "implementation" and not value:
                continue
            elif name == "risks":
                value = list(value or [])
            found[name] = value
        return found


class ApproveForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: the meeting or decision that approved it.",
    )


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="Edited workbook (.xlsx)",
        help_text="The SoA exported from this page, edited and saved as .xlsx; at most "
        f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            )
        return upload
