"""The form of a certificate's status change (one form, the move chosen by `to`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from pdca.certification.models import Certificate, ClientSite
from pdca.certification.services.certificate_transitions import REASON_MAX, moves_from
from pdca.core.forms import StyledFormMixin, field_of

S = Certificate.Status

#: What each target status is called on a button.
MOVE_LABELS = {
    S.SUSPENDED: "Suspend",
    S.ACTIVE: "Restore",
    S.WITHDRAWN: "Withdraw",
    S.SCOPE_REDUCED: "Reduce the scope",
    S.EXPIRED: "Expire",
}


def move_choices(certificate: Certificate) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for move in moves_from(certificate.status):
        seen.setdefault(move.target, MOVE_LABELS[S(move.target)])
    return list(seen.items())


class TransitionForm(StyledFormMixin, forms.Form):
    to = forms.ChoiceField(label="Change to")
    reason = forms.CharField(
        max_length=REASON_MAX,
        widget=forms.TextInput(),
        help_text="Recorded in the certificate's history (not shown publicly).",
    )
    on = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Today when left empty.",
    )
    scope = forms.CharField(
        label="Reduced scope",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Scope reduction only: the scope text that remains.",
    )
    sites = forms.ModelMultipleChoiceField(
        queryset=ClientSite.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Scope reduction only: the sites that remain (leave all unticked to keep "
        "them all).",
    )

    def __init__(self, *args: Any, certificate: Certificate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.certificate = certificate
        field_of(self, "to", forms.ChoiceField).choices = move_choices(certificate)
        field_of(
            self, "sites", forms.ModelMultipleChoiceField
        ).queryset = certificate.sites.order_by("name")
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        reducing = data["to"] == S.SCOPE_REDUCED
        sites = list(data.get("sites") or [])
        return {
            "reason": data["reason"],
            "on": data.get("on"),
            "scope": (data.get("scope") or None) if reducing else None,
            "sites": (sites or None) if reducing else None,
        }
