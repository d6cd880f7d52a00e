"""Forms of the safety pages that are not plain register forms: the hazard scoring method,
reporting an incident and recording its investigation. They parse what was typed; the
services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from pdca.core.forms import StyledFormMixin
from pdca.safety.models import Hazard, HazardMethod, Incident


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class MethodForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=100)
    likelihood_labels = forms.CharField(
        label="Likelihood scale",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One label per line, level 1 (least likely) first; 2 to 10 levels.",
    )
    severity_labels = forms.CharField(
        label="Severity scale",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One label per line, level 1 (least severe) first; 2 to 10 levels.",
    )
    score_rule = forms.ChoiceField(choices=HazardMethod.ScoreRule.choices)
    acceptable_level = forms.IntegerField(
        min_value=1, help_text="The highest score accepted once the controls are in place."
    )

    @classmethod
    def initial_for(cls, method: HazardMethod) -> dict:
        return {
            "name": method.name,
            "likelihood_labels": "\n".join(method.likelihood_labels),
            "severity_labels": "\n".join(method.severity_labels),
            "score_rule": method.score_rule,
            "acceptable_level": method.acceptable_level,
        }

    def clean_likelihood_labels(self) -> list[str]:
        return _lines(self.cleaned_data["likelihood_labels"])

    def clean_severity_labels(self) -> list[str]:
        return _lines(self.cleaned_data["severity_labels"])


class ReportForm(StyledFormMixin, forms.ModelForm):
    """What anyone fills in to report an incident."""

    class Meta:
        model = Incident
        fields = [
            "kind",
            "title",
            "occurred_at",
            "site",
            "location",
            "involved_employees",
            "involved_contractors",
            "involved_visitors",
            "involved_public",
            "people_involved",
            "description",
            "immediate_actions",
            "severity",
            "days_lost",
            "hazards",
        ]
        widgets = {
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 4}),
            "immediate_actions": forms.Textarea(attrs={"rows": 3}),
            "people_involved": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from pdca.tenancy.models import Site

        self.fields["site"].queryset = Site.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["hazards"].queryset = Hazard.objects.filter(  # type: ignore[attr-defined]
            organization=organization, archived_at__isnull=True
        )
        self.fields["hazards"].required = False

    def _post_clean(self) -> None:
        # The service validates (and names the field of each problem).
        pass

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["hazards"] = list(data["hazards"] or [])
        return data


class InvestigationForm(StyledFormMixin, forms.Form):
    investigator = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    investigated_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today when left empty.",
    )
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    contributing_factors = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    action_needed = forms.TypedChoiceField(
        label="Corrective action needed?",
        choices=[("", "—"), ("true", "Yes: open a nonconformity"), ("false", "No")],
        coerce=lambda value: value == "true",
        empty_value=None,
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(memberships__organization=organization, is_active=True)
            .order_by("full_name", "email")
        )
