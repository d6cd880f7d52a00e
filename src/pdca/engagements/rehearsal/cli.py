"""`pdca rehearse`: the stage 1 rehearsal from the command line (being built)."""

import typer


def rehearse_command(system: int = typer.Argument(..., help="Management system id")) -> None:
    """Run the stage 1 rehearsal on a management system."""
    raise typer.Exit(2)
