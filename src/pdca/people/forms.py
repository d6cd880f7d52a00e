"""Forms of the training pages (the registers' forms come from `core.registers`)."""

from __future__ import annotations

from django import forms

from pdca.core.forms import StyledFormMixin, field_of
from pdca.core.roles import CERTIFICATION_BODY_ROLES, ORGANIZATION_ROLES, Role
from pdca.people.models import Course, Module, Question
from pdca.people.permissions import FOLLOWERS
from pdca.tenancy.models import Membership, Site


def _members(organization):
    return Membership.objects.filter(
        organization=organization, user__is_active=True
    ).select_related("user")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.email


class AssignForm(StyledFormMixin, forms.Form):
    person = MemberChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="Everyone below"
    )
    role = forms.ChoiceField(required=False)
    position = forms.CharField(required=False, max_length=150)
    team = forms.CharField(required=False, max_length=100)
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, empty_label="Every site"
    )
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    owner = MemberChoiceField(queryset=Membership.objects.none(), required=False, empty_label="Me")
    note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = _members(organization)
        field_of(self, "person", forms.ModelChoiceField).queryset = members
        field_of(self, "owner", forms.ModelChoiceField).queryset = members
        field_of(self, "site", forms.ModelChoiceField).queryset = Site.objects.filter(
            organization=organization
        )
        roles = (
            CERTIFICATION_BODY_ROLES
            if organization.kind == "certification_body"
            else (ORGANIZATION_ROLES)
        )
        field_of(self, "role", forms.ChoiceField).choices = [("", "Any role")] + [
            (value, label) for value, label in Role.choices if value in roles
        ]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["person"] = data["person"].user if data["person"] else None
        data["owner"] = data["owner"].user if data["owner"] else None
        return data


class GapActionsForm(StyledFormMixin, forms.Form):
    owner = MemberChoiceField(queryset=Membership.objects.none())
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Exactly whom the service accepts (a short list: every member of a large
        # organization would make the matrix page slow).
        self.owners = _members(organization).filter(role__in=FOLLOWERS)
        field_of(self, "owner", forms.ModelChoiceField).queryset = self.owners

    def owner_choices(self) -> list[tuple[int, str]]:
        """(membership id, name) of the owners, for a select written in the template."""
        return [(m.pk, m.user.get_full_name() or m.user.email) for m in self.owners]


class CourseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Course
        fields = ["code", "title", "summary", "language", "validity_months"]


class CourseImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(help_text="A pdca course file (.yaml)")
    replace = forms.BooleanField(
        required=False, help_text="Replace the course with the same code (if nobody has taken it)"
    )


class ModuleForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Module
        fields = ["kind", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "class": "font-monospace"})}


class QuestionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    kind = forms.ChoiceField(choices=Question.Kind.choices)
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "class": "font-monospace"}),
        help_text="One choice per line; start the right ones with *",
        max_length=5000,
    )
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class PathForm(StyledFormMixin, forms.Form):
    code = forms.SlugField(max_length=60)
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    pass_mark = forms.IntegerField(min_value=1, max_value=100, initial=80)
    validity_months = forms.IntegerField(min_value=1, max_value=240, required=False)
    courses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        help_text="Course codes in order, one per line",
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_courses(self) -> list[Course]:
        codes = [c.strip() for c in self.cleaned_data["courses"].splitlines() if c.strip()]
        found = {
            c.code: c for c in Course.objects.filter(organization=self.organization, code__in=codes)
        }
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(f"No such course: {', '.join(unknown)}.")
        if len(set(codes)) != len(codes):
            raise forms.ValidationError("A course appears twice.")
        return [found[c] for c in codes]
