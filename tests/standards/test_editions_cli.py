"""`pdca standards diff OLD NEW` and the editions in `pdca standards list`, run in-process
with typer's CliRunner, on two made-up editions (tests/standards/editions_factories.py)."""

import csv
import io
import json

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from pdca.cli import app
from pdca.standards import cli as standards_cli
from tests.standards.editions_factories import COUNTS, NEW, OLD, load_editions


def run(*args: str):
    return CliRunner().invoke(app, list(args), prog_name="pdca")


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setattr(standards_cli, "console", Console(width=250))


@pytest.fixture
def editions(tmp_path, catalog):
    load_editions(tmp_path)


def table_rows(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def test_diff_prints_the_table_the_counts_and_the_dates(editions):
    result = run("standards", "diff", OLD, NEW)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "Demo EMS:2015+A1:2024 → Demo EMS:2026 (provisional)"
    rows = table_rows(result.stdout)
    assert len(rows) == 20
    assert rows[:2] == [
        ["4 Context of the organization", "same", "4 Context of the organization", ""],
        [
            "4.1 Understanding the organization and its context",
            "changed",
            "4.1 Understanding the organization and its context",
            "Names environmental conditions, climate change among them.",
        ],
    ]
    assert rows[8] == [
        "—",
        "new",
        "6.3 Planning of changes (provisional)",
        "Changes to the system are planned.",
    ]
    assert rows[18] == ["10.1 General", "removed", "—", "The general clause is gone."]
    assert lines[-2:] == [
        "20 lines: new 2 · changed 3 · split 2 · merged 2 · moved 2 · removed 1 · same 8",
        "Transition ends 2029-04-15; no new certificates to Demo EMS:2015+A1:2024 after "
        "2027-10-31 (provisional)",
    ]
    assert result.stderr == ""


def test_only_keeps_the_chosen_changes(editions):
    result = run("standards", "diff", OLD, NEW, "--only", "new,removed")
    assert result.exit_code == 0, result.output
    assert [row[1] for row in table_rows(result.stdout)] == ["new", "new", "removed"]
    assert "(3 of 20 lines shown)" in result.stdout


def test_json_gives_both_editions_the_counts_what_is_new_and_the_lines(editions):
    result = run("standards", "diff", OLD, NEW, "--format", "json", "--only", "moved")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["old"]["full_name"] == "Demo EMS:2015+A1:2024"
    assert body["new"]["code"] == NEW
    assert body["transition"] == {
        "ends": "2029-04-15",
        "new_certificates_until": "2027-10-31",
        "provisional": True,
        "note": "Three years from publication; the end date is reported two ways.",
    }
    assert (body["provisional"], body["total"], body["counts"]) == (True, 20, COUNTS)
    assert len(body["whats_new"]) == 7
    assert body["lines"] == [
        {
            "change": "moved",
            "old": {"number": "6.1.4", "title": "Planning action", "provisional": False},
            "new": {"number": "6.1.5", "title": "Planning action", "provisional": False},
            "note": "Planning action is renumbered.",
            "needs_work": False,
            "provisional": False,
        },
        {
            "change": "moved",
            "old": {"number": "10.3", "title": "Continual improvement", "provisional": False},
            "new": {"number": "10.1", "title": "Continual improvement", "provisional": False},
            "note": "Continual improvement comes first.",
            "needs_work": False,
            "provisional": False,
        },
    ]


def test_csv_gives_a_header_and_one_row_per_line(editions):
    result = run("standards", "diff", OLD, NEW, "-f", "csv", "--only", "new")
    assert result.exit_code == 0, result.output
    assert not result.stdout.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["Old number", "Old title", "Change", "New number", "New title", "Note", "Needs work",
         "Provisional"],
        ["", "", "new", "6.1.4", "Risks and opportunities",
         "Risks and opportunities get a clause of their own.", "yes", "no"],
        ["", "", "new", "6.3", "Planning of changes", "Changes to the system are planned.",
         "yes", "yes"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (OLD, "demo-ems-2099"),
            "No standard 'demo-ems-2099' in the catalog (`pdca standards list`).",
        ),
        (("nothing", NEW), "No standard 'nothing' in the catalog (`pdca standards list`)."),
        ((NEW, OLD), "The catalog has no transition from Demo EMS:2026 to Demo EMS:2015+A1:2024."),
    ],
)
def test_an_unknown_code_or_no_transition_exits_1_with_a_clear_message(editions, args, message):
    result = run("standards", "diff", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert " ".join(result.stderr.split()) == message


def test_an_unknown_change_or_format_exits_2(editions):
    result = run("standards", "diff", OLD, NEW, "--only", "new,later")
    assert result.exit_code == 2
    assert (
        "--only: unknown change(s) later; use new, changed, split, merged, moved, removed, same."
        in (" ".join(result.stderr.split()))
    )
    result = run("standards", "diff", OLD, NEW, "--format", "xml")
    assert result.exit_code == 2
    assert "--format must be table, json or csv, not 'xml'." in result.stderr


def test_no_line_of_the_chosen_changes_says_so(tmp_path, catalog):
    load_editions(tmp_path)
    from pdca.standards.models import EditionMapping

    EditionMapping.objects.filter(change="removed").delete()
    result = run("standards", "diff", OLD, NEW, "--only", "removed")
    assert result.exit_code == 0
    assert "no line of the chosen changes." in result.stdout


def test_the_help_names_the_list_command_for_the_codes():
    command = typer.main.get_command(app).commands["standards"].commands["diff"]
    arguments = {p.name: p.help for p in command.params if p.param_type_name == "argument"}
    assert set(arguments) == {"old", "new"}
    for help_text in arguments.values():
        assert "(`pdca standards list` shows them)" in help_text
    result = run("standards", "diff", "--help")
    assert result.exit_code == 0
    assert "[table|json|csv]" in result.stdout


# --- list ---------------------------------------------------------------------------------------


def test_list_shows_edition_labels_and_which_edition_replaces_which(editions):
    result = run("standards", "list")
    assert result.exit_code == 0, result.output
    rows = {row[0]: row for row in table_rows(result.stdout)}
    assert rows[OLD] == [
        OLD, "Demo EMS:2015+A1:2024", "16", "0", "Environment",
        f"replaced by {NEW} (transition ends 2029-04-15, provisional)",
    ]  # fmt: skip
    assert rows[NEW] == [NEW, "Demo EMS:2026", "18", "0", "Environment", f"replaces {OLD}"]


def test_list_marks_a_provisional_standard(tmp_path, catalog):
    load_editions(tmp_path, provisional=True)
    rows = {row[0]: row for row in table_rows(run("standards", "list").stdout)}
    assert rows[NEW][1] == "Demo EMS:2026 (provisional)"


def test_list_as_json_gives_the_edition_fields(editions):
    result = run("standards", "list", "--format", "json")
    by_code = {row["code"]: row for row in json.loads(result.stdout)}
    old = by_code[OLD]
    assert {k: old[k] for k in (
        "edition", "edition_label", "full_name", "provisional", "replaces", "replaced_by",
        "replaced_by_transition_ends", "replaced_by_transition_provisional",
    )} == {
        "edition": "2015",
        "edition_label": "2015+A1:2024",
        "full_name": "Demo EMS:2015+A1:2024",
        "provisional": False,
        "replaces": None,
        "replaced_by": NEW,
        "replaced_by_transition_ends": "2029-04-15",
        "replaced_by_transition_provisional": True,
    }  # fmt: skip
    assert (by_code[NEW]["replaces"], by_code[NEW]["replaced_by"]) == (OLD, None)


# --- show ---------------------------------------------------------------------------------------


def test_show_names_the_edition_and_its_successor_and_marks_provisional_requirements(editions):
    result = run("standards", "show", OLD)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Demo EMS:2015+A1:2024 Environmental management systems")
    assert lines[-1] == (
        f"Replaced by Demo EMS:2026 ({NEW}), transition ends 2029-04-15 (provisional): "
        f"`pdca standards diff {OLD} {NEW}`"
    )
    new = run("standards", "show", NEW).stdout
    assert "6.3 Planning of changes (provisional)" in new
    assert new.splitlines()[-1] == f"Replaces Demo EMS:2015+A1:2024 ({OLD})"


def test_show_as_json_gives_the_edition_fields(tmp_path, catalog):
    load_editions(tmp_path, provisional=True)
    data = json.loads(run("standards", "show", NEW, "--format", "json").stdout)
    assert {k: data[k] for k in ("edition_label", "provisional", "replaces", "replaced_by")} == {
        "edition_label": "2026",
        "provisional": True,
        "replaces": OLD,
        "replaced_by": None,
    }
    assert data["provisional_note"] == "Structure not yet checked against the published text."
    assert [r["number"] for r in data["requirements"] if r["provisional"]] == ["6.3"]
    assert "Provisional: Structure not yet checked" in run("standards", "show", NEW).stdout
