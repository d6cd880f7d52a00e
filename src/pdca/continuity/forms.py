"""Forms of the BIA method, the impact grid and the exercise steps. They parse what was
typed; the services decide what is allowed."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from pdca.continuity.models import BiaMethod, Exercise
from pdca.core.forms import StyledFormMixin

POINT_LINE = re.compile(r"^(?P<hours>\d+)\s*(?P<label>.*)$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class MethodForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=100)
    categories = forms.CharField(
        label="Impact categories",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One category per line: its name, a colon, then its levels from the lowest, "
        "separated by “|”, e.g. “Financial: Negligible | Minor | Moderate | Major | Severe”.",
    )
    time_points = forms.CharField(
        label="Time points",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line, earliest first: hours after the disruption, then a label, "
        "e.g. “24 1 day”.",
    )
    intolerable_level = forms.IntegerField(
        min_value=1, help_text="From this level on an impact cannot be tolerated."
    )
    priority_limits = forms.CharField(
        required=False,
        help_text="MTPD limits in hours, rising, separated by commas: “24, 72, 168” makes an "
        "MTPD up to 1 day priority 1, up to 3 days priority 2, up to a week 3, longer 4.",
    )

    @classmethod
    def initial_for(cls, method: BiaMethod) -> dict[str, Any]:
        return {
            "name": method.name,
            "categories": "\n".join(
                f"{c['name']}: {' | '.join(c['levels'])}" for c in method.categories
            ),
            "time_points": "\n".join(f"{p['hours']} {p['label']}" for p in method.time_points),
            "intolerable_level": method.intolerable_level,
            "priority_limits": ", ".join(str(x) for x in method.priority_limits),
        }

    def clean_categories(self) -> list[dict[str, Any]]:
        categories, problems = [], []
        for number, line in enumerate(_lines(self.cleaned_data["categories"]), start=1):
            name, colon, levels = line.partition(":")
            if not colon or not name.strip():
                problems.append(f"Line {number}: write the name, a colon, then the levels.")
                continue
            categories.append(
                {"name": name.strip(), "levels": [x.strip() for x in levels.split("|")]}
            )
        if problems:
            raise forms.ValidationError(problems)
        return categories

    def clean_time_points(self) -> list[dict[str, Any]]:
        points, problems = [], []
        for number, line in enumerate(_lines(self.cleaned_data["time_points"]), start=1):
            match = POINT_LINE.match(line)
            if match is None:
                problems.append(f"Line {number} (“{line}”): start with the hours, e.g. “24 1 day”.")
                continue
            points.append({"hours": int(match["hours"]), "label": match["label"].strip()})
        if problems:
            raise forms.ValidationError(problems)
        return points

    def clean_priority_limits(self) -> list[int]:
        text = self.cleaned_data["priority_limits"] or ""
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not all(p.isdecimal() for p in parts):  # isdigit() lets "²" through
            raise forms.ValidationError("Write whole hours separated by commas.")
        return [int(p) for p in parts]


def impact_form(snapshot: dict[str, Any], grid: dict[str, list[int | None]]) -> type[forms.Form]:
    """A form with one choice per category and time point of the method in `snapshot`."""
    fields: dict[str, forms.Field] = {}
    for category in snapshot.get("categories") or []:
        choices = [("", "—")] + [
            (str(i), f"{i} {label}") for i, label in enumerate(category["levels"], start=1)
        ]
        for index, point in enumerate(snapshot.get("time_points") or []):
            fields[f"{category['key']}__{index}"] = forms.TypedChoiceField(
                label=f"{category['name']} at {point['label']}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )
    return type("ImpactForm", (StyledFormMixin, forms.Form), fields)


def grid_initial(grid: dict[str, list[int | None]]) -> dict[str, Any]:
    return {
        f"{key}__{index}": level
        for key, levels in grid.items()
        for index, level in enumerate(levels)
        if level is not None
    }


def grid_from(cleaned: dict[str, Any], snapshot: dict[str, Any]) -> dict[str, list[int | None]]:
    size = len(snapshot.get("time_points") or [])
    return {
        c["key"]: [cleaned.get(f"{c['key']}__{i}") for i in range(size)]
        for c in snapshot.get("categories") or []
    }


class CompleteExerciseForm(StyledFormMixin, forms.Form):
    actual_date = forms.DateField(
        label="Date it took place",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    objectives_met = forms.ChoiceField(
        label="Objectives", choices=[("", "—"), *Exercise.Met.choices]
    )
    measured_recovery_hours = forms.IntegerField(
        label="Measured recovery time (hours)",
        min_value=0,
        required=False,
        help_text="How long recovery took in the exercise; compared with the RTO.",
    )
    observations = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class CancelExerciseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(max_length=500)
