from django import forms

from pdca.core.forms import StyledFormMixin
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


class MemberAddForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(max_length=150, required=False, help_text="For someone new")
    role = forms.ChoiceField()
    job_title = forms.CharField(max_length=150, required=False)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(organization)


class MemberRoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField()
    job_title = forms.CharField(max_length=150, required=False)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(organization)


def role_choices(organization: Organization) -> list[tuple[str, str]]:
    from pdca.core.roles import Role

    return [(r.value, r.label) for r in Role if r.value in organization.allowed_roles]
