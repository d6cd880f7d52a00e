"""Test data of the certificates part: a certification body's client, cycle, granted decision
and certificates, made with the ORM (no service runs but the one under test)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from pdca.certification.models import (
    AccreditedScope,
    Certificate,
    CertificateEvent,
    CertificationBodyProfile,
    CertificationCycle,
    CertificationDecision,
    Client,
    ClientSite,
    CycleAudit,
)
from pdca.certification.services import dates
from pdca.core.roles import Role
from pdca.standards.models import Standard
from pdca.tenancy.models import Membership, Organization

_counter = itertools.count(1)


def standard(code: str = "iso9001-2015") -> Standard:
    return Standard.objects.get(code=code)


def profile(cb: Organization, **fields: Any) -> CertificationBodyProfile:
    values: dict[str, Any] = {
        "accreditation_body": "UKAS",
        "accreditation_number": "0042",
        "certificate_prefix": "NB",
        "signatory_name": "Dana Signer",
        "signatory_title": "Managing director",
    }
    values.update(fields)
    found, _ = CertificationBodyProfile.objects.update_or_create(organization=cb, defaults=values)
    return found


def accredit(cb: Organization, code: str = "iso9001-2015", **fields: Any) -> AccreditedScope:
    values: dict[str, Any] = {"valid_from": dt.date(2020, 1, 1)}
    values.update(fields)
    return AccreditedScope.objects.create(organization=cb, standard=standard(code), **values)


def client(cb: Organization, name: str | None = None, **fields: Any) -> Client:
    n = next(_counter)
    values: dict[str, Any] = {
        "reference": f"C-{n:04d}",
        "name": name or f"Client {n}",
        "country": "GB",
        "contact_name": "Carol Contact",
        "contact_email": f"secret-contact-{n}@client.example",
        "contact_phone": "+44 20 7946 0000",
        "address": "1 Private Road",
    }
    values.update(fields)
    return Client.objects.create(organization=cb, **values)


def site(of: Client, name: str = "Head office", country: str = "GB", **fields: Any) -> ClientSite:
    return ClientSite.objects.create(
        organization_id=of.organization_id,
        client=of,
        name=name,
        country=country,
        address="1 Private Road, Hidden Town",
        **fields,
    )


def cycle(
    of: Client,
    *,
    codes: tuple[str, ...] = ("iso9001-2015",),
    scope: str = "Design and manufacture of widgets",
    sites: int = 1,
    previous: CertificationCycle | None = None,
) -> CertificationCycle:
    number = (previous.number + 1) if previous else 1
    made = CertificationCycle.objects.create(
        organization_id=of.organization_id,
        client=of,
        number=number,
        scope=scope,
        previous=previous,
    )
    made.standards.set([standard(code) for code in codes])
    existing = list(of.sites.all())
    while len(existing) < sites:
        existing.append(site(of, name=f"Site {len(existing) + 1}"))
    made.sites.set(existing[:sites])
    return made


def decision(
    of: CertificationCycle,
    on: dt.date,
    *,
    kind: str = CertificationDecision.Kind.INITIAL,
    by: Any = None,
) -> CertificationDecision:
    if by is None:
        by = Membership.objects.get(
            organization_id=of.organization_id, role=Role.CERTIFICATION_DECISION_MAKER
        ).user
    return CertificationDecision.objects.create(
        organization_id=of.organization_id,
        cycle=of,
        kind=kind,
        outcome=CertificationDecision.Outcome.GRANTED,
        decided_by=by,
        decided_on=on,
    )


def certificate(
    cb: Organization,
    *,
    number: str | None = None,
    issued_on: dt.date = dt.date(2025, 3, 10),
    status: str = Certificate.Status.ACTIVE,
    status_changed_on: dt.date | None = None,
    status_reason: str = "",
    accredited: bool = True,
    of: Client | None = None,
    codes: tuple[str, ...] = ("iso9001-2015",),
    sites: int = 1,
    expires_on: dt.date | None = None,
) -> Certificate:
    """A certificate row made directly (for lists, pages and the public register)."""
    who = of or client(cb)
    made_cycle = cycle(who, codes=codes, sites=sites)
    n = next(_counter)
    made = Certificate.objects.create(
        organization=cb,
        number=number or f"NB-{n:06d}",
        client=who,
        cycle=made_cycle,
        scope=made_cycle.scope,
        client_name=who.name,
        issued_on=issued_on,
        original_issued_on=issued_on,
        expires_on=expires_on or dates.expiry_date(issued_on),
        status=status,
        status_changed_on=status_changed_on or issued_on,
        status_reason=status_reason,
        accredited=accredited,
        accreditation_body="UKAS" if accredited else "",
        accreditation_number="0042" if accredited else "",
    )
    made.standards.set(made_cycle.standards.all())
    made.sites.set(made_cycle.sites.all())
    CertificateEvent.objects.create(
        organization=cb,
        certificate=made,
        from_status="",
        to_status=Certificate.Status.ACTIVE,
        on=issued_on,
        reason="Issued",
    )
    if status != Certificate.Status.ACTIVE:
        CertificateEvent.objects.create(
            organization=cb,
            certificate=made,
            from_status=Certificate.Status.ACTIVE,
            to_status=status,
            on=status_changed_on or issued_on,
            reason=status_reason or "Changed",
        )
    return made


def surveillance(
    of: CertificationCycle, due: dt.date, *, sequence: int = 1, audit: Any = None
) -> CycleAudit:
    return CycleAudit.objects.create(
        organization_id=of.organization_id,
        cycle=of,
        kind=CycleAudit.Kind.SURVEILLANCE,
        sequence=sequence,
        due_date=due,
        audit=audit,
    )
