"""The measurement form. It parses input; the services decide what is allowed (a date before
the objective starts or in the future, a second measurement on the same day, a closed
objective)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from pdca.core.forms import StyledFormMixin
from pdca.system.models import Measurement
from pdca.system.objectives.services import plain


class MeasurementForm(StyledFormMixin, forms.Form):
    measured_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the value was measured (one measurement per day).",
    )
    value = forms.DecimalField(max_digits=14, decimal_places=4)
    note = forms.CharField(
        max_length=300, required=False, help_text="Optional: source, period covered, remarks."
    )

    def __init__(self, *args, unit: str = "", **kwargs) -> None:
        kwargs.setdefault("initial", {"measured_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if unit:
            self.fields["value"].label = f"Value ({unit})"

    @staticmethod
    def initial_for(measurement: Measurement) -> dict:
        return {
            "measured_on": measurement.measured_on,
            "value": plain(measurement.value),
            "note": measurement.note,
        }
