"""Forms of the risk method, heat map and treatment action pages. They parse what was typed;
the services decide what is allowed (scales, bands, threshold, owners, due dates)."""

from __future__ import annotations

import re

from django import forms

from pdca.accounts.models import User
from pdca.core.forms import StyledFormMixin, field_of
from pdca.risks.models import Risk, RiskMethod, TreatmentAction

BAND_LINE = re.compile(r"^(?P<up_to>\d+)\s+(?P<label>.+?)\s+(?P<colour>#\w+)$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def bands_text(bands: list[dict]) -> str:
    """Bands as the form shows them: one per line, `up_to label #colour`."""
    return "\n".join(f"{b['up_to']} {b['label']} {b['colour']}" for b in bands)


class MethodForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=100)
    likelihood_labels = forms.CharField(
        label="Likelihood scale",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One label per line, level 1 (least likely) first; 2 to 10 levels.",
    )
    impact_labels = forms.CharField(
        label="Impact scale",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One label per line, level 1 (least severe) first; 2 to 10 levels.",
    )
    score_rule = forms.ChoiceField(choices=RiskMethod.ScoreRule.choices)
    acceptance_threshold = forms.IntegerField(
        min_value=1,
        help_text="The highest score accepted without treatment.",
    )
    bands = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One band per line, lowest first: the highest score it covers, its label and "
        "its colour, e.g. “9 Medium #f9a825”. The last band must reach the highest score.",
    )

    @classmethod
    def initial_for(cls, method: RiskMethod) -> dict:
        return {
            "name": method.name,
            "likelihood_labels": "\n".join(method.likelihood_labels),
            "impact_labels": "\n".join(method.impact_labels),
            "score_rule": method.score_rule,
            "acceptance_threshold": method.acceptance_threshold,
            "bands": bands_text(method.bands),
        }

    def clean_likelihood_labels(self) -> list[str]:
        return _lines(self.cleaned_data["likelihood_labels"])

    def clean_impact_labels(self) -> list[str]:
        return _lines(self.cleaned_data["impact_labels"])

    def clean_bands(self) -> list[dict]:
        bands, problems = [], []
        for number, line in enumerate(_lines(self.cleaned_data["bands"]), start=1):
            match = BAND_LINE.match(line)
            if match is None:
                problems.append(
                    f"Line {number} (“{line}”): write the highest score, the label and the "
                    "colour, e.g. “9 Medium #f9a825”."
                )
                continue
            bands.append(
                {
                    "up_to": int(match["up_to"]),
                    "label": match["label"],
                    "colour": match["colour"],
                }
            )
        if problems:
            raise forms.ValidationError(problems)
        return bands


class HeatmapFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Risk.Kind.choices], required=False)
    basis = forms.ChoiceField(
        choices=[
            ("inherent", "Before treatment (inherent)"),
            ("residual", "After treatment (residual)"),
        ],
        required=False,
    )


class ActionForm(StyledFormMixin, forms.Form):
    description = forms.CharField(max_length=300)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Required while the action is open.",
    )
    status = forms.ChoiceField(
        choices=TreatmentAction.Status.choices, initial=TreatmentAction.Status.OPEN
    )
    completed_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For a done action; today when left empty.",
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "owner", forms.ModelChoiceField).queryset = (
            User.objects.filter(memberships__organization=organization, is_active=True)
            .distinct()
            .order_by("full_name", "email")
        )

    @classmethod
    def initial_for(cls, action: TreatmentAction) -> dict:
        return {
            "description": action.description,
            "owner": action.owner_id,
            "due_date": action.due_date,
            "status": action.status,
            "completed_on": action.completed_on,
        }
