"""The nonconformity analytics page and its XLSX download: the figures of the organization
being worked in, for the roles that see every nonconformity. Thin: the figures come from
`improvement.analytics`."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.urls import reverse

from pdca.core.forms import StyledFormMixin
from pdca.core.views import file_response, member_required, require_page
from pdca.improvement.analytics.charts import charts
from pdca.improvement.analytics.export import XLSX_CONTENT_TYPE, analytics_workbook, filename
from pdca.improvement.analytics.figures import nonconformity_analytics
from pdca.improvement.models import Nonconformity
from pdca.standards.models import Standard


class AnalyticsFilterForm(StyledFormMixin, forms.Form):
    """Reported between two dates (either may stay empty), and linked to one standard."""

    date_from = forms.DateField(
        label="Reported from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="Reported to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    standard = forms.ModelChoiceField(
        queryset=Standard.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label="All standards",
    )

    def clean(self):
        data = super().clean() or self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "Must not be before the start date.")
        return data

    def filters(self) -> dict:
        """The valid filters (none when the form is unbound or wrong)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


def _figures(request):
    org = request.organization
    require_page(request, "view", Nonconformity, organization=org)
    form = AnalyticsFilterForm(request.GET or None)
    filters = form.filters()
    return form, filters, nonconformity_analytics(org, request.user, **filters)


@member_required
def analytics(request):
    """Counts by source, grade, process, requirement and month; recurrences; days to
    closure; first-time effectiveness; each bar linking to the filtered register."""
    form, _, figures = _figures(request)
    query = request.GET.urlencode()
    export_url = reverse("improvement:analytics-export") + (f"?{query}" if query else "")
    return render(
        request,
        "improvement/analytics.html",
        {
            "form": form,
            "figures": figures,
            "export_url": export_url,
            "list_url": reverse("improvement:nonconformities-list"),
            **charts(figures),
        },
    )


@member_required
def analytics_export(request):
    """The same figures as an XLSX workbook, with every nonconformity and its actions."""
    _, _, figures = _figures(request)
    org = request.organization
    return file_response(
        analytics_workbook(org, request.user, figures),
        XLSX_CONTENT_TYPE,
        filename(org, figures.today),
    )
