"""The internal auditors page: who is qualified for which standard and on what basis, and
recording the qualification the records support."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pdca.audits.qualification import (
    REQUIRED_AUDITS,
    grant_internal_auditor,
    organization_standards,
    standings,
)
from pdca.core.exceptions import PermissionDenied, ServiceError
from pdca.core.permissions import may
from pdca.core.views import member_required, require_page
from pdca.people.models import Qualification, TrainingRecord
from pdca.standards.models import Standard
from pdca.tenancy.models import Membership


@member_required
def auditors(request):
    org = request.organization
    require_page(request, "view", TrainingRecord, organization=org)
    standards = organization_standards(org)
    rows = [
        {"person": person, "standings": list(group)}
        for person, group in groupby(standings(org, standards=standards), key=lambda s: s.person)
    ]
    return render(
        request,
        "audits/auditors.html",
        {
            "rows": rows,
            "standards": standards,
            "required": REQUIRED_AUDITS,
            "may_grant": may(request.user, "add", Qualification, organization=org),
        },
    )


@member_required
@require_POST
def auditor_grant(request, user_id: int, standard_id: int):
    org = request.organization
    membership = get_object_or_404(Membership, organization=org, user_id=user_id)
    standard = get_object_or_404(Standard, pk=standard_id)
    try:
        grant_internal_auditor(org, membership.user, standard, actor=request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Qualification recorded for {membership.user} ({standard.code})."
        )
    return redirect("audits:auditors")
