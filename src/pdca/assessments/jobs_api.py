"""API of a gap assessment's slow work: the gap report and the import of an edited workbook
are queued as jobs. Each endpoint answers 202 Accepted with the job and its address in
`Location`; poll `GET /api/v1/jobs/{id}/` until it has succeeded (the report is then at its
`links.result`) or failed (`errors` lists every bad cell; nothing was imported)."""

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Router
from ninja.files import UploadedFile
from pydantic import Field

from pdca.assessments import jobs, spreadsheet
from pdca.assessments.models import GapAssessment
from pdca.core.api import Input
from pdca.core.exceptions import ValidationFailed
from pdca.core.jobs.api import ACCEPTED, ACCEPTED_EXTRA, accepted
from pdca.core.permissions import scope

router = Router(tags=["assessments"])


class ReportJobIn(Input):
    format: Literal["pdf", "xlsx"] = Field("pdf", description="pdf or xlsx")


def _assessment(request, assessment_id: int) -> GapAssessment:
    assessments: QuerySet[GapAssessment] = scope(
        GapAssessment.objects.select_related("organization", "system"), request.auth
    )
    return get_object_or_404(assessments, pk=assessment_id)


@router.post(
    "/assessments/{assessment_id}/report/jobs/",
    response=ACCEPTED,
    openapi_extra=ACCEPTED_EXTRA,
)
def queue_gap_report(request, response: HttpResponse, assessment_id: int, payload: ReportJobIn):
    """Queue the gap report as PDF or XLSX (every member may; the same report asked for again
    while it is being made is the same job)."""
    assessment = _assessment(request, assessment_id)
    return accepted(response, jobs.queue_report(assessment, payload.format, actor=request.auth))


@router.post(
    "/assessments/{assessment_id}/import/jobs/",
    response=ACCEPTED,
    openapi_extra=ACCEPTED_EXTRA,
)
def queue_gap_import(request, response: HttpResponse, assessment_id: int, file: File[UploadedFile]):
    """Queue the import of an edited export (multipart: `file`): all of it, or nothing with
    every bad cell named as `Items!E12` on the job. Implementers change any item, process
    owners their own; other roles are refused (403)."""
    assessment = _assessment(request, assessment_id)
    if file.size and file.size > spreadsheet.MAX_UPLOAD_BYTES:
        raise ValidationFailed.single(
            "file",
            f"The file is larger than {spreadsheet.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        )
    job = jobs.queue_import(assessment, file.read(), file.name or "", actor=request.auth)
    return accepted(response, job)
