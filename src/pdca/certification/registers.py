"""The certification body's registers, declared once (see `core.registers`): its accredited
scopes, its clients and their sites, and the conflicts of interest its people declare. Pages
under /cb/, API under /api/v1/cb/, and `pdca registers show clients --org SLUG`.

Only a certification body keeps them: an entry of another kind of organization is refused
(`not_a_certification_body`)."""

from __future__ import annotations

import re
from typing import Any

from pdca.certification.models import AccreditedScope, Client, ClientSite, ConflictOfInterest
from pdca.core.registers.spec import RegisterSpec

__all__ = ["CLIENTS", "CONFLICTS", "SCOPES", "SITES", "SPECS"]

CLIENT_PREFIX = "C-"
_NUMBERED = re.compile(r"^C-(\d+)$")


def _body(obj: Any) -> None:
    from pdca.certification.services.profile import ensure_certification_body

    ensure_certification_body(obj.organization)


def _codes(text: str) -> str:
    from pdca.certification.services.accreditation import split_codes

    return ", ".join(dict.fromkeys(split_codes(text)))


def _country(obj: Any) -> None:
    from pdca.core.exceptions import ValidationFailed

    obj.country = (obj.country or "").strip().upper()
    if obj.country and not re.fullmatch(r"[A-Z]{2}", obj.country):
        raise ValidationFailed.single("country", "Give the two-letter ISO 3166 code, e.g. GB.")


def next_client_reference(organization_id: int) -> str:
    """The next free C-number of the body (the caller holds the body's row lock)."""
    taken = Client.objects.filter(
        organization_id=organization_id, reference__startswith=CLIENT_PREFIX
    ).values_list("reference", flat=True)
    numbers = [int(m.group(1)) for ref in taken if (m := _NUMBERED.match(ref))]
    return f"{CLIENT_PREFIX}{max(numbers, default=0) + 1:04d}"


def _validate_client(client: Client, related: dict[str, list[Any]]) -> None:
    from pdca.core.exceptions import ValidationFailed

    _body(client)
    _country(client)
    client.reference = (client.reference or "").strip().upper()
    if (
        client.reference
        and Client.objects.filter(
            organization_id=client.organization_id, reference=client.reference
        )
        .exclude(pk=client.pk)
        .exists()
    ):
        raise ValidationFailed.single("reference", "Another client has this reference.")


def _prepare_client(client: Client) -> None:
    from pdca.core.concurrency import serialize_on
    from pdca.tenancy.models import Organization

    client.sector_codes = _codes(client.sector_codes)
    if not client.reference:
        # Under the body's row lock: two clients added at once get two numbers.
        serialize_on(Organization, client.organization_id)
        client.reference = next_client_reference(client.organization_id)


def _validate_site(site: ClientSite, related: dict[str, list[Any]]) -> None:
    from pdca.core.exceptions import ValidationFailed

    _body(site)
    _country(site)
    if site.is_central and site.client_id:
        other = (
            ClientSite.objects.filter(client_id=site.client_id, is_central=True)
            .exclude(pk=site.pk)
            .first()
        )
        if other is not None:
            raise ValidationFailed.single(
                "is_central", f"{other.name} is already the client's central function."
            )


def _validate_scope(scope: AccreditedScope, related: dict[str, list[Any]]) -> None:
    from pdca.core.exceptions import ValidationFailed

    _body(scope)
    if scope.valid_until and scope.valid_from and scope.valid_until < scope.valid_from:
        raise ValidationFailed.single("valid_until", "Must not be before the start of validity.")


def _prepare_scope(scope: AccreditedScope) -> None:
    scope.sector_codes = _codes(scope.sector_codes)


def _validate_conflict(conflict: ConflictOfInterest, related: dict[str, list[Any]]) -> None:
    from pdca.core.exceptions import ValidationFailed

    _body(conflict)
    if conflict.started_on and conflict.ended_on and conflict.ended_on < conflict.started_on:
        raise ValidationFailed.single("ended_on", "Must not be before the day it started.")


def _catalog(queryset, organization):
    return queryset.filter(loaded_at__isnull=False)


def _client_context(request, client: Client) -> dict[str, Any]:
    from pdca.certification.views.intake.clients import client_context

    return client_context(request, client)


SCOPES = RegisterSpec(
    model=AccreditedScope,
    slug="accredited-scopes",
    namespace="certification",
    fields=("standard", "sector_codes", "valid_from", "valid_until", "notes"),
    columns=("standard", "sector_codes", "valid_from", "valid_until"),
    filters=("standard",),
    search=("sector_codes", "notes"),
    ordering=("standard", "valid_from", "valid_until"),
    key_field="title",
    user_fields=(),
    limit_choices={"standard": _catalog},
    validate=_validate_scope,
    before_save=_prepare_scope,
    select_related=("standard",),
    intro=(
        "The standards, and the sectors or technical areas (IAF codes), the body is accredited "
        "to certify, with their validity. A certificate is issued as accredited only when a "
        "scope valid on the decision date covers its standards and sectors; a scope without "
        "sectors covers them all."
    ),
)

CLIENTS = RegisterSpec(
    model=Client,
    slug="clients",
    namespace="certification",
    fields=(
        "reference",
        "name",
        "legal_name",
        "registration_number",
        "country",
        "address",
        "contact_name",
        "contact_email",
        "contact_phone",
        "sector_codes",
        "existing_certifications",
        "transferred_from",
        "transfer_notes",
        "owner",
    ),
    columns=("reference", "name", "country", "sector_codes", "contact_name", "owner"),
    filters=("country", "owner"),
    search=("reference", "name", "legal_name", "registration_number", "sector_codes"),
    ordering=("name", "reference", "country"),
    key_field="reference",
    validate=_validate_client,
    before_save=_prepare_client,
    select_related=("owner",),
    detail_template="certification/intake/client_detail_part.html",
    detail_context=_client_context,
    list_links=(("Applications", "applications-list"), ("Sites", "client-sites-list")),
    intro=(
        "The organizations the body certifies, whether or not they use pdca: legal entity, "
        "contact, sectors (IAF codes), the certifications they hold and, for a transfer, the "
        "body they come from. A reference left empty is numbered C-0001, C-0002…"
    ),
)

SITES = RegisterSpec(
    model=ClientSite,
    slug="client-sites",
    namespace="certification",
    fields=("client", "name", "address", "country", "is_central", "headcount", "activities"),
    columns=("client", "name", "country", "is_central", "headcount"),
    filters=("client", "is_central"),
    search=("name", "address", "activities"),
    ordering=("client", "name"),
    key_field="name",
    user_fields=(),
    validate=_validate_site,
    select_related=("client",),
    list_links=(("Clients", "clients-list"),),
    intro=(
        "The locations of each client: its central function (head office) and other sites, "
        "with their headcount and activities. Multi-site sampling draws from them."
    ),
)

CONFLICTS = RegisterSpec(
    model=ConflictOfInterest,
    slug="conflicts-of-interest",
    namespace="certification",
    fields=("person", "client", "kind", "description", "started_on", "ended_on", "declared_on"),
    columns=("person", "client", "kind", "started_on", "ended_on", "declared_on"),
    filters=("person", "client", "kind"),
    search=("description",),
    ordering=("-declared_on", "client", "person"),
    key_field="title",
    user_fields=("person",),
    validate=_validate_conflict,
    select_related=("person", "client"),
    list_links=(("Clients", "clients-list"),),
    intro=(
        "Ties between the body's people and its clients, declared by the people themselves: a "
        "relationship, consultancy to the client, having implemented its management system, "
        "or employment there (ISO/IEC 17021-1 5.2). Team selection refuses a conflicted person "
        "with the reason; consultancy counts for two years after it ended."
    ),
)

SPECS = (SCOPES, CLIENTS, SITES, CONFLICTS)
