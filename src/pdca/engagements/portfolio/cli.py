"""`pdca portfolio`: a consultancy's clients at a glance (being built)."""

import typer


def portfolio_command() -> None:
    """A consultancy's portfolio across its clients."""
    raise typer.Exit(2)
