"""How `pdca` list and show commands print: a table for people, or JSON for scripts.

Every list and show command takes `--format table|json` (`FormatOption`) and hands its rows to
`print_rows`. The table is rich's, on the shared console (as wide as it needs to be when the
output is not a terminal, see `pdca.core.console`), with columns that fold a long cell onto
the next line rather than cut it short with "…". JSON is printed plainly, without markup or
colour, so it stays valid when piped: a list of objects with stable keys, dates and times in
ISO 8601, and null for what is not set.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from pdca.core.console import console, err

__all__ = [
    "AsViewerOption",
    "Column",
    "FormatOption",
    "OrgFilterOption",
    "cell_text",
    "json_text",
    "print_json",
    "print_rows",
]

FORMATS = ("table", "json")


def _check_format(ctx: typer.Context, value: str) -> str:
    if ctx.resilient_parsing:
        return value
    if value not in FORMATS:
        err.print(f"[red]--format must be table or json, not {escape(repr(value))}.")
        raise typer.Exit(2)
    return value


#: `--format table|json` of every list and show command.
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        metavar="[table|json]",
        help="table (for people) or json (for scripts)",
        callback=_check_format,
    ),
]

#: `--org SLUG` of a list command that lists every organization's rows when it is omitted.
OrgFilterOption = Annotated[
    str | None,
    typer.Option("--org", help="Only this organization (slug); every organization without it"),
]

#: `--as EMAIL` of a list command: only what that member may see.
AsViewerOption = Annotated[
    str | None,
    typer.Option("--as", help="E-mail of a member: list only what they may see"),
]


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def json_text(data: Any) -> str:
    """`data` as indented JSON: dates as ISO 8601, decimals as strings."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)


def print_json(data: Any) -> None:
    """Print `data` as JSON on standard output, plainly (no markup, no colour)."""
    typer.echo(json_text(data))


def cell_text(value: Any) -> str:
    """How a value reads in a table cell: nothing for None, dates as YYYY-MM-DD, times to the
    minute, lists joined by commas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Column:
    """One column of a table: the row's `key`, its heading, and how its cell reads (`text`,
    by default `cell_text` of the row's value)."""

    key: str
    header: str
    justify: Literal["left", "right"] = "left"
    text: Callable[[Mapping[str, Any]], str] | None = None

    def cell(self, row: Mapping[str, Any]) -> str:
        return self.text(row) if self.text is not None else cell_text(row.get(self.key))


def print_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    *,
    title: str | None = None,
    summary: str | None = None,
    empty: str | None = None,
) -> None:
    """Print `rows` as JSON (every key of every row) or as a table of `columns`, followed by
    `summary`; `empty` is said instead of an empty table."""
    if fmt == "json":
        print_json(list(rows))
        return
    if not rows and empty is not None:
        console.print(empty, markup=False)
    else:
        table = Table(title=escape(title) if title else None)
        for column in columns:
            table.add_column(column.header, justify=column.justify, overflow="fold")
        for row in rows:
            # Text, not markup: a title such as "[draft] Policy" prints as written.
            table.add_row(*(Text(column.cell(row)) for column in columns))
        console.print(table)
    if summary:
        console.print(summary, markup=False)
