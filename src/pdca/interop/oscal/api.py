"""The OSCAL API: a standard's catalog, a gap assessment's or an audit's assessment results,
the organization's plan of action and milestones, and the import of a catalog or profile as
a custom standard (platform administrators only). Thin endpoints over the exports and
`services.import_oscal_catalog`."""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from pdca.core.api import ERRORS, Id, Input, Text, organization_for, responses
from pdca.improvement.models import Nonconformity
from pdca.interop.oscal import selectors, services
from pdca.interop.oscal.assessment_results import (
    assessment_results_for_assessment,
    assessment_results_for_audit,
)
from pdca.interop.oscal.catalog import catalog_document
from pdca.interop.oscal.poam import poam_document

router = Router(tags=["oscal"])

DOC = "The OSCAL document (JSON, OSCAL 1.2.1); its one key is the model's root (see docs/oscal.md)."


class OscalCatalogOut(Schema):
    catalog: dict[str, Any] = Field(description=DOC)


class OscalAssessmentResultsOut(Schema):
    assessment_results: dict[str, Any] = Field(alias="assessment-results", description=DOC)


class OscalPoamOut(Schema):
    plan_of_action_and_milestones: dict[str, Any] = Field(
        alias="plan-of-action-and-milestones", description=DOC
    )


class OscalPoamFilter(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed when you belong to several)"
    )
    system: Id | None = Field(
        None, description="Management system id: only nonconformities against its standards"
    )


class OscalImportOut(Schema):
    standard: str = Field(description="The new standard's code")
    name: str
    title: str
    kind: str = Field(description="What was imported: catalog or profile")
    requirements: int
    groups: int
    warnings: list[str]


class OscalImportJson(Input):
    document: dict[str, Any] = Field(description="The OSCAL catalog or profile document")
    catalog: dict[str, Any] | None = Field(
        None, description="The catalog a profile imports, when it is not a stored standard"
    )
    code: Text | None = Field(
        None, min_length=3, max_length=60, description="Default: oscal-<slug of the title>"
    )


def _json(document: dict) -> HttpResponse:
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type="application/json")


def _imported(result: services.ImportResult) -> Status:
    standard = result.standard
    return Status(
        201,
        {
            "standard": standard.code,
            "name": standard.name,
            "title": standard.title,
            "kind": result.kind,
            "requirements": result.requirements,
            "groups": result.groups,
            "warnings": result.warnings,
        },
    )


@router.get("/oscal/catalogs/{standard_code}/", response=responses(OscalCatalogOut))
def oscal_catalog(request, standard_code: str):
    """A standard as an OSCAL catalog: groups, controls (nested sub-clauses), numbers as the
    `label` prop, our summaries as the `statement` part. Any signed-in user."""
    return _json(catalog_document(selectors.standard_by_code(standard_code)))


@router.get(
    "/oscal/assessments/{assessment_id}/assessment-results/",
    response=responses(OscalAssessmentResultsOut),
    by_alias=True,  # the document's root key is "assessment-results", as OSCAL names it
)
def oscal_assessment_results(request, assessment_id: int):
    """A gap assessment as OSCAL assessment results (whoever may read the assessment)."""
    assessment = selectors.assessment_for(request.auth, assessment_id)
    return _json(assessment_results_for_assessment(assessment))


@router.get(
    "/oscal/audits/{audit_id}/assessment-results/",
    response=responses(OscalAssessmentResultsOut),
    by_alias=True,  # the document's root key is "assessment-results", as OSCAL names it
)
def oscal_audit_results(request, audit_id: int):
    """An audit and its findings as OSCAL assessment results (whoever may read the audit)."""
    audit = selectors.audit_for(request.auth, audit_id)
    return _json(assessment_results_for_audit(audit, viewer=request.auth))


@router.get("/oscal/poam/", response=responses(OscalPoamOut), by_alias=True)
def oscal_poam(request, filters: Query[OscalPoamFilter]):
    """The organization's open nonconformities and their corrective actions as an OSCAL plan
    of action and milestones (the ones the caller may read; closed ones are left out)."""
    org = organization_for(request.auth, filters.organization, may_view=Nonconformity)
    rows = selectors.plan_nonconformities(request.auth, org, filters.system)
    return _json(poam_document(org, rows))


@router.post("/oscal/import/", response={201: OscalImportOut, **ERRORS})
def oscal_import(
    request,
    file: File[UploadedFile],
    catalog: Annotated[UploadedFile | None, File()] = None,
    code: Annotated[str | None, Form(min_length=3, max_length=60)] = None,
):
    """Import an OSCAL catalog, or a profile (with the catalog it imports as `catalog`, unless
    that is a stored standard), as a custom standard (multipart). Platform administrators
    only; all or nothing; files up to 5 MB."""
    result = services.import_oscal_catalog(
        _read(file, "file"),
        name=file.name or "oscal.json",
        actor=request.auth,
        code=code,
        catalog=_read(catalog, "catalog") if catalog is not None else None,
        catalog_name=(catalog.name or "catalog.json") if catalog is not None else "",
    )
    return _imported(result)


@router.post("/oscal/import/json/", response={201: OscalImportOut, **ERRORS})
def oscal_import_json(request, payload: OscalImportJson):
    """The same import, with the documents in a JSON body."""
    result = services.import_oscal_catalog(
        json.dumps(payload.document).encode(),
        name="document.json",
        actor=request.auth,
        code=payload.code,
        catalog=json.dumps(payload.catalog).encode() if payload.catalog is not None else None,
    )
    return _imported(result)


def _read(upload: UploadedFile, field_name: str) -> bytes:
    from pdca.core.exceptions import ValidationFailed

    if upload.size and upload.size > services.MAX_BYTES:
        raise ValidationFailed.single(field_name, "The file is larger than 5 MB.")
    return upload.read()
