"""Forms of the significance method and the assessment of an aspect. They parse what was
typed; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from pdca.core.forms import StyledFormMixin
from pdca.environment.models import SignificanceMethod


def criteria_text(criteria: list[dict[str, Any]]) -> str:
    """Criteria as the form shows them: one per line, `label; min; max` and `; legal`."""
    return "\n".join(
        f"{c['label']}; {c['min']}; {c['max']}" + ("; legal" if c.get("legal") else "")
        for c in criteria
    )


class MethodForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=100)
    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="One criterion per line: its label, lowest and highest score, and “legal” "
        "for a criterion that measures legal concern, e.g. “Legal concern; 1; 5; legal”.",
    )
    rule = forms.ChoiceField(label="Combination rule", choices=SignificanceMethod.Rule.choices)
    threshold = forms.IntegerField(
        min_value=1, help_text="An aspect whose combined score reaches this is significant."
    )
    legal_max_significant = forms.BooleanField(
        label="A legal criterion at its maximum makes an aspect significant", required=False
    )

    @classmethod
    def initial_for(cls, method: SignificanceMethod) -> dict[str, Any]:
        return {
            "name": method.name,
            "criteria": criteria_text(method.criteria),
            "rule": method.rule,
            "threshold": method.threshold,
            "legal_max_significant": method.legal_max_significant,
        }

    def clean_criteria(self) -> list[dict[str, Any]]:
        criteria, problems = [], []
        lines = [x.strip() for x in self.cleaned_data["criteria"].splitlines() if x.strip()]
        for number, line in enumerate(lines, start=1):
            parts = [p.strip() for p in line.split(";")]
            legal = len(parts) == 4 and parts[3].lower() == "legal"
            if len(parts) not in (3, 4) or (len(parts) == 4 and not legal):
                problems.append(f"Line {number} (“{line}”): write “label; min; max” (; legal).")
                continue
            try:
                low, high = int(parts[1]), int(parts[2])
            except ValueError:
                problems.append(f"Line {number} (“{line}”): the scores must be whole numbers.")
                continue
            criteria.append({"label": parts[0], "min": low, "max": high, "legal": legal})
        if problems:
            raise forms.ValidationError(problems)
        return criteria


class AssessForm(StyledFormMixin, forms.Form):
    """One score field per criterion of the current method."""

    def __init__(self, *args: Any, criteria: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for c in criteria:
            self.fields[c["key"]] = forms.IntegerField(
                label=c["label"],
                min_value=c["min"],
                max_value=c["max"],
                help_text=f"{c['min']} to {c['max']}"
                + (" · a legal criterion" if c.get("legal") else ""),
            )
            # Added after the mixin styled the (then empty) form.
            self.fields[c["key"]].widget.attrs["class"] = "form-control"
        self.criteria = criteria

    def scores(self) -> dict[str, int]:
        return {c["key"]: self.cleaned_data[c["key"]] for c in self.criteria}
