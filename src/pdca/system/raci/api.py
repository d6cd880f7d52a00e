"""API of the RACI matrix: read the grid, set one cell. Thin endpoints over
`pdca.system.raci.services` (mounted at /api/v1/)."""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from pdca.accounts.models import User
from pdca.core.api import Id, Input, Text, organization_for, responses
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import require, scope
from pdca.system.models import Process, Responsibility
from pdca.system.raci import services as raci
from pdca.tenancy.models import Organization

router = Router()


# --- schemas ------------------------------------------------------------------------------


class PartyOut(Schema):
    key: str = Field(description="`role:<name>` or `user:<id>`; the key of the row's cells")
    kind: Literal["role", "person"]
    label: str
    role: str = Field(description="The named role (empty for a person)")
    user: int | None = Field(description="Id of the person (null for a named role)")
    email: str | None = Field(description="E-mail of the person (null for a named role)")


class ProcessRef(Schema):
    id: int
    code: str
    name: str


class RaciRowOut(Schema):
    responsibility: int = Field(description="Id of the responsibility")
    activity: str
    process: ProcessRef | None
    cells: dict[str, str] = Field(description="Letter (R, A, C or I) by party key")
    problems: list[str] = Field(description="`no_r` and/or `no_a`")


class RaciMatrixOut(Schema):
    organization: str = Field(description="Organization slug")
    process: int | None = Field(description="The process the matrix is limited to, if any")
    columns: list[PartyOut] = Field(description="Parties in use: named roles, then people")
    rows: list[RaciRowOut]


class RaciCellIn(Input):
    party_role: Text = Field("", max_length=200, description="A named role, e.g. QHSE manager")
    party_user: Text | None = Field(
        None, max_length=254, description="E-mail of a member (instead of a named role)"
    )
    letter: Literal["R", "A", "C", "I", ""] | None = Field(
        description="The letter; null or empty clears the cell"
    )


class RaciFilter(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed when you belong to several)"
    )
    process: Id | None = Field(None, description="Only the responsibilities of this process")


# --- serializing ----------------------------------------------------------------------------


def _party_out(party: raci.Party) -> dict:
    user = party.user
    return {
        "key": party.key,
        "kind": "person" if user else "role",
        "label": party.label,
        "role": party.role,
        "user": user.pk if user else None,
        "email": user.email if user else None,
    }


def _row_out(row: raci.RaciRow) -> dict:
    r = row.responsibility
    process = r.process
    return {
        "responsibility": r.pk,
        "activity": r.activity,
        "process": (
            {"id": process.pk, "code": process.code, "name": process.name} if process else None
        ),
        "cells": dict(row.cells),
        "problems": row.problems,
    }


def _organization(user, slug: str | None) -> Organization:
    return organization_for(user, slug)


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/raci/",
    response=responses(RaciMatrixOut),
    summary="The RACI matrix",
    tags=["RACI"],
)
def get_raci_matrix(request, filters: Query[RaciFilter]):
    """The organization's RACI matrix (of one process with `process`)."""
    user = request.auth
    process = None
    if filters.process is not None:
        process = (
            scope(Process.objects.select_related("organization"), user)
            .filter(pk=filters.process)
            .first()
        )
        if process is None:
            raise Http404
        organization = process.organization
        if filters.organization and filters.organization != organization.slug:
            raise Http404
    else:
        organization = _organization(user, filters.organization)
    require(user, "view", Responsibility, organization=organization)
    grid = raci.matrix(organization, process, user=user)
    return {
        "organization": organization.slug,
        "process": process.pk if process else None,
        "columns": [_party_out(p) for p in grid.columns],
        "rows": [_row_out(row) for row in grid.rows],
    }


@router.put(
    "/responsibilities/{responsibility_id}/raci/",
    response=responses(RaciRowOut),
    summary="Set one cell of the RACI matrix",
    tags=["RACI"],
)
def put_raci_cell(request, responsibility_id: Id, payload: RaciCellIn):
    """Give a named role (`party_role`) or a member (`party_user`, their e-mail) a letter on
    one responsibility, or clear it (`letter` null or empty). A second A is refused (409)."""
    user = request.auth
    responsibility = (
        scope(Responsibility.objects.select_related("organization", "process"), user)
        .filter(pk=responsibility_id)
        .first()
    )
    if responsibility is None:
        raise Http404
    party_user = None
    if payload.party_user:
        party_user = User.objects.filter(email__iexact=payload.party_user).first()
        if party_user is None:
            # Checked like a non-member, so the answer does not tell who has an account.
            require(user, "change", responsibility)
            raise ValidationFailed.single(
                "party_user", "Choose a person who is a member of this organization."
            )
    raci.set_assignment(
        responsibility,
        party_role=payload.party_role,
        party_user=party_user,
        letter=payload.letter,
        actor=user,
    )
    return _row_out(raci.row_of(responsibility))
