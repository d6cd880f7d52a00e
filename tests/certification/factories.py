"""Shared test data of the certification tests: a certification body's clients, their sites,
applications and accredited scopes, made directly (fast, no activity-log entries) so that every
helper's tests can build the state they start from.

Standards are given as `Standard` objects or catalog codes ("iso9001-2015"); the shipped
catalogs are loaded in the test database (see tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from pdca.certification.models import AccreditedScope, Application, Client, ClientSite
from pdca.core.roles import CERTIFICATION_BODY_ROLES
from pdca.core.testing.personas import Personas
from pdca.standards.models import Standard

__all__ = [
    "TODAY",
    "CBPersonas",
    "make_application",
    "make_cb_personas",
    "make_client",
    "make_scope",
    "make_site",
    "standard",
    "standards",
]

TODAY = timezone.localdate()


def standard(code_or_standard: str | Standard) -> Standard:
    """The catalog standard of `code` ("iso9001-2015"), or the standard given."""
    if isinstance(code_or_standard, Standard):
        return code_or_standard
    return Standard.objects.get(code=code_or_standard)


def standards(items: Iterable[str | Standard]) -> list[Standard]:
    return [standard(item) for item in items]


def make_client(cb, index: int = 0, **fields: Any) -> Client:
    """Client number `index` of `cb` (reference C-9xxx, so it never clashes with the
    references the service numbers from C-0001)."""
    values: dict[str, Any] = {
        "reference": f"C-9{index:03d}",
        "name": f"Client {index:03d} Ltd",
        "legal_name": f"Client {index:03d} Limited",
        "country": "GB",
        "contact_name": f"Contact {index}",
        "contact_email": f"contact{index}@client{index}.example",
        "sector_codes": "17, 19",
    }
    values.update(fields)
    return Client.objects.create(organization=cb, **values)


def make_site(
    client: Client,
    name: str = "Head office",
    *,
    is_central: bool = False,
    headcount: int | None = 20,
    **fields: Any,
) -> ClientSite:
    """A site of `client` (in the client's certification body)."""
    return ClientSite.objects.create(
        organization_id=client.organization_id,
        client=client,
        name=name,
        is_central=is_central,
        headcount=headcount,
        **fields,
    )


def make_application(
    cb,
    client: Client,
    standards_: Iterable[str | Standard] = ("iso9001-2015",),
    *,
    sites: Iterable[ClientSite] = (),
    **fields: Any,
) -> Application:
    """An application of `client` for `standards_` (draft unless `status` is given), with a
    reference made from the client's and a count of the body's applications."""
    count = Application.objects.filter(organization=cb).count()
    values: dict[str, Any] = {
        "reference": f"APP-T-{count + 1:04d}",
        "scope": f"Design and manufacture for {client.name}",
        "sector_codes": "17",
        "permanent_personnel": 40,
    }
    values.update(fields)
    application = Application.objects.create(organization=cb, client=client, **values)
    application.standards.set(standards(standards_))
    if sites:
        application.sites.set(list(sites))
    application.refresh_from_db()  # decimals as the database gives them back
    return application


def make_scope(
    cb,
    standard_: str | Standard = "iso9001-2015",
    *,
    sector_codes: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    **fields: Any,
) -> AccreditedScope:
    """An accredited scope of `cb` for `standard_`, valid from a year ago (no end) unless
    told otherwise; empty `sector_codes` covers every sector."""
    return AccreditedScope.objects.create(
        organization=cb,
        standard=standard(standard_),
        sector_codes=sector_codes,
        valid_from=valid_from or TODAY - dt.timedelta(days=365),
        valid_until=valid_until,
        **fields,
    )


class CBPersonas(Personas):
    """The standard cast seen from the certification body: the `admin` persona is the body's
    administrator (not the implementer's), so every certification-body role works in `cb`
    and the implementer's roles in `org`."""

    def org_for(self, role: str):
        return self.cb if role in CERTIFICATION_BODY_ROLES else self.org


def make_cb_personas() -> CBPersonas:
    """`make_personas` with the admin persona being the body's administrator, and the outsider
    the manager of another certification body (`other`). Use it as the
    `personas` fixture of a module whose bundles test certification-body models:

        @pytest.fixture
        def personas(db):
            return make_cb_personas()
    """
    from pdca.accounts.models import User
    from pdca.core.roles import Role
    from pdca.tenancy.models import Membership, Organization
    from pdca.tenancy.testing import make_personas

    base = make_personas()
    users = {**base.users, "admin": User.objects.get(email="admin@cb.example")}
    # The outsider manages another certification body: they may use these pages in their own
    # body, and must find nothing of ours.
    other = Organization.objects.create(
        name="Other CB", slug="other-cb", kind=Organization.Kind.CERTIFICATION_BODY
    )
    outsider = User.objects.create_user(
        "manager@other-cb.example", "correct-horse-battery-staple", full_name="Outsider CB"
    )
    Membership.objects.create(organization=other, user=outsider, role=Role.CB_MANAGER)
    return CBPersonas(org=base.org, cb=base.cb, other=other, users=users, outsider=outsider)
