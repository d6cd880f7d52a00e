"""Forms of the version pages: writing a version (Markdown or a file), a workflow step with
its comment, and asking people to read and acknowledge a published version."""

from __future__ import annotations

from django import forms

from pdca.accounts.models import User
from pdca.core.forms import StyledFormMixin, field_of
from pdca.core.roles import ORGANIZATION_ROLES, Role

MAX_CONTENT = 1_000_000


class VersionForm(StyledFormMixin, forms.Form):
    """A draft's content: Markdown written here, or a file uploaded instead."""

    content = forms.CharField(
        label="Content (Markdown)",
        required=False,
        max_length=MAX_CONTENT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
        help_text="Headings (#), lists (-), tables, links. The preview shows how it reads.",
    )
    upload = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text="A PDF, Word or Excel document, or an image, used as the version's content.",
    )
    change_summary = forms.CharField(
        label="What changed",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed before the version goes to review.",
    )

    def clean(self):
        data = super().clean() or self.cleaned_data
        if data.get("upload") and (data.get("content") or "").strip():
            self.add_error("upload", "Upload a file or write the content, not both.")
        return data


class TransitionForm(StyledFormMixin, forms.Form):
    """A workflow step's comment and, on publication, the effective date."""

    comment = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    effective_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _role_choices() -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in Role if r.value in ORGANIZATION_ROLES]


class AckRequestForm(StyledFormMixin, forms.Form):
    """Whom to ask to read a published version: roles (their members today) and people."""

    roles = forms.MultipleChoiceField(
        required=False,
        choices=_role_choices,
        widget=forms.SelectMultiple(attrs={"size": 7}),
        help_text="Everyone holding the role today is asked.",
    )
    users = forms.ModelMultipleChoiceField(
        label="People",
        required=False,
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    due_date = forms.DateField(
        label="Read by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "users", forms.ModelChoiceField).queryset = User.objects.filter(
            memberships__organization=organization, is_active=True
        ).order_by("full_name", "email")
