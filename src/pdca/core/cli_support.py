"""What every `pdca` sub-command needs: Django set up, and the organization and member named
on the command line, or a clear message and exit code 1."""

from __future__ import annotations

import typer

from pdca.core.console import err


def setup() -> None:
    from pdca.cli import setup_django

    setup_django()


def organization_or_exit(slug: str):
    """The organization with the slug `slug`."""
    from pdca.tenancy.models import Organization

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        err.print(f"[red]No organization with the short name {slug!r}.")
        raise typer.Exit(1)
    return organization


def actor_or_exit(email: str | None):
    """The active member with the e-mail `email` (None when no e-mail is given: the operator
    at the command line, trusted like a platform administrator where the command allows it)."""
    from pdca.accounts.models import User

    if email is None:
        return None
    actor = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if actor is None:
        err.print(f"[red]No active user with the e-mail {email!r}.")
        raise typer.Exit(1)
    return actor
