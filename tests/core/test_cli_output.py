"""The shared output of `pdca` list and show commands (`pdca.core.cli_output`) and the consoles
(`pdca.core.console`): `--format table|json`, and tables printed whole when the output is not
a terminal."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import typer
from typer.testing import CliRunner

from pdca.core.cli_output import Column, FormatOption, cell_text, print_rows
from pdca.core.console import PIPE_WIDTH, PdcaConsole

LONG = "Obsolete drawing revision at machine 4"

ROWS = [
    {
        "id": 7,
        "reference": "NC-007",
        "title": LONG,
        "status": "reported",
        "owner": None,
        "due": dt.date(2026, 3, 1),
        "seen_at": dt.datetime(2026, 2, 1, 9, 30, tzinfo=dt.UTC),
        "cost": Decimal("12.50"),
    },
    {
        "id": 8,
        "reference": "NC-008",
        "title": "[bold]Not markup[/bold]",
        "status": "closed",
        "owner": "someone@a.example",
        "due": None,
        "seen_at": None,
        "cost": None,
    },
]

COLUMNS = [
    Column("id", "ID", "right"),
    Column("reference", "Reference"),
    Column("title", "Title"),
    Column("status", "Status", text=lambda r: r["status"].capitalize()),
    Column("owner", "Owner"),
    Column("due", "Due"),
]

app = typer.Typer()


@app.command()
def rows(fmt: FormatOption = "table") -> None:
    print_rows(ROWS, COLUMNS, fmt, title="Nonconformities", summary="2 nonconformities.")


@app.command()
def nothing(fmt: FormatOption = "table") -> None:
    print_rows([], COLUMNS, fmt, empty="Nothing to list.")


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def table_rows(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def test_a_table_not_printed_to_a_terminal_keeps_every_cell_whole():
    result = run("rows")
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert table_rows(result.output) == [
        ["7", "NC-007", LONG, "Reported", "", "2026-03-01"],
        ["8", "NC-008", "[bold]Not markup[/bold]", "Closed", "someone@a.example", ""],
    ]
    assert result.output.endswith("2 nonconformities.\n")


def test_json_is_every_key_of_every_row_with_iso_dates():
    result = run("rows", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "id": 7,
            "reference": "NC-007",
            "title": LONG,
            "status": "reported",
            "owner": None,
            "due": "2026-03-01",
            "seen_at": "2026-02-01T09:30:00+00:00",
            "cost": "12.50",
        },
        {
            "id": 8,
            "reference": "NC-008",
            "title": "[bold]Not markup[/bold]",
            "status": "closed",
            "owner": "someone@a.example",
            "due": None,
            "seen_at": None,
            "cost": None,
        },
    ]


def test_an_empty_list_says_so_in_a_table_and_is_an_empty_json_list():
    assert run("nothing").output == "Nothing to list.\n"
    assert json.loads(run("nothing", "-f", "json").output) == []


def test_an_unknown_format_is_refused_with_exit_code_2():
    result = run("rows", "--format", "yaml")
    assert result.exit_code == 2
    assert result.stderr == "--format must be table or json, not 'yaml'.\n"


def test_the_help_names_the_formats():
    result = run("rows", "--help")
    assert "--format" in result.output and "[table|json]" in result.output


def test_cells_read_plainly():
    assert [
        cell_text(v)
        for v in (None, True, dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4), ["a", 1])
    ] == ["", "yes", "2026-01-02", "2026-01-02 03:04", "a, 1"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_console_is_wide_when_not_writing_to_a_terminal(monkeypatch):
    # COLUMNS describes a terminal; a pipe or a file has no width to fit.
    monkeypatch.setenv("COLUMNS", "80")
    assert PdcaConsole(file=io.StringIO()).width == PIPE_WIDTH
    assert PdcaConsole(file=_Terminal()).width == 80
    assert PdcaConsole(file=io.StringIO(), width=120).width == 120
    console = PdcaConsole(file=io.StringIO())
    console.width = 60
    assert console.width == 60
