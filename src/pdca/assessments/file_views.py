"""Files of a gap assessment: the XLSX export, the import page, and the gap report as PDF and
XLSX. The report and the import run as jobs on the task queue: the page queues one and sends
the member to its page, which shows its progress and then the download, the summary, or every
bad cell.

Every member of the organization may have the report made (reading is open to all its roles);
only those who may change items may import (implementers any item, process owners their own).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.assessments import jobs, spreadsheet
from pdca.assessments.models import GapAssessment
from pdca.core.forms import StyledFormMixin
from pdca.core.views import file_response, member_required, scoped_or_404


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="Edited workbook (.xlsx)",
        help_text="The file exported from this assessment, edited and saved as .xlsx; at most "
        f"{spreadsheet.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + spreadsheet.XLSX_CONTENT_TYPE}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheet.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {spreadsheet.MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            )
        return upload


def _assessment(request, pk: int) -> GapAssessment:
    return scoped_or_404(
        GapAssessment.objects.filter(organization=request.organization).select_related(
            "system", "organization"
        ),
        request.user,
        pk=pk,
    )


@member_required
def assessment_export(request, pk: int):
    """The assessment as an editable workbook (`gap-<id>.xlsx`)."""
    assessment = _assessment(request, pk)
    return file_response(
        spreadsheet.export_assessment(assessment),
        spreadsheet.XLSX_CONTENT_TYPE,
        spreadsheet.filename(assessment),
    )


@member_required
def assessment_import(request, pk: int):
    """Upload an edited export: a job checks every cell and saves the changed rows, or lists
    every bad cell and saves nothing; its page follows it."""
    assessment = _assessment(request, pk)
    if not spreadsheet.may_import(request.user, assessment):
        raise DjangoPermissionDenied("Your role may not change assessment items.")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.queue_import(assessment, upload.read(), upload.name, actor=request.user)
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "assessments/import.html", {"assessment": assessment, "form": form})


@require_POST
@member_required
def report_job(request, pk: int, fmt: str):
    """Queue the gap report (PDF or XLSX) and follow it on the job page, which offers the
    download when it is ready."""
    assessment = _assessment(request, pk)
    job = jobs.queue_report(assessment, fmt, actor=request.user)
    return redirect("jobs:detail", pk=job.pk)
