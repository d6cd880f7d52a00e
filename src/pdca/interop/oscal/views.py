"""The OSCAL page: what the signed-in person may export (every standard's catalog, their
organization's gap assessments and audits, its plan of action and milestones), as downloads,
and for platform administrators the import of a catalog or profile with its result page."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.permissions import may
from pdca.improvement.models import Nonconformity
from pdca.interop.oscal import selectors, services
from pdca.interop.oscal.assessment_results import (
    assessment_results_for_assessment,
    assessment_results_for_audit,
)
from pdca.interop.oscal.catalog import catalog_document
from pdca.interop.oscal.common import filename
from pdca.interop.oscal.poam import poam_document
from pdca.standards.models import Standard


def _render(request: HttpRequest, name: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, f"interop/{name}", context, status=status)


def _download(document: dict, name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _may_plan(request) -> bool:
    org = getattr(request, "organization", None)
    return org is not None and may(request.user, "view", Nonconformity, organization=org)


def _context(request) -> dict:
    org = getattr(request, "organization", None)
    context: dict = {
        "standards": Standard.objects.order_by("name", "edition"),
        "organization": org,
        "may_import": request.user.is_superuser,
        "max_mb": services.MAX_BYTES // (1024 * 1024),
    }
    if org is not None:
        context["assessments"] = (
            selectors.visible_assessments(request.user)
            .filter(organization=org)
            .order_by("-started_on", "-pk")
        )
        context["audits"] = (
            selectors.visible_audits(request.user)
            .filter(organization=org)
            .order_by("-start_date", "-pk")
        )
        if _may_plan(request):
            context["may_plan"] = True
            context["open_count"] = selectors.plan_nonconformities(request.user, org).count()
    return context


@login_required
def oscal_home(request):
    """The exports the person may download, and the import form for administrators."""
    return _render(request, "oscal.html", _context(request))


@login_required
def catalog_download(request, code: str):
    standard = selectors.standard_by_code(code)
    return _download(catalog_document(standard), filename("catalog", standard.code))


@login_required
def assessment_download(request, assessment_id: int):
    assessment = selectors.assessment_for(request.user, assessment_id)
    name = filename("assessment-results", f"assessment-{assessment.pk}")
    return _download(assessment_results_for_assessment(assessment), name)


@login_required
def audit_download(request, audit_id: int):
    audit = selectors.audit_for(request.user, audit_id)
    name = filename("assessment-results", f"audit-{audit.reference or audit.pk}")
    return _download(assessment_results_for_audit(audit, viewer=request.user), name)


@login_required
def poam_download(request):
    """The plan of the organization the person works in (404 without one, or without the
    right to read its nonconformities)."""
    if not _may_plan(request):
        raise Http404("No such object.")
    org = request.organization
    rows = selectors.plan_nonconformities(request.user, org)
    return _download(poam_document(org, rows), filename("poam", org.slug))


@login_required
@require_POST
def import_catalog(request):
    """Import an uploaded catalog or profile (administrators only): the result page, or the
    OSCAL page again with the problem named."""
    if not request.user.is_superuser:
        raise DjangoPermissionDenied("Only platform administrators import catalogs.")
    upload = request.FILES.get("file")
    second = request.FILES.get("catalog")
    code = request.POST.get("code", "").strip() or None
    errors: list[str] = []
    if upload is None:
        errors.append("file: choose an OSCAL catalog or profile (JSON).")
    else:
        try:
            for part, field_name in ((upload, "file"), (second, "catalog")):
                if part is not None and part.size > services.MAX_BYTES:
                    raise ValidationFailed.single(field_name, "The file is larger than 5 MB.")
            result = services.import_oscal_catalog(
                upload.read(),
                name=upload.name or "oscal.json",
                actor=request.user,
                code=code[:60] if code else None,
                catalog=second.read() if second is not None else None,
                catalog_name=second.name if second is not None else "",
            )
        except ValidationFailed as exc:
            errors += [f"{e.field}: {e.message}" if e.field else e.message for e in exc.errors]
        except ServiceError as exc:
            errors.append(exc.message)
    if errors:
        context = _context(request) | {"errors": errors, "code": code or ""}
        return _render(request, "oscal.html", context, status=422)
    requirements = result.standard.requirements.select_related("group").order_by("sort_key")
    return _render(
        request,
        "import_result.html",
        {"result": result, "standard": result.standard, "requirements": requirements},
        status=201,
    )
