"""`pdca standards …`: list, show, compare editions (`diff`), validate and load catalogs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.console import console, err

app = typer.Typer(
    help="The standards catalog: list, show, compare editions, validate and load.",
    no_args_is_help=True,
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
        "provisional": r.provisional,
    }


def _editions_text(row: Mapping[str, Any]) -> str:
    """`replaced by iso14001-2026 (transition ends 2029-04-15, provisional)`, `replaces …`."""
    parts = []
    if row["replaced_by"]:
        when = row["replaced_by_transition_ends"]
        detail = [f"transition ends {when}"] if when else []
        if row["replaced_by_transition_provisional"]:
            detail.append("provisional")
        parts.append(
            f"replaced by {row['replaced_by']}" + (f" ({', '.join(detail)})" if detail else "")
        )
    if row["replaces"]:
        parts.append(f"replaces {row['replaces']}")
    return "; ".join(parts)


@app.command("list")
def list_standards(fmt: FormatOption = "table") -> None:
    """The loaded standards, their editions and requirement counts.

    Each edition is labelled with its amendments (ISO 9001:2015+A1:2024) and says which
    edition replaces it or which it replaces; the codes are those `pdca standards show` and
    `pdca standards diff` take."""
    _setup()
    from pdca.standards.editions.selectors import catalog
    from pdca.standards.models import Standard

    found = list(catalog())
    rows = []
    for s in found:
        successor = s.successor
        rows.append(
            {
                "code": s.code,
                "name": s.name,
                "edition": s.edition,
                "edition_label": s.edition_label,
                "full_name": s.full_name,
                "title": s.title,
                "discipline": s.discipline,
                "provisional": s.provisional,
                "replaces": s.replaces.code if s.replaces else None,
                "replaced_by": successor.code if successor else None,
                "replaced_by_transition_ends": successor.transition_ends if successor else None,
                "replaced_by_transition_provisional": bool(
                    successor and successor.transition_provisional
                ),
                "clauses": s.clause_count,
                "controls": s.control_count,
            }
        )
    disciplines = dict(Standard.Discipline.choices)
    columns = [
        Column("code", "code"),
        Column(
            "full_name",
            "standard",
            text=lambda r: r["full_name"] + (" (provisional)" if r["provisional"] else ""),
        ),
        Column("clauses", "clauses", "right"),
        Column("controls", "controls", "right"),
        Column("discipline", "discipline", text=lambda r: disciplines.get(r["discipline"], "")),
        Column("replaced_by", "editions", text=_editions_text),
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

    standard = Standard.objects.select_related("replaces", "replaced_by").filter(code=code).first()
    if standard is None:
        err.print(f"[red]No standard {code!r}. `pdca standards list` shows the loaded ones.")
        raise typer.Exit(1)
    successor = standard.successor
    if fmt == "json":
        data = {
            "code": standard.code,
            "name": standard.name,
            "title": standard.title,
            "edition": standard.edition,
            "edition_label": standard.edition_label,
            "full_name": standard.full_name,
            "amendments": standard.amendments,
            "published_on": standard.published_on,
            "provisional": standard.provisional,
            "provisional_note": standard.provisional_note,
            "replaces": standard.replaces.code if standard.replaces else None,
            "replaced_by": successor.code if successor else None,
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
    mark = " [yellow](provisional)[/yellow]"
    root = Tree(
        f"[bold]{escape(standard.full_name)}[/bold]{mark if standard.provisional else ''} "
        f"{escape(standard.title)}"
    )
    nodes: dict[int | None, Tree] = {}
    for r in clauses:
        parent = nodes.get(r.parent_id, root)
        doc = " [cyan]◆ documented information[/cyan]" if r.documented_information else ""
        nodes[r.pk] = parent.add(
            f"{escape(r.number)} {escape(r.title)}{doc}{mark if r.provisional else ''}"
        )
    for g in groups:
        branch = root.add(f"[bold]{escape(g.code)} {escape(g.title)}[/bold]")
        for r in g.requirements.all():
            branch.add(f"{escape(r.number)} {escape(r.title)}{mark if r.provisional else ''}")
    console.print(root)
    if standard.provisional and standard.provisional_note:
        console.print(f"Provisional: {standard.provisional_note}", markup=False)
    if successor is not None:
        ends = successor.transition_ends
        console.print(
            f"Replaced by {successor.full_name} ({successor.code})"
            + (f", transition ends {ends.isoformat()}" if ends else "")
            + (" (provisional)" if successor.transition_provisional else "")
            + f": `pdca standards diff {standard.code} {successor.code}`",
            markup=False,
        )
    if standard.replaces is not None:
        console.print(
            f"Replaces {standard.replaces.full_name} ({standard.replaces.code})", markup=False
        )


# --- diff ---------------------------------------------------------------------------------------

DIFF_FORMATS = ("table", "json", "csv")


def _check_diff_format(ctx: typer.Context, value: str) -> str:
    if ctx.resilient_parsing:
        return value
    if value not in DIFF_FORMATS:
        err.print(f"[red]--format must be table, json or csv, not {escape(repr(value))}.")
        raise typer.Exit(2)
    return value


def _requirement_ref(r) -> dict | None:
    if r is None:
        return None
    return {"number": r.number, "title": r.title, "provisional": r.provisional}


def _line_json(line) -> dict:
    return {
        "change": line.change,
        "old": _requirement_ref(line.old),
        "new": _requirement_ref(line.new),
        "note": line.note,
        "needs_work": line.needs_work,
        "provisional": line.provisional,
    }


def _edition_json(s) -> dict:
    return {
        "code": s.code,
        "full_name": s.full_name,
        "edition_label": s.edition_label,
        "provisional": s.provisional,
        "provisional_note": s.provisional_note,
    }


@app.command()
def diff(
    old: Annotated[
        str,
        typer.Argument(
            help="Code of the old edition, e.g. iso14001-2015 (`pdca standards list` shows them)"
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(
            help="Code of the new edition, e.g. iso14001-2026 (`pdca standards list` shows them)"
        ),
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="[table|json|csv]",
            help="table (for people), json (for scripts) or csv (for a spreadsheet)",
            callback=_check_diff_format,
        ),
    ] = "table",
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            help="Only lines of these changes, comma-separated: new, changed, split, merged, "
            "moved, removed, same",
        ),
    ] = None,
) -> None:
    """Compare two editions of a standard, requirement by requirement.

    What became of each old requirement and where each new one came from, with our note on
    what changed, the number of lines of each change, and the transition's dates. Exits 1
    when a code is unknown or the catalog has no transition between the two."""
    _setup()
    from pdca.core.exceptions import NotFound
    from pdca.standards.editions.exports import comparison_csv
    from pdca.standards.editions.selectors import CHANGE_ORDER, diff_by_codes, parse_changes

    changes, unknown = parse_changes([only] if only else [])
    if unknown:
        err.print(
            f"[red]--only: unknown change(s) {escape(', '.join(unknown))}; use "
            f"{', '.join(CHANGE_ORDER)}."
        )
        raise typer.Exit(2)
    try:
        found = diff_by_codes(old, new)
    except NotFound as exc:
        err.print(f"[red]{escape(exc.message)}")
        raise typer.Exit(1) from None
    lines = found.only(changes)
    transition = found.transition
    if fmt == "csv":
        typer.echo(comparison_csv(lines).decode("utf-8-sig"), nl=False)
        return
    if fmt == "json":
        print_json(
            {
                "old": _edition_json(found.old),
                "new": _edition_json(found.new),
                "transition": {
                    "ends": transition.transition_ends,
                    "new_certificates_until": transition.new_certificates_until,
                    "provisional": transition.transition_provisional,
                    "note": transition.transition_note,
                }
                if transition is not None
                else None,
                "provisional": found.provisional,
                "total": found.total,
                "counts": found.counts,
                "whats_new": [_line_json(line) for line in found.whats_new],
                "lines": [_line_json(line) for line in lines],
            }
        )
        return
    _print_diff_table(found, lines)


def _print_diff_table(found, lines) -> None:
    def side(r) -> Text:
        if r is None:
            return Text("—", style="dim")
        text = Text(f"{r.number} {r.title}")
        if r.provisional:
            text.append(" (provisional)", style="yellow")
        return text

    title = f"{found.old.full_name} → {found.new.full_name}"
    if found.provisional:
        title += " (provisional)"
    table = Table(title=escape(title))
    table.add_column(found.old.edition_label, overflow="fold", ratio=3)
    table.add_column("change", overflow="fold")
    table.add_column(found.new.edition_label, overflow="fold", ratio=3)
    table.add_column("note", overflow="fold", ratio=4)
    for line in lines:
        table.add_row(side(line.old), line.change, side(line.new), Text(line.note))
    if lines:
        console.print(table)
    else:
        console.print(f"{title}: no line of the chosen changes.", markup=False)
    counts = " · ".join(f"{c} {n}" for c, n in found.counts.items() if n)
    shown = f"{len(lines)} of {found.total} lines" if len(lines) != found.total else ""
    console.print(
        f"{found.total} lines: {counts}" + (f" ({shown} shown)" if shown else ""), markup=False
    )
    transition = found.transition
    if transition is not None and (transition.transition_ends or transition.new_certificates_until):
        parts = []
        if transition.transition_ends:
            parts.append(f"transition ends {transition.transition_ends.isoformat()}")
        if transition.new_certificates_until:
            parts.append(
                f"no new certificates to {found.old.full_name} after "
                f"{transition.new_certificates_until.isoformat()}"
            )
        suffix = " (provisional)" if transition.transition_provisional else ""
        sentence = "; ".join(parts)
        console.print(sentence[0].upper() + sentence[1:] + suffix, markup=False)
    for edition in (found.old, found.new):
        if edition.provisional:
            console.print(
                f"{edition.full_name} is provisional: {edition.provisional_note}", markup=False
            )


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
