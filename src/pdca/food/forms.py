"""Forms of the food safety pages beyond the registers: the method, a PRP verification and a
monitoring deviation. They parse what was typed; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from pdca.accounts.models import User
from pdca.core.forms import StyledFormMixin
from pdca.food.models import FoodSafetyMethod, MonitoringDeviation, PrpVerification

DATE = forms.DateInput(attrs={"type": "date"})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class MethodForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=100)
    likelihood_labels = forms.CharField(
        label="Likelihood scale",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One label per line, level 1 (least likely) first; 2 to 10 levels.",
    )
    severity_labels = forms.CharField(
        label="Severity scale",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One label per line, level 1 (least severe) first; 2 to 10 levels.",
    )
    significance_threshold = forms.IntegerField(
        min_value=1,
        help_text="A hazard scoring this or more (likelihood × severity) is significant.",
    )
    trace_target_hours = forms.DecimalField(
        label="Trace within (hours)", min_value=0.1, max_value=720, decimal_places=1
    )
    reconciliation_target_percent = forms.DecimalField(
        label="Reconcile at least (%)", min_value=1, max_value=100, decimal_places=1
    )

    @classmethod
    def initial_for(cls, method: FoodSafetyMethod) -> dict:
        return {
            "name": method.name,
            "likelihood_labels": "\n".join(method.likelihood_labels),
            "severity_labels": "\n".join(method.severity_labels),
            "significance_threshold": method.significance_threshold,
            "trace_target_hours": method.trace_target_hours,
            "reconciliation_target_percent": method.reconciliation_target_percent,
        }

    def clean_likelihood_labels(self) -> list[str]:
        return _lines(self.cleaned_data["likelihood_labels"])

    def clean_severity_labels(self) -> list[str]:
        return _lines(self.cleaned_data["severity_labels"])


class VerificationForm(StyledFormMixin, forms.Form):
    verified_on = forms.DateField(widget=DATE)
    verifier = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    result = forms.ChoiceField(choices=PrpVerification.Result.choices)
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="What was found; needed when not conforming.",
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )

    def __init__(self, *args, organization=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        verifier = self.fields["verifier"]
        assert isinstance(verifier, forms.ModelChoiceField)
        verifier.queryset = User.objects.filter(
            is_active=True, memberships__organization=organization
        ).order_by("email")


class DeviationForm(StyledFormMixin, forms.Form):
    occurred_on = forms.DateField(widget=DATE)
    value = forms.DecimalField(
        label="Value measured", required=False, max_digits=12, decimal_places=3
    )
    observation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    product_affected = forms.CharField(required=False, max_length=200)
    product_action = forms.ChoiceField(
        label="What was done with the product", choices=MonitoringDeviation.ProductAction.choices
    )
    correction = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
