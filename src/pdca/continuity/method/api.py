"""API of the BIA method (one per organization: GET, PUT with If-Match)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Query, Router, Schema
from pydantic import Field

from pdca.continuity.method import services as method_services
from pdca.continuity.method.services import MAX_LABEL
from pdca.continuity.models import BiaMethod
from pdca.core.api import Input, Text, omitted, organization_for, responses
from pdca.core.concurrency import announce

router = Router()


class CategoryOut(Schema):
    key: str = Field(description="Stable key used in impact grids")
    name: str
    levels: list[str] = Field(description="Level 1 first")


class TimePointOut(Schema):
    hours: int
    label: str


class BiaMethodOut(Schema):
    organization: str
    saved: bool = Field(description="False while the organization uses the default method")
    name: str
    categories: list[CategoryOut]
    time_points: list[TimePointOut] = Field(description="Earliest first")
    intolerable_level: int
    priority_limits: list[int] = Field(description="MTPD hours up to which priority 1, 2…")
    updated_at: dt.datetime | None


class CategoryIn(Input):
    name: Text = Field(min_length=1, max_length=MAX_LABEL)
    levels: list[Annotated[Text, Field(max_length=MAX_LABEL)]] = Field(
        max_length=10, description="2 to 10 labels, level 1 first"
    )


class TimePointIn(Input):
    hours: int = Field(description="Hours after the disruption")
    label: Text = Field("", max_length=MAX_LABEL, description="Written from the hours if empty")


class BiaMethodIn(Input):
    name: Text = omitted(min_length=1, max_length=100, description="Kept when left out")
    categories: list[CategoryIn] = Field(max_length=12)
    time_points: list[TimePointIn] = Field(max_length=12, description="Earliest first")
    intolerable_level: int
    priority_limits: list[int] = Field(max_length=8, description="Rising, in hours")


class ContinuityOrganizationQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


def method_out(method: BiaMethod) -> dict:
    return {
        "organization": method.organization.slug,
        "saved": method.pk is not None,
        "name": method.name,
        "categories": method.categories,
        "time_points": method.time_points,
        "intolerable_level": method.intolerable_level,
        "priority_limits": method.priority_limits,
        "updated_at": method.updated_at if method.pk else None,
    }


@router.get("/continuity-method/", response=responses(BiaMethodOut), tags=["continuity"])
def get_continuity_method(request, filters: Query[ContinuityOrganizationQuery]):
    """The organization's BIA method (the default one until it saves its own)."""
    organization = organization_for(request.auth, filters.organization, may_view=BiaMethod)
    method = method_services.method_for(organization)
    if method.pk:
        announce(method)
    return method_out(method)


@router.put("/continuity-method/", response=responses(BiaMethodOut), tags=["continuity"])
def put_continuity_method(
    request, filters: Query[ContinuityOrganizationQuery], payload: BiaMethodIn
):
    """Set the whole method. Analyses keep the method they were assessed with until their
    impacts are assessed again."""
    organization = organization_for(request.auth, filters.organization, may_view=BiaMethod)
    data = payload.model_dump(exclude_unset=True)
    if data.get("name") is None:
        data.pop("name", None)
    method = method_services.update_method(organization, actor=request.auth, **data)
    return method_out(announce(method))
