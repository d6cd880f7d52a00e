"""API of records management: retention periods, and the archived records due for disposal."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from pydantic import Field

from pdca.core.api import Input, Text, organization_for, responses
from pdca.core.models import RetentionPeriod
from pdca.core.records.retention import MAX_YEARS, retention_table, set_retention
from pdca.core.records.rules import DEFAULT_RETENTION_YEARS

router = Router(tags=["records"])


class RetentionOut(Schema):
    record_type: str
    label: str
    years: int
    default_years: int


class RetentionIn(Input):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    years: int = Field(..., ge=1, le=MAX_YEARS, description="Years archived records are kept")


class DueOut(Schema):
    register_slug: str = Field(..., description="The register, e.g. nonconformities")
    id: int
    label: str
    archived_at: dt.datetime
    archive_reason: str
    disposal_date: dt.date


@router.get("/retention/", response=responses(list[RetentionOut]), operation_id="list_retention")
def list_retention(request, organization: str | None = None):
    """How many years each type of archived record is kept before it may be disposed of."""
    org = organization_for(request.auth, organization, may_view=RetentionPeriod)
    return retention_table(org)


@router.put(
    "/retention/{record_type}/",
    response=responses(RetentionOut),
    operation_id="set_retention",
)
def put_retention(request, record_type: str, payload: RetentionIn):
    """Set the retention period of one record type (one of the types `list_retention` gives)."""
    org = organization_for(request.auth, payload.organization, may_view=RetentionPeriod)
    if record_type not in DEFAULT_RETENTION_YEARS:
        from django.http import Http404

        raise Http404("No such record type.")
    return set_retention(org, record_type, payload.years, actor=request.auth)


@router.get("/records/due/", response=responses(list[DueOut]), operation_id="list_disposal_due")
def list_due(request, organization: str | None = None):
    """Archived records whose retention period is over: they may now be disposed of."""
    from pdca.core.registers.archive import disposal_due
    from pdca.core.registers.spec import all_specs

    org = organization_for(request.auth, organization, may_view=RetentionPeriod)
    rows = []
    for spec in all_specs():
        for obj, due in disposal_due(spec, org):
            rows.append(
                {
                    "register_slug": spec.slug,
                    "id": obj.pk,
                    "label": str(obj),
                    "archived_at": obj.archived_at,
                    "archive_reason": obj.archive_reason,
                    "disposal_date": due,
                }
            )
    return rows
