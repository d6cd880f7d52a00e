"""Pages of the stage 1 rehearsal: the systems one may rehearse, a system's rehearsal (run it,
its latest results by grade, the comparison with the run before, the history of runs with a
small trend), one run's page and its PDF, and the rules. Thin: access comes from `selectors`,
the run from `services`, the grouping from `report`.

A member of another organization, and a certification body without an open grant naming the
system, get 404; a member whose role may not read rehearsals gets 403. Each page a
certification body reads under a grant is logged in the client's activity log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.core.exceptions import NotFound, PermissionDenied, ServiceError
from pdca.core.views import file_response, member_required, refuse
from pdca.engagements.models import Rehearsal
from pdca.engagements.rehearsal import selectors, services
from pdca.engagements.rehearsal.charts import trend_chart
from pdca.engagements.rehearsal.pdf import filename, rehearsal_pdf
from pdca.engagements.rehearsal.report import report_for
from pdca.engagements.rehearsal.rules import load_rules

HISTORY = 20


def _system(request: HttpRequest, pk: int) -> selectors.Access:
    try:
        return selectors.system_access(request.user, pk)
    except NotFound:
        raise Http404("No such management system.") from None
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None


def _run(request: HttpRequest, pk: int) -> tuple[Rehearsal, selectors.Access]:
    try:
        return selectors.rehearsal_access(request.user, pk)
    except NotFound:
        raise Http404("No such rehearsal.") from None
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None


@member_required
def systems(request: HttpRequest) -> HttpResponse:
    """The systems the user may rehearse: their organizations' own, and, for a certification
    body, its clients' systems named by an open grant."""
    rows = selectors.rehearsable_systems(request.user)
    return render(request, "engagements/rehearsal/systems.html", {"rows": rows})


@member_required
def system_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A system's rehearsal: run it, the latest run's findings and comparison, the history."""
    access = _system(request, pk)
    runs = list(selectors.runs_of(access)[:HISTORY])
    report = report_for(runs[0]) if runs else None
    services.log_read(access.system, user=request.user, grant=access.grant)
    return render(
        request,
        "engagements/rehearsal/system.html",
        {
            "system": access.system,
            "access": access,
            "runs": runs,
            "report": report,
            "trend": trend_chart(runs[:12]),
        },
    )


@require_POST
@member_required
def run(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the rehearsal now, then show the run."""
    access = _system(request, pk)
    if not access.may_run:
        raise DjangoPermissionDenied("Your role may not run the stage 1 rehearsal.")
    try:
        rehearsal = services.run_rehearsal(access.system, actor=request.user)
    except ServiceError as exc:
        refuse(request, exc)
        return redirect("engagements:rehearsal-system", pk=pk)
    messages.success(
        request,
        f"Rehearsal run: {rehearsal.majors} major and {rehearsal.minors} minor findings "
        f"predicted ({rehearsal.rules_passed} of {rehearsal.rules_run} rules passed).",
    )
    return redirect("engagements:rehearsal-detail", pk=rehearsal.pk)


@member_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: its findings by grade and the comparison with the run before it."""
    rehearsal, access = _run(request, pk)
    report = report_for(rehearsal)
    services.log_read(rehearsal, user=request.user, grant=access.grant)
    latest = selectors.runs_of(access).values_list("pk", flat=True).first()
    return render(
        request,
        "engagements/rehearsal/detail.html",
        {
            "system": rehearsal.system,
            "access": access,
            "report": report,
            "latest": latest == rehearsal.pk,
        },
    )


@member_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """One run as an A4 PDF."""
    rehearsal, access = _run(request, pk)
    content = rehearsal_pdf(rehearsal, base_url=request.build_absolute_uri("/").rstrip("/"))
    services.log_read(rehearsal, user=request.user, grant=access.grant, download=True)
    return file_response(content, "application/pdf", filename(rehearsal))


@member_required
def rules(request: HttpRequest) -> HttpResponse:
    """The rules the rehearsal runs, as data."""
    ruleset = load_rules()
    return render(
        request,
        "engagements/rehearsal/rules.html",
        {"rules": ruleset.rules, "digest": ruleset.digest},
    )
