"""The records page: retention periods per record type, and archived records past them."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from pdca.core.exceptions import ServiceError
from pdca.core.models import RetentionPeriod
from pdca.core.permissions import may
from pdca.core.records.retention import retention_table, set_retention
from pdca.core.registers.archive import disposal_due
from pdca.core.registers.spec import all_specs
from pdca.core.views import member_required, require_page


@member_required
def records(request):
    org = request.organization
    require_page(request, "view", RetentionPeriod, organization=org)
    can_change = may(request.user, "change", RetentionPeriod, organization=org)
    errors: dict[str, str] = {}
    if request.method == "POST":
        require_page(request, "change", RetentionPeriod, organization=org)
        record_type = request.POST.get("record_type", "")
        raw = request.POST.get("years", "").strip()
        try:
            years = int(raw)
        except ValueError:
            errors[record_type] = "Give a whole number of years."
        else:
            try:
                line = set_retention(org, record_type, years, actor=request.user)
            except ServiceError as exc:
                errors[record_type] = exc.message
            else:
                messages.success(request, f"{line.label}: kept {line.years} years once archived.")
                return redirect("web:records")
    due = [
        {
            "spec": spec,
            "object": obj,
            "date": day,
            "url": reverse(spec.url_name("detail"), args=[obj.pk]),
        }
        for spec in all_specs()
        for obj, day in disposal_due(spec, org)
    ]
    return render(
        request,
        "web/records.html",
        {
            "lines": retention_table(org),
            "errors": errors,
            "can_change": can_change,
            "due": due,
        },
        status=422 if errors else 200,
    )
