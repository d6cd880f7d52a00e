"""Pages of improvement opportunities besides their register: promoting one to a corrective
action (a POST from the opportunity's page). Thin: the rules are in
`pdca.improvement.opportunities.services`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path

from pdca.core.exceptions import ServiceError
from pdca.core.forms import field_of
from pdca.core.registers.choices import choices_for
from pdca.core.views import member_required, object_for_page, refuse
from pdca.improvement.models import ImprovementOpportunity, Nonconformity
from pdca.improvement.opportunities import services

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.middleware import MemberRequest


class PromoteForm(forms.Form):
    """The choices made when promoting: the nonconformity's severity and owner."""

    severity = forms.ChoiceField(
        label="Severity",
        choices=[("", "Not graded yet"), *Nonconformity.Severity.choices],
        required=False,
    )
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label="Owner", queryset=None, required=False
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        from pdca.improvement.registers import NONCONFORMITIES

        super().__init__(*args, **kwargs)
        field_of(self, "owner", forms.ModelChoiceField).queryset = choices_for(
            NONCONFORMITIES, "owner", organization
        )


@member_required
def opportunity_promote(request: MemberRequest, pk: int) -> HttpResponse:
    """Promote the opportunity (POST) and go to the nonconformity it opened; a refusal is
    shown on the opportunity's page."""
    opportunity = object_for_page(
        request,
        ImprovementOpportunity.objects.filter(organization=request.organization),
        pk,
        "promote",
    )
    back = redirect("improvement:opportunities-detail", pk=opportunity.pk)
    if request.method != "POST":
        return back
    form = PromoteForm(request.POST, organization=opportunity.organization)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(map(str, errors))}")
        return back
    try:
        nonconformity = services.promote_opportunity(
            opportunity,
            actor=request.user,
            severity=form.cleaned_data["severity"],
            owner=form.cleaned_data["owner"],
        )
    except ServiceError as exc:
        refuse(request, exc)
        return back
    messages.success(
        request, f"{opportunity} promoted: nonconformity “{nonconformity}” opened from it."
    )
    return redirect("improvement:nonconformities-detail", pk=nonconformity.pk)


urlpatterns = [
    path(
        "opportunities/<int:pk>/promote/",
        opportunity_promote,
        name="opportunity-promote",
    ),
]
