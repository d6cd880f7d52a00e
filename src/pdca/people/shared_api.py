"""What the people app's API modules share: references to people, paths and modules as the
answers give them, and the lookups that turn ids in a request into the organization's rows
(another organization's ids name their field in a 422)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from django.contrib.auth import get_user_model
from ninja import Schema
from pydantic import Field

from pdca.core.api import Text
from pdca.core.exceptions import ValidationFailed
from pdca.core.roles import Role
from pdca.tenancy.models import Membership, Site

if TYPE_CHECKING:
    RoleOrEmpty = str
else:
    #: A role, or empty for any role (one enumeration, so an error names just the field).
    RoleOrEmpty = Literal[(*Role.values, "")]


class Mapped:
    """A queryset whose page is turned into answers row by row: what a list endpoint returns
    to `Page`, which reads only the rows of the page and counts the rest."""

    def __init__(self, rows: Any, serialize: Callable[[Any], dict[str, Any]]) -> None:
        self.rows = rows
        self.serialize = serialize

    def __len__(self) -> int:
        return int(self.rows.count())

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.serialize(row) for row in self.rows[window]]


class TrainingOrganizationQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


class PersonRef(Schema):
    id: int = Field(description="User id")
    email: str
    name: str


class PathRef(Schema):
    id: int
    code: str
    title: str


class ModuleRef(Schema):
    id: int
    course: int = Field(description="Course id")
    course_title: str
    position: int = Field(description="Position in its course, from 1")
    kind: str = Field(description="lesson or quiz")
    title: str


def person_ref(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "email": user.email, "name": user.full_name or user.email}


def path_ref(path: Any) -> dict[str, Any]:
    return {"id": path.pk, "code": path.code, "title": path.title}


def module_ref(module: Any) -> dict[str, Any]:
    return {
        "id": module.pk,
        "course": module.course_id,
        "course_title": module.course.title,
        "position": module.position,
        "kind": module.kind,
        "title": module.title,
    }


def member(organization: Any, user_id: int | None, field: str) -> Any:
    """The active member of `organization` with the user id `user_id` (None stays None)."""
    if user_id is None:
        return None
    user = (
        get_user_model()
        .objects.filter(
            pk=user_id,
            is_active=True,
            pk__in=Membership.objects.filter(organization=organization).values("user_id"),
        )
        .first()
    )
    if user is None:
        raise ValidationFailed.single(
            field, f"No member of this organization has the id {user_id}."
        )
    return user


def site_of(organization: Any, site_id: int | None, field: str = "site") -> Site | None:
    """The organization's site with the id `site_id` (None stays None)."""
    if site_id is None:
        return None
    site = Site.objects.filter(organization=organization, pk=site_id).first()
    if site is None:
        raise ValidationFailed.single(field, f"No site of this organization has the id {site_id}.")
    return site
