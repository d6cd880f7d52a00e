"""The public certificate verification API: no login, public facts only (see
`services.certificate_public`), rate-limited per client address (429 with Retry-After)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from pdca.certification.models import Certificate
from pdca.certification.services.certificate_public import (
    RegisterQuery,
    find_certificate,
    public_facts,
    rate_limited,
    register_row,
    register_rows,
)
from pdca.core.api import Problem, Text, problem

router = Router(tags=["verification"], auth=None)

#: Rows of the public register per answer, at most.
MAX_LIMIT = 100


class PublicTransition(Schema):
    standard: str = Field(description="Code of the edition being replaced")
    full_name: str
    successor: str = Field(description="Code of the edition replacing it")
    successor_full_name: str = Field(description="e.g. ISO 14001:2026")
    ends: dt.date | None = Field(
        description="Certificates to the replaced edition are not valid after this date"
    )
    new_certificates_until: dt.date | None
    provisional: bool = Field(description="The dates are not confirmed yet")
    ended: bool
    note: str
    text: str = Field(description="The transition in one sentence")


class PublicStandard(Schema):
    code: str
    name: str = Field(description="e.g. ISO 9001")
    edition: str
    edition_label: str = Field(description="The edition with its amendments: 2015+A1:2024")
    full_name: str = Field(description="e.g. ISO 9001:2015+A1:2024")
    title: str
    provisional: bool = Field(description="The catalog of this edition is provisional")
    transition: PublicTransition | None = Field(
        description="The move to the edition replacing this one; null when none does"
    )


class PublicSite(Schema):
    name: str
    country: str = Field(description="ISO 3166 alpha-2 code")


class PublicCertificate(Schema):
    number: str
    status: Certificate.Status
    status_label: str
    valid: bool = Field(
        description="True only when active (or active with a reduced scope) and to no edition "
        "whose transition has ended"
    )
    status_date: dt.date = Field(description="Since when the status holds")
    status_text: str = Field(description="The status in one sentence")
    client_name: str
    scope: str
    sites: list[PublicSite]
    standards: list[PublicStandard]
    transitions: list[str] = Field(
        description="The transitions of its editions to newer ones, one sentence each"
    )
    issued_on: dt.date
    original_issued_on: dt.date
    expires_on: dt.date = Field(description="Last day of validity")
    certification_body: str
    accredited: bool
    accreditation_body: str = Field(description="Empty when issued without accreditation")
    accreditation_number: str
    replaced_by: str | None = Field(description="The number of the certificate replacing it")


class PublicRegisterRow(Schema):
    number: str
    status: Certificate.Status
    status_label: str
    valid: bool
    status_date: dt.date
    client_name: str
    standards: list[PublicStandard]
    transitions: list[str]
    expires_on: dt.date
    certification_body: str
    accredited: bool


class PublicRegisterPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PublicRegisterRow]


class PublicRegisterFilter(Schema):
    q: Text = Field("", max_length=200, description="Words of the client's name or the number")
    standard: Text = Field("", max_length=60, description="Standard code, e.g. iso9001-2015")
    body: Text = Field("", max_length=200, description="Words of the certification body's name")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=100_000)


PUBLIC_ERRORS: dict[int, Any] = {404: Problem, 422: Problem, 429: Problem}


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = problem(
        request,
        status=429,
        title="Too many requests",
        detail=f"Too many verification requests from your address; try again in "
        f"{retry_after} seconds.",
        code="rate_limited",
    )
    response["Retry-After"] = str(retry_after)
    return response


def not_a_certificate(request: HttpRequest, number: str) -> HttpResponse:
    return problem(
        request,
        status=404,
        title="Unknown certificate",
        detail=f"“{number[:40]}” is not a certificate of any certification body here.",
        code="unknown_certificate",
    )


@router.get(
    "/",
    response={200: PublicRegisterPage, **PUBLIC_ERRORS},
    operation_id="search_public_register",
)
def search_register(request, filters: Query[PublicRegisterFilter]):
    """The public register: certificates of the certification bodies that publish theirs,
    searchable by client name or number (`q`), standard and body. No sign-in; rate-limited
    per address (429 with Retry-After)."""
    wait = rate_limited(request)
    if wait:
        return too_many(request, wait)
    rows = register_rows(RegisterQuery(q=filters.q, standard=filters.standard, body=filters.body))
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [register_row(c) for c in page],
    }


@router.get(
    "/{number}",
    response={200: PublicCertificate, **PUBLIC_ERRORS},
    operation_id="verify_certificate",
)
def verify(request, number: str):
    """Verify a certificate by its number: its status (and since when), the client's name,
    scope, sites (name and country), standards, validity and the accreditation. 404 when the
    number is not a certificate of any certification body here. No sign-in; rate-limited
    per address (429 with Retry-After)."""
    wait = rate_limited(request)
    if wait:
        return too_many(request, wait)
    cert = find_certificate(number)
    if cert is None:
        return not_a_certificate(request, number)
    return public_facts(cert)
