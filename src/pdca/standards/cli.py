"""`pdca standards …`: list, show, validate and load catalogs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.console import console, err

app = typer.Typer(
    help="The standards catalog: list, show, validate and load.", no_args_is_help=True
)


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _requirement_json(r) -> dict:
    return {
        "number": r.number,
        "title": r.title,
        "untitled": r.untitled,
        "kind": r.kind,
        "parent": r.parent.number if r.parent_id else None,
        "group": r.group.code if r.group_id else None,
        "core": r.core.number if r.core_id else None,
        "summary": r.summary,
        "adds": r.adds,
        "documented_information": r.documented_information,
        "retired": r.retired,
    }


@app.command("list")
def list_standards(fmt: FormatOption = "table") -> None:
    """The loaded standards with their requirement counts: the codes `pdca standards show`
    takes."""
    _setup()
    from pdca.standards.models import Standard
    from pdca.standards.selectors import standards

    found = list(standards())
    rows = [
        {
            "code": s.code,
            "name": s.name,
            "edition": s.edition,
            "title": s.title,
            "discipline": s.discipline,
            "clauses": s.clause_count,
            "controls": s.control_count,
        }
        for s in found
    ]
    disciplines = dict(Standard.Discipline.choices)
    columns = [
        Column("code", "code"),
        Column("name", "standard", text=lambda r: f"{r['name']}:{r['edition']}"),
        Column("clauses", "clauses", "right"),
        Column("controls", "controls", "right"),
        Column("discipline", "discipline", text=lambda r: disciplines.get(r["discipline"], "")),
    ]
    print_rows(rows, columns, fmt, title="Standards")
    if not rows:
        err.print("No standards loaded: run `pdca standards load`.")


@app.command()
def show(
    code: Annotated[
        str,
        typer.Argument(help="Standard code, e.g. iso27001-2022 (`pdca standards list` shows them)"),
    ],
    fmt: FormatOption = "table",
) -> None:
    """A standard's requirement tree (json gives every field)."""
    _setup()
    from pdca.standards.models import Standard
    from pdca.standards.selectors import requirements, tree

    standard = Standard.objects.filter(code=code).first()
    if standard is None:
        err.print(f"[red]No standard {code!r}. `pdca standards list` shows the loaded ones.")
        raise typer.Exit(1)
    if fmt == "json":
        data = {
            "code": standard.code,
            "name": standard.name,
            "title": standard.title,
            "edition": standard.edition,
            "publisher": standard.publisher,
            "discipline": standard.discipline,
            "structure": standard.structure,
            "summary": standard.summary,
            "groups": [
                {"id": g.code, "title": g.title, "summary": g.summary}
                for g in standard.groups.all()
            ],
            "requirements": [_requirement_json(r) for r in requirements(standard=code)],
        }
        print_json(data)
        return
    clauses, groups = tree(standard)
    root = Tree(f"[bold]{standard.name}:{standard.edition}[/bold] {standard.title}")
    nodes: dict[int | None, Tree] = {}
    for r in clauses:
        parent = nodes.get(r.parent_id, root)
        doc = " [cyan]◆ documented information[/cyan]" if r.documented_information else ""
        nodes[r.pk] = parent.add(f"{r.number} {r.title}{doc}")
    for g in groups:
        branch = root.add(f"[bold]{g.code} {g.title}[/bold]")
        for r in g.requirements.all():
            branch.add(f"{r.number} {r.title}")
    console.print(root)


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="Catalog files to check")]) -> None:
    """Check catalog files; every problem is printed as file:line: message. Exits 1 on any."""
    _setup()
    from pdca.standards.services import validate_catalogs

    problems = validate_catalogs(files)
    for p in problems:
        typer.echo(str(p))
    if problems:
        err.print(f"{len(problems)} problem(s) in {len({p.file for p in problems})} file(s).")
        raise typer.Exit(1)
    console.print(f"OK: {len(files)} file(s) valid.")


@app.command()
def load(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Catalog files (default: all shipped)")
    ] = None,
) -> None:
    """Load catalog files (all shipped ones by default): idempotent, all or nothing."""
    _setup()
    from pdca.core.context import channel
    from pdca.standards.services import CatalogInvalid, load_catalogs

    try:
        with channel("cli"), console.status("Loading catalogs…"):
            reports = load_catalogs(files or None)
    except CatalogInvalid as exc:
        for p in exc.problems:
            typer.echo(str(p))
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    table = Table(title="Catalogs loaded")
    for column in ("file", "created", "updated", "unchanged", "deleted", "retired"):
        table.add_column(
            column,
            justify="left" if column == "file" else "right",
            overflow="fold" if column == "file" else "ellipsis",
        )
    for r in reports:
        table.add_row(
            r.file, str(r.created), str(r.updated), str(r.unchanged), str(r.deleted), str(r.retired)
        )
    console.print(table)
    for r in reports:
        for change in r.changes:
            console.print(f"  {r.code}: {change}", markup=False)
