from django import forms

from pdca.core.forms import StyledFormMixin, field_of
from pdca.tenancy.models import Organization, Site


class OrganizationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "legal_name", "country", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SiteForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Site
        fields = [
            "name",
            "code",
            "address",
            "city",
            "country",
            "headcount",
            "is_headquarters",
            "notes",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class InviteForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField()
    job_title = forms.CharField(max_length=150, required=False)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        field_of(self, "role", forms.ChoiceField).choices = role_choices(organization)


class MemberRoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField()
    job_title = forms.CharField(max_length=150, required=False)
    team = forms.CharField(max_length=100, required=False, help_text="Department or team")
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, help_text="Where the person mainly works"
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        field_of(self, "role", forms.ChoiceField).choices = role_choices(organization)
        field_of(self, "site", forms.ModelChoiceField).queryset = Site.objects.filter(
            organization=organization
        )


class JoinForm(StyledFormMixin, forms.Form):
    """Someone invited who has no account yet creates it on the invitation page."""

    full_name = forms.CharField(max_length=150, label="Your full name")
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="The password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean() or self.cleaned_data
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


def role_choices(organization: Organization) -> list[tuple[str, str]]:
    from pdca.core.roles import Role

    return [(r.value, r.label) for r in Role if r.value in organization.allowed_roles]
