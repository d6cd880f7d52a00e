"""API of a Statement of Applicability's slow work: its PDF (the draft or an approved version)
and the import of an edited workbook are queued as jobs. Each endpoint answers 202 Accepted
with the job and its address in `Location`; poll `GET /api/v1/jobs/{id}/` until it has
succeeded (the PDF is then at its `links.result`) or failed (`errors` names every bad cell;
nothing was imported)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Router
from ninja.files import UploadedFile
from pydantic import Field

from pdca.core.api import Input
from pdca.core.exceptions import ValidationFailed
from pdca.core.jobs.api import ACCEPTED, ACCEPTED_EXTRA, accepted
from pdca.core.permissions import scope
from pdca.core.xlsx import MAX_UPLOAD_BYTES
from pdca.risks.models import SoaVersion, StatementOfApplicability
from pdca.risks.soa import jobs

router = Router(tags=["soa"])


class PdfJobIn(Input):
    version: int | None = Field(
        None, ge=1, description="An approved version's number; the live draft when omitted"
    )


def _soa(request, soa_id: int) -> StatementOfApplicability:
    soas: QuerySet[StatementOfApplicability] = scope(
        StatementOfApplicability.objects.select_related("organization", "system"), request.auth
    )
    return get_object_or_404(soas, pk=soa_id)


@router.post("/soa/{soa_id}/pdf/jobs/", response=ACCEPTED, openapi_extra=ACCEPTED_EXTRA)
def queue_soa_pdf(request, response: HttpResponse, soa_id: int, payload: PdfJobIn):
    """Queue the PDF of the draft, or of an approved version (every member may; the same PDF
    asked for again while it is being made is the same job)."""
    soa = _soa(request, soa_id)
    version: SoaVersion | None = None
    if payload.version is not None:
        version = soa.versions.filter(number=payload.version).first()
        if version is None:
            raise Http404(f"{soa.title} has no version {payload.version}.")
    return accepted(response, jobs.queue_pdf(soa, version, actor=request.auth))


@router.post("/soa/{soa_id}/import/jobs/", response=ACCEPTED, openapi_extra=ACCEPTED_EXTRA)
def queue_soa_import(request, response: HttpResponse, soa_id: int, file: File[UploadedFile]):
    """Queue the import of an edited export (multipart: `file`): every changed line, or
    nothing with every bad cell named as `Lines!E12` on the job. Implementers change any line,
    process owners their own; other roles are refused (403)."""
    soa = _soa(request, soa_id)
    if file.size and file.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed.single(
            "file", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
        )
    job = jobs.queue_import(soa, file.read(), file.name or "", actor=request.auth)
    return accepted(response, job)
