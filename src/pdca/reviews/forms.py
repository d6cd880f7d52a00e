"""Forms of the review steps beyond the registers."""

from __future__ import annotations

from django import forms

from pdca.core.forms import StyledFormMixin
from pdca.reviews.services import MAX_ASSESSMENT


class AssessmentForm(StyledFormMixin, forms.Form):
    assessment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_ASSESSMENT,
        help_text="Top management's reading of these figures: what they mean, what to do",
    )


class TransitionForm(StyledFormMixin, forms.Form):
    to = forms.ChoiceField(
        choices=[("held", "Held"), ("approved", "Approved"), ("cancelled", "Cancelled")]
    )
    reason = forms.CharField(required=False, max_length=500)


class CloseOutputForm(StyledFormMixin, forms.Form):
    to = forms.ChoiceField(choices=[("done", "Done"), ("cancelled", "Cancelled")])
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_ASSESSMENT,
        help_text="What was done, or why it is cancelled",
    )


class IntervalForm(StyledFormMixin, forms.Form):
    interval_months = forms.IntegerField(
        min_value=1, max_value=36, help_text="Months between two management reviews"
    )
