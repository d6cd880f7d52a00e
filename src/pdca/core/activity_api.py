"""API of the activity log: the organization's whole log, and the history of one object."""

import datetime as dt
from typing import Annotated, Any

from ninja import FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import Page, responses
from pdca.core.selectors import activity_for

router = Router(tags=["activity"])


class ActivityOut(Schema):
    id: int
    organization: str | None = Field(None, alias="organization.slug")
    seq: int
    created_at: dt.datetime
    actor: str = Field(alias="actor_label")
    via: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    message: str
    hash: str


class ActivityFilter(FilterSchema):
    organization: Annotated[str | None, FilterLookup("organization__slug")] = Field(
        None, description="Organization slug"
    )
    object_type: Annotated[str | None, FilterLookup("object_type")] = Field(
        None, description="Model label, e.g. tenancy.site"
    )
    object_id: Annotated[str | None, FilterLookup("object_id")] = None
    action: Annotated[str | None, FilterLookup("action")] = None
    actor: Annotated[str | None, FilterLookup("actor_label__iexact")] = Field(
        None, description="Actor e-mail"
    )
    since: Annotated[dt.datetime | None, FilterLookup("created_at__gte")] = None
    until: Annotated[dt.datetime | None, FilterLookup("created_at__lt")] = None


@router.get("/", response=responses(list[ActivityOut]), summary="List activity")
@paginate(Page)
def list_activity(request, filters: Query[ActivityFilter]):
    """Entries of the organizations where your role may read the activity log, newest first."""
    return filters.filter(activity_for(request.auth)).order_by("-created_at", "-seq")
