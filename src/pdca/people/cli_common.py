"""What the `pdca training` commands share: Django set up, the acting member and the
organization, ids or codes turned into rows, refusals printed field by field, files read and
written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from pdca.core.console import console, err


def setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def fail(exc: Exception) -> typer.Exit:
    """Print a service's refusal (every field it names on its own line) and exit 1."""
    from pdca.core.exceptions import ValidationFailed

    if isinstance(exc, ValidationFailed) and exc.errors:
        for error in exc.errors:
            typer.echo(f"{error.field}: {error.message}" if error.field else error.message)
        err.print(f"[red]{len(exc.errors)} problem(s); nothing was written.", highlight=False)
    else:
        err.print(f"[red]{escape(str(getattr(exc, 'message', exc)))}", highlight=False)
    return typer.Exit(1)


def organization_for(slug: str | None, actor: Any):
    """The organization named by --org, or the only one of the acting member."""
    from pdca.core.cli_support import organization_or_exit
    from pdca.core.permissions import memberships
    from pdca.tenancy.models import Organization

    if slug:
        return organization_or_exit(slug)
    ids = list(memberships(actor)) if actor is not None else []
    if len(ids) != 1:
        err.print("[red]Say which organization: --org SLUG.")
        raise typer.Exit(2)
    return Organization.objects.get(pk=ids[0])


def acting_member(email: str | None):
    from pdca.core.cli_support import actor_or_exit

    return actor_or_exit(email)


def date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]{option} must be a date as YYYY-MM-DD, not {value!r}.")
        raise typer.Exit(2) from None


def write(file: Path, data: bytes, what: str) -> None:
    try:
        file.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {file}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {file} ({what}).", markup=False, highlight=False)


def read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {file}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None


def one(model, value: str, organization, noun: str, lister: str):
    """The row of `model` whose id (or code) is `value`, in `organization` when given."""
    rows = model.objects.select_related("organization")
    if organization is not None:
        rows = rows.filter(organization=organization)
    if value.isdigit():
        found = rows.filter(pk=int(value)).first()
    elif organization is None:
        err.print(f"[red]Give the {noun}'s id, or its code with --org SLUG.")
        raise typer.Exit(2)
    else:
        found = rows.filter(code=value).first()
    if found is None:
        err.print(f"[red]No {noun} {value!r}. `{lister}` shows them.")
        raise typer.Exit(1)
    return found


def site_named(organization, value: str):
    from django.db.models import Q

    from pdca.tenancy.models import Site

    condition = Q(name__iexact=value) | Q(code__iexact=value)
    if value.isdigit():
        condition |= Q(pk=int(value))
    found = Site.objects.filter(condition, organization=organization).first()
    if found is None:
        err.print(f"[red]No site {value!r} in {organization.name} (give its name, code or id).")
        raise typer.Exit(1)
    return found


def member(organization, email: str, option: str):
    from pdca.tenancy.models import Membership

    found = (
        Membership.objects.filter(
            organization=organization, user__email__iexact=email.strip(), user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if found is None:
        err.print(f"[red]{option}: {email!r} is no active member of {organization.name}.")
        raise typer.Exit(1)
    return found.user
