"""`pdca engagement …`: links between organizations (being built)."""

import typer

app = typer.Typer(help="Engagements between organizations: links, grants, evidence requests.")
