"""`pdca cb` commands of the certification body's intake."""

import typer


def add_commands(app: typer.Typer) -> None:
    """Add this topic's commands (and sub-groups) to `pdca cb`."""
