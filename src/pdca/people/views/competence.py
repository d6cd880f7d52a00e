"""The competence matrix page (and its XLSX), turning its gaps into actions, a training
record's effectiveness evaluation, and launching, closing and reporting awareness campaigns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.core.exceptions import PermissionDenied, ServiceError
from pdca.core.views import file_response, member_required, object_for_page, require_page
from pdca.people.forms import GapActionsForm
from pdca.people.models import AwarenessCampaign, CompetenceRequirement, TrainingRecord
from pdca.people.services import campaigns as campaign_services
from pdca.people.services import reports
from pdca.people.services.competence import Status, competence_matrix, create_gap_actions
from pdca.people.services.records import evaluate_training
from pdca.standards.models import Standard
from pdca.system.models import Process
from pdca.tenancy.models import Membership, Site

if TYPE_CHECKING:
    from pdca.tenancy.middleware import MemberRequest

#: People per page of the matrix (the summary and the XLSX cover everyone).
ROWS_PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _without_page(request: MemberRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _filters(request: MemberRequest) -> tuple[dict, dict]:
    """The matrix filters from the query string: (service keywords, form values)."""
    org = request.organization
    values = {
        k: request.GET.get(k, "").strip()[:100]
        for k in ("site", "team", "role", "process", "standard")
    }
    kwargs: dict = {"team": values["team"], "role": values["role"]}
    if values["site"].isdigit():
        kwargs["site"] = Site.objects.filter(organization=org, pk=values["site"]).first()
    if values["process"].isdigit():
        kwargs["process"] = Process.objects.filter(organization=org, pk=values["process"]).first()
    if values["standard"]:
        kwargs["standard"] = Standard.objects.filter(code=values["standard"]).first()
    return kwargs, values


@member_required
def matrix(request: MemberRequest) -> HttpResponse:
    org = request.organization
    require_page(request, "view", TrainingRecord, organization=org)
    kwargs, values = _filters(request)
    result = competence_matrix(org, **kwargs)
    keeper_form = None
    from pdca.core.permissions import may
    from pdca.people.models import Assignment

    if may(request.user, "add", Assignment, organization=org):
        keeper_form = GapActionsForm(organization=org)
    return render(
        request,
        "people/matrix.html",
        {
            "matrix": result,
            "columns": [
                {"requirement": r, "competent": c, "gaps": g} for r, c, g in result.columns()
            ],
            "values": values,
            "status_counts": [
                (s, result.counts.get(s, 0)) for s in Status if s != Status.NOT_APPLICABLE
            ],
            "page": Paginator(result.rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
            "gaps": [g for g in result.gaps if g.cell.action is None],
            "sites": Site.objects.filter(organization=org),
            "teams": Membership.objects.filter(organization=org)
            .exclude(team="")
            .order_by("team")
            .values_list("team", flat=True)
            .distinct(),
            "processes": Process.objects.filter(organization=org),
            "standards": Standard.objects.filter(
                pk__in=CompetenceRequirement.objects.filter(organization=org).values("standard")
            ),
            "gap_form": keeper_form,
            "gap_owners": keeper_form.owner_choices() if keeper_form else [],
            "query": _without_page(request),
        },
    )


@member_required
def matrix_xlsx(request: MemberRequest) -> HttpResponse:
    org = request.organization
    require_page(request, "view", TrainingRecord, organization=org)
    kwargs, _ = _filters(request)
    data = reports.matrix_xlsx(competence_matrix(org, **kwargs))
    return file_response(data, XLSX, "competence-matrix.xlsx")


@member_required
@require_POST
def gap_actions(request: MemberRequest) -> HttpResponse:
    org = request.organization
    form = GapActionsForm(request.POST, organization=org)
    if not form.is_valid():
        messages.error(request, "Choose who follows the actions up and a due date.")
        return redirect("people:matrix")
    kwargs, _ = _filters(request)
    result = competence_matrix(org, **kwargs)
    try:
        created = create_gap_actions(
            org,
            result.gaps,
            actor=request.user,
            owner=form.cleaned_data["owner"].user,
            due_date=form.cleaned_data["due_date"],
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{len(created)} action{'s' if len(created) != 1 else ''} created for the gaps.",
        )
    return redirect("people:matrix")


@member_required
@require_POST
def record_evaluate(request: MemberRequest, pk: int) -> HttpResponse:
    record = object_for_page(
        request, TrainingRecord.objects.filter(organization=request.organization), pk, "evaluate"
    )
    try:
        evaluate_training(
            record,
            actor=request.user,
            effectiveness=request.POST.get("effectiveness", ""),
            notes=request.POST.get("effectiveness_notes", "")[:5000],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Evaluation recorded.")
    return redirect("people:training-records-detail", pk=record.pk)


def _campaign(request: MemberRequest, pk: int, action: str = "view") -> AwarenessCampaign:
    return object_for_page(
        request, AwarenessCampaign.objects.filter(organization=request.organization), pk, action
    )


@member_required
@require_POST
def campaign_launch(request: MemberRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "change")
    try:
        campaign_services.launch_campaign(campaign, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Launched: the acknowledgements are asked and the path assigned.")
    return redirect("people:awareness-campaigns-detail", pk=pk)


@member_required
@require_POST
def campaign_close(request: MemberRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "change")
    try:
        campaign_services.close_campaign(campaign, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("people:awareness-campaigns-detail", pk=pk)


@member_required
def campaign_report_file(request: MemberRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in ("pdf", "xlsx"):
        raise Http404("The report is a PDF or an XLSX file.")
    campaign = _campaign(request, pk)
    report = campaign_services.campaign_report(campaign)
    if kind == "pdf":
        return file_response(
            reports.campaign_report_pdf(report), "application/pdf", f"awareness-{pk}.pdf"
        )
    return file_response(reports.campaign_report_xlsx(report), XLSX, f"awareness-{pk}.xlsx")
