"""What every `pdca` sub-command needs: Django set up, and the organization and member named
on the command line, or a clear message and exit code 1."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import typer
from rich.markup import escape

from pdca.core.console import err


def setup_django() -> None:
    """Set Django up for a command (the production settings unless told otherwise)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pdca.settings")
    import django

    django.setup()
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = str(db["NAME"])
    # Create the folder of an embedded database file; a bare file name (in the current folder),
    # ":memory:" and "file:" URIs have none to create.
    directory = os.path.dirname(name)
    if db["ENGINE"].endswith("sqlite3") and directory and not name.startswith("file:"):
        os.makedirs(directory, exist_ok=True)


def organization_or_exit(slug: str):
    """The organization with the slug `slug`."""
    from pdca.core.tenants import tenant_model

    organization = tenant_model()._default_manager.filter(slug=slug).first()
    if organization is None:
        err.print(f"[red]No organization with the short name {slug!r}.")
        raise typer.Exit(1)
    return organization


def actor_or_exit(email: str | None):
    """The active member with the e-mail `email` (None when no e-mail is given: the operator
    at the command line, trusted like a platform administrator where the command allows it)."""
    from django.contrib.auth import get_user_model

    if email is None:
        return None
    actor = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
    if actor is None:
        err.print(f"[red]No active user with the e-mail {email!r}.")
        raise typer.Exit(1)
    return actor


def organization_or_none(slug: str | None):
    """The organization with the slug `slug`, or None when no slug is given (every one)."""
    return organization_or_exit(slug) if slug else None


def visible(queryset, *, organization=None, actor=None):
    """The rows of `queryset` in `organization` (every organization when None) that `actor`
    may see (every row when None: the operator at the command line)."""
    from pdca.core.permissions import scope

    if actor is not None:
        queryset = scope(queryset, actor)
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    return queryset


def run_service(call: Callable[[], Any]) -> Any:
    """Call a service in the CLI's channel; a refusal is printed (each field and its problem)
    and exits 1, with nothing written."""
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError, ValidationFailed

    try:
        with channel("cli"):
            return call()
    except ValidationFailed as exc:
        if exc.message != "; ".join(
            f"{e.field}: {e.message}" if e.field else e.message for e in exc.errors
        ):
            err.print(f"[red]{escape(exc.message)}")
        for error in exc.errors:
            err.print(f"[red]{escape(error.field or 'input')}: {escape(error.message)}")
        err.print("[red]Refused; nothing was written.")
        raise typer.Exit(1) from None
    except ServiceError as exc:
        err.print(f"[red]{escape(exc.message)}")
        raise typer.Exit(1) from None
