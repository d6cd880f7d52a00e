"""Files of a gap assessment: the XLSX export, the import page, and the gap report as PDF and
XLSX.

Every member of the organization may download them (reading is open to all its roles); only
those who may change items may import (implementers any item, process owners their own).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from pdca.assessments import report, spreadsheet
from pdca.assessments.models import GapAssessment
from pdca.core.forms import StyledFormMixin
from pdca.core.views import file_response, member_required, run_import, scoped_or_404


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
    """Upload an edited export: every bad cell is listed and nothing is saved, or the changed
    rows are saved and the page says how many."""
    assessment = _assessment(request, pk)
    if not spreadsheet.may_import(request.user, assessment):
        raise DjangoPermissionDenied("Your role may not change assessment items.")
    form = ImportForm(request.POST or None, request.FILES or None)
    cell_errors: list = []
    if request.method == "POST" and form.is_valid():
        summary, cell_errors = run_import(
            form, lambda data: spreadsheet.import_assessment(assessment, data, actor=request.user)
        )
        if summary is not None:
            messages.success(request, f"Imported: {summary}")
            return redirect(reverse("assessments:assessment_import", args=[assessment.pk]))
    return render(
        request,
        "assessments/import.html",
        {"assessment": assessment, "form": form, "cell_errors": cell_errors},
    )


@member_required
def report_pdf(request, pk: int):
    """The gap report as PDF, shown in the browser."""
    assessment = _assessment(request, pk)
    return file_response(
        report.report_pdf(assessment),
        report.PDF_CONTENT_TYPE,
        report.filename(assessment, "pdf"),
        inline=True,
    )


@member_required
def report_xlsx(request, pk: int):
    """The gap report as a workbook: Summary, Clauses, Items, Plan."""
    assessment = _assessment(request, pk)
    return file_response(
        report.report_xlsx(assessment),
        spreadsheet.XLSX_CONTENT_TYPE,
        report.filename(assessment, "xlsx"),
    )
