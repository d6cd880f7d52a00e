"""Forms of the gap-assessment pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from pdca.accounts.models import User
from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.forms import StyledFormMixin, field_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def members_of(organization):
    """Active members of the organization, the people an item can be assigned to."""
    return (
        User.objects.filter(memberships__organization=organization, is_active=True)
        .order_by("full_name", "email")
        .distinct()
    )


class AssessmentCreateForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    started_on = forms.DateField(label="Started on", widget=DATE)
    copy_from = forms.ModelChoiceField(
        queryset=GapAssessment.objects.none(),
        required=False,
        label="Start as a copy of",
        empty_label="Nothing: start afresh",
        help_text="Statuses, owners, dates, notes and evidence carry over from the chosen one.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        earlier = GapAssessment.objects.filter(system=system).order_by("-started_on", "-id")
        field_of(self, "copy_from", forms.ModelChoiceField).queryset = earlier
        today = timezone.localdate()
        self.fields["title"].initial = f"{system.name}: gap assessment {today:%B %Y}"
        self.fields["started_on"].initial = today
        latest = earlier.first()
        if latest is not None:
            self.fields["copy_from"].initial = latest.pk


class AssessmentEditForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    started_on = forms.DateField(label="Started on", widget=DATE)
    status = forms.ChoiceField(choices=GapAssessment.Status.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ItemForm(StyledFormMixin, forms.Form):
    """One item's values. Only the fields present in the input are changed, so a table row
    that shows no owner select leaves the owner alone; an owner sent by someone who may not
    reassign reaches the service, which refuses it with a reason."""

    status = forms.ChoiceField(choices=GapItem.Status.choices)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="— nobody —"
    )
    target_date = forms.DateField(label="Target date", required=False, widget=DATE)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    justification = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why it does not apply (needed when the status is not applicable).",
    )
    evidence = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="References or URLs, one per line.",
    )

    def __init__(self, *args, organization, may_reassign: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field_of(self, "owner", forms.ModelChoiceField).queryset = members_of(organization)
        if not may_reassign:
            self.fields["owner"].help_text = "Only implementers may reassign an item."

    def changes(self) -> dict:
        """The cleaned values of the fields the input carried."""
        return {name: value for name, value in self.cleaned_data.items() if name in self.data}


class BulkForm(StyledFormMixin, forms.Form):
    """The bulk bar: what to set on the selected items (blank = leave as it is)."""

    NOBODY = "none"

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    set_status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Status: keep"), *GapItem.Status.choices]
    )
    set_owner = forms.ChoiceField(label="Owner", required=False)
    set_target_date = forms.DateField(label="Target date", required=False, widget=DATE)
    set_justification = forms.CharField(label="Justification", required=False, max_length=2000)

    def __init__(self, *args, item_ids, members, **kwargs):
        super().__init__(*args, **kwargs)
        field_of(self, "ids", forms.ChoiceField).choices = [(pk, pk) for pk in item_ids]
        field_of(self, "set_owner", forms.ChoiceField).choices = [
            ("", "Owner: keep"),
            (self.NOBODY, "— nobody —"),
        ] + [(str(u.pk), u.get_full_name()) for u in members]
        self.members = {str(u.pk): u for u in members}

    def clean(self):
        data = super().clean() or self.cleaned_data
        if not data.get("ids"):
            raise forms.ValidationError("Select the items to change first.")
        if not self.values():
            raise forms.ValidationError("Choose a status, an owner or a target date to set.")
        return data

    def values(self) -> dict:
        """The fields to set on every selected item."""
        data = self.cleaned_data
        values: dict = {}
        if data.get("set_status"):
            values["status"] = data["set_status"]
        owner = data.get("set_owner")
        if owner == self.NOBODY:
            values["owner"] = None
        elif owner:
            values["owner"] = self.members[owner]
        if data.get("set_target_date"):
            values["target_date"] = data["set_target_date"]
        if data.get("set_justification"):
            values["justification"] = data["set_justification"]
        return values
