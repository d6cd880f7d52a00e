"""Starter templates as an organization sees them: the list, a template filled with the
organization's data (name, scope, standards, sites, people, today's date), and a new document
made from one, whose first draft is the filled text.

Filling is a plain, single-pass substitution of `{{ name }}` placeholders: the values come
from users (an organization's name, a scope statement) and are inserted as text, never read
as template code, so a value holding `{{ … }}` or `{% … %}` stays exactly what it was.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from pdca.core.exceptions import NotFound, ValidationFailed
from pdca.core.permissions import require
from pdca.core.roles import Role
from pdca.documents.models import Document
from pdca.documents.starter import STARTERS, Starter, get_starter

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.standards.models import Requirement
    from pdca.system.models import ManagementSystem
    from pdca.tenancy.models import Organization

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

#: What a placeholder says when the organization has not given the data yet.
MISSING = {
    "scope": "[scope statement: write it on the management system's page]",
    "standards": "[the standards the management system follows]",
    "sites": "[the sites covered]",
    "manager": "[the person who runs the management system]",
    "top_manager": "[a member of top management]",
}


@dataclass(frozen=True)
class FilledStarter:
    """A starter template filled with one organization's data."""

    starter: Starter
    title: str
    content: str
    values: dict[str, str]


def list_starters() -> tuple[Starter, ...]:
    """Every starter template, in catalogue order."""
    return STARTERS


def starter_or_404(key: str) -> Starter:
    """The starter template called `key`; NotFound when there is none."""
    found = get_starter(key)
    if found is None:
        raise NotFound(f"No starter template called {key!r}.")
    return found


def default_system(organization: Organization) -> ManagementSystem | None:
    """The organization's management system the templates describe: the only one, or the
    first by name."""
    from pdca.system.models import ManagementSystem

    return ManagementSystem.objects.filter(organization=organization).order_by("name").first()


def _check_system(
    organization: Organization, system: ManagementSystem | None
) -> ManagementSystem | None:
    if system is None:
        return default_system(organization)
    if system.organization_id != organization.pk:
        raise ValidationFailed.single("system", "Choose a management system of this organization.")
    return system


def _member_name(organization: Organization, role: str) -> str:
    from pdca.tenancy.models import Membership

    membership = (
        Membership.objects.filter(organization=organization, role=role, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
        .first()
    )
    return membership.user.get_full_name() if membership else ""


def fill_values(
    organization: Organization,
    *,
    system: ManagementSystem | None = None,
    today: dt.date | None = None,
) -> dict[str, str]:
    """The value of each placeholder for `organization` (and its management `system`, by
    default its first one); a bracketed hint where the data is not there yet."""
    from pdca.tenancy.models import Site

    system = _check_system(organization, system)
    standards = sites = manager = scope = ""
    if system is not None:
        scope = system.scope_statement.strip()
        standards = ", ".join(
            str(a.standard)
            for a in system.adoptions.filter(dropped_on__isnull=True)
            .select_related("standard")
            .order_by("standard__name", "standard__edition")
        )
        sites = ", ".join(site.name for site in system.sites.order_by("name"))
        manager = system.owner.get_full_name() if system.owner else ""
    if not sites:
        sites = ", ".join(
            Site.objects.filter(organization=organization)
            .order_by("name")
            .values_list("name", flat=True)
        )
    values = {
        "organization": organization.name,
        "scope": scope,
        "standards": standards,
        "sites": sites,
        "manager": manager or _member_name(organization, Role.SYSTEM_MANAGER),
        "top_manager": _member_name(organization, Role.TOP_MANAGEMENT),
        "today": (today or timezone.localdate()).isoformat(),
    }
    return {name: value or MISSING.get(name, "") for name, value in values.items()}


def substitute(text: str, values: dict[str, str]) -> str:
    """`text` with each `{{ name }}` replaced by its value, in one pass (values are never
    read again); unknown placeholders are left as they are."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fill_starter(
    organization: Organization,
    key: str,
    *,
    system: ManagementSystem | None = None,
    today: dt.date | None = None,
) -> FilledStarter:
    """The starter template `key` filled with `organization`'s data."""
    starter = starter_or_404(key)
    values = fill_values(organization, system=system, today=today)
    return FilledStarter(starter, starter.title, substitute(starter.text, values), values)


def starter_requirements(organization: Organization, starter: Starter) -> list[Requirement]:
    """The requirements a document made from `starter` provides, among those the organization
    may link (its adopted standards', or every standard's before it adopts any)."""
    from django.db.models import Q

    from pdca.system.selectors import requirement_choices

    wanted = Q(pk__in=[])
    for code, numbers in starter.requirements.items():
        wanted |= Q(standard__code=code, number__in=numbers)
    return list(requirement_choices(organization).filter(wanted))


def _code_for(organization: Organization, starter: Starter, code: str | None) -> str:
    if code is not None:
        return code.strip()
    taken = Document.objects.filter(organization=organization, code__iexact=starter.code).exists()
    return "" if taken else starter.code


@transaction.atomic
def create_from_template(
    organization: Organization,
    key: str,
    *,
    actor: User,
    system: ManagementSystem | None = None,
    code: str | None = None,
) -> Document:
    """A new document from the starter template `key`: its title, type, requirements and a
    first draft holding the filled text. The code is `code` when given ("" lets the numbering
    scheme choose), else the template's suggestion when free, else the numbering scheme's."""
    from pdca.core.registers.services import create_entry
    from pdca.documents.registers import DOCUMENTS
    from pdca.documents.versions.services import create_version

    require(actor, "add", Document, organization=organization)
    filled = fill_starter(organization, key, system=system)
    starter = filled.starter
    document = create_entry(
        DOCUMENTS,
        organization,
        actor=actor,
        code=_code_for(organization, starter, code),
        title=starter.title,
        doc_type=starter.doc_type,
        owner=actor,
        description=starter.summary,
        requirements=starter_requirements(organization, starter),
    )
    create_version(
        document,
        actor=actor,
        content=filled.content,
        change_summary=f"First draft, from the starter template “{starter.title}”.",
    )
    return document
