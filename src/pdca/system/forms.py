"""Forms of the management-system pages. They parse input; the services decide what is allowed
(an owner who is no system manager or consultant, a duplicate name, a missing justification)."""

from __future__ import annotations

from django import forms

from pdca.accounts.models import User
from pdca.core.forms import SingleRequirementPickerField, StyledFormMixin, field_of
from pdca.core.roles import Role
from pdca.standards.models import Requirement, Standard
from pdca.system.models import ManagementSystem
from pdca.system.permissions import IMPLEMENTERS
from pdca.tenancy.models import Membership, Site


class StandardChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Standard) -> str:
        return f"{obj} · {obj.title}"


class SiteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.name} ({obj.city})" if obj.city else obj.name


class SystemForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    standards = StandardChoiceField(
        queryset=Standard.objects.order_by("name", "edition"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Adopted as one integrated system; more can be adopted or dropped later.",
    )
    scope_statement = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the system covers: products, services, activities.",
    )
    boundaries = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is in and out, and the interfaces with what is out.",
    )
    sites = SiteChoiceField(
        queryset=Site.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        help_text="A system manager or consultant of this organization.",
    )
    status = forms.ChoiceField(
        choices=ManagementSystem.Status.choices, initial=ManagementSystem.Status.PLANNING
    )
    certification_target_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, organization, creating: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["standards"]  # adopted and dropped on the system's page
        field_of(self, "sites", forms.ModelChoiceField).queryset = Site.objects.filter(
            organization=organization
        )
        # Any member parses, so that the service (not the form) refuses the wrong role with its
        # reason; the list offers only those it accepts.
        members = User.objects.filter(memberships__organization=organization).distinct()
        field_of(self, "owner", forms.ModelChoiceField).queryset = members
        roles = dict(
            Membership.objects.filter(organization=organization, role__in=IMPLEMENTERS).values_list(
                "user_id", "role"
            )
        )
        offered = members.filter(pk__in=roles).order_by("full_name", "email")
        self.fields["owner"].widget.choices = [("", "—")] + [
            (user.pk, f"{user} ({Role(roles[user.pk]).label})") for user in offered
        ]
        for name in ("standards", "sites"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-check-input"

    @classmethod
    def initial_for(cls, system: ManagementSystem) -> dict:
        return {
            "name": system.name,
            "scope_statement": system.scope_statement,
            "boundaries": system.boundaries,
            "sites": list(system.sites.all()),
            "owner": system.owner_id,
            "status": system.status,
            "certification_target_date": system.certification_target_date,
        }


class AdoptForm(forms.Form):
    standard = forms.ModelChoiceField(queryset=Standard.objects.all(), to_field_name="code")


class ExclusionForm(StyledFormMixin, forms.Form):
    requirement = SingleRequirementPickerField(queryset=Requirement.objects.none())
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why this requirement does not apply: auditors will ask."},
        help_text="Why this requirement does not apply to the system.",
    )

    def __init__(self, *args, standards: list[Standard], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "requirement", forms.ModelChoiceField).queryset = (
            Requirement.objects.filter(standard__in=standards, retired=False)
            .select_related("standard")
            .order_by("standard__name", "standard__edition", "sort_key")
        )
