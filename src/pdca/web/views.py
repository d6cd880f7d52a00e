"""The home page of each role (its sections are built in `pdca.web.home`), the activity log
page, and the health check."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pdca import __version__
from pdca.core.activity_display import type_label
from pdca.core.models import ActivityEntry
from pdca.core.permissions import may
from pdca.core.roles import Role
from pdca.core.selectors import activity_for
from pdca.core.views import member_required, paginate
from pdca.web.home.roles import sections_for, shortcuts

#: What each role is for, in a sentence, shown on the home page.
ROLE_GUIDE: dict[str, str] = {
    Role.ADMIN: "You administer this organization: its profile, sites and members.",
    Role.TOP_MANAGEMENT: "You set policy and objectives, approve, and chair the management review.",
    Role.SYSTEM_MANAGER: "You run the management system: scope, context, risks, documents, "
    "audits and corrective actions.",
    Role.CONSULTANT: "You help build and run the management system with a system manager's rights.",
    Role.PROCESS_OWNER: "You keep your processes, risks, objectives and actions current.",
    Role.INTERNAL_AUDITOR: "You plan and conduct internal audits, never of your own area.",
    Role.EMPLOYEE: "You read and acknowledge documents, report problems and see your training.",
    Role.CB_MANAGER: "You manage clients, applications, audit time, auditors and certificates.",
    Role.LEAD_AUDITOR: "You lead certification audits and write their reports.",
    Role.AUDITOR: "You conduct certification audits and verify corrective actions.",
    Role.TECHNICAL_EXPERT: "You bring technical knowledge to audit teams.",
    Role.CERTIFICATION_DECISION_MAKER: "You take independent certification decisions.",
}


#: The certification body's pages the home page leads to: (label, what it holds, url name,
#: "app_label.model" whose view permission it needs). A page another part has not built yet is
#: left out rather than linked.
CB_PAGES = (
    (
        "Clients",
        "clients, their sites and applications",
        "certification:clients-list",
        "certification.client",
    ),
    (
        "Applications",
        "contract review and audit time",
        "certification:applications-list",
        "certification.application",
    ),
    (
        "Programme",
        "cycles and the audits due",
        "certification:calendar",
        "certification.cycleaudit",
    ),
    (
        "Auditors",
        "the auditor pool and team selection",
        "certification:auditor-list",
        "certification.cycleaudit",
    ),
    (
        "Certificates",
        "issued, suspended, withdrawn",
        "certification:certificate-list",
        "certification.certificate",
    ),
    (
        "Profile",
        "accreditation and certificate look",
        "certification:profile",
        "certification.certificationbodyprofile",
    ),
)


def cb_links(user, organization) -> list[dict[str, str]]:
    """The certification body's pages this member may open (none outside a body)."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    from pdca.tenancy.models import Organization

    if organization.kind != Organization.Kind.CERTIFICATION_BODY:
        return []
    links = []
    for label, text, url_name, model in CB_PAGES:
        if not may(user, "view", apps.get_model(model), organization=organization):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        links.append({"label": label, "text": text, "url": url})
    return links


@member_required
def home(request):
    """What the person has to do next in this organization, by role, overdue first; each
    item links to where it is done (`pdca.web.home`)."""
    org = request.organization
    today = timezone.localdate()
    sections = sections_for(request.user, org, request.role, today)
    tasks = [s for s in sections if not s.info]
    return render(
        request,
        "web/home.html",
        {
            "role_guide": ROLE_GUIDE.get(request.role, ""),
            "cb_links": cb_links(request.user, org),
            # Not "sections": the layout regroups the menu under that name.
            "home_sections": sections,
            "shortcuts": shortcuts(request.user, org, request.role),
            "task_count": sum(len(s.items) + s.more for s in tasks),
            "overdue_count": sum(s.overdue for s in tasks),
        },
    )


@member_required
def activity(request):
    entries = activity_for(request.user).filter(organization=request.organization)
    filters = {
        "action": request.GET.get("action", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
    }
    if filters["action"]:
        entries = entries.filter(action=filters["action"])
    if filters["object_type"]:
        entries = entries.filter(object_type=filters["object_type"])
    if filters["actor"]:
        entries = entries.filter(actor_label__icontains=filters["actor"])
    if not may(request.user, "view", ActivityEntry, organization=request.organization):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Your role may not read the activity log.")
    return render(
        request,
        "web/activity.html",
        {
            "page": paginate(request, entries),
            "filters": filters,
            # One option per type (without order_by(), the entries' ordering column joins the
            # DISTINCT and every entry came back), named as people name it.
            "object_types": sorted(
                (
                    (value, type_label(value))
                    for value in ActivityEntry.objects.filter(organization=request.organization)
                    .order_by()
                    .values_list("object_type", flat=True)
                    .distinct()
                ),
                key=lambda pair: pair[1],
            ),
        },
    )


@require_GET
@never_cache
def healthz(request):
    """Liveness and database status, for load balancers and monitoring."""
    started = dt.datetime.now(dt.UTC)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"status": "ok", "vendor": connection.vendor}
        status = 200
    except Exception as exc:  # any database failure must become a 503, not a 500
        database = {"status": "error", "vendor": connection.vendor, "error": exc.__class__.__name__}
        status = 503
    elapsed_ms = round((dt.datetime.now(dt.UTC) - started).total_seconds() * 1000, 1)
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "error",
            "version": __version__,
            "database": {**database, "latency_ms": elapsed_ms},
        },
        status=status,
    )
