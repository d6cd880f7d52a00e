"""`pdca registers …`: list the registers, show and export an organization's entries, and
import a workbook as a member (all or nothing)."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook
from rich.console import Console
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.models import ActivityEntry
from pdca.system.models import ContextIssue

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def runner(monkeypatch):
    # The module's console was sized when first imported: make it wide, or tables wrap words.
    monkeypatch.setattr("pdca.core.registers.cli.console", Console(width=200))
    monkeypatch.setattr("pdca.cli.setup_django", lambda: None)
    return CliRunner()


def _workbook(path, rows):
    book = Workbook()
    book.active.title = "Context issues"
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


def test_list_names_every_register(runner):
    result = runner.invoke(app, ["registers", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "processes" in result.output and "ai-systems" in result.output


def test_show_and_export(runner, personas, tmp_path):
    ContextIssue.objects.create(
        organization=personas.org, title="Energy prices", origin="external", category="economic"
    )
    result = runner.invoke(app, ["registers", "show", "context-issues", "--org", "org-a"])
    assert result.exit_code == 0, result.output
    assert "Energy prices" in result.output
    out = tmp_path / "issues.xlsx"
    result = runner.invoke(
        app, ["registers", "export", "context-issues", "--org", "org-a", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def test_import_as_a_member_and_refusals(runner, personas, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    _workbook(good, [["Title", "Origin", "Category"], ["Brexit", "External", "Political"]])
    _workbook(bad, [["Title", "Origin", "Category"], ["Brexit", "Upwards", "Political"]])
    args = ["registers", "import", "context-issues"]
    result = runner.invoke(
        app, [*args, str(bad), "--org", "org-a", "--as", "system_manager@a.example"]
    )
    assert result.exit_code == 1
    assert "Context issues!B2" in result.output
    assert not ContextIssue.objects.exists()
    result = runner.invoke(app, [*args, str(good), "--org", "org-a", "--as", "employee@a.example"])
    assert result.exit_code == 1
    assert not ContextIssue.objects.exists()
    result = runner.invoke(
        app, [*args, str(good), "--org", "org-a", "--as", "system_manager@a.example"]
    )
    assert result.exit_code == 0, result.output
    issue = ContextIssue.objects.get()
    assert ActivityEntry.objects.get(object_id=str(issue.pk), action="create").via == "cli"


def test_unknown_register_exits_2(runner):
    result = runner.invoke(app, ["registers", "show", "dragons", "--org", "org-a"])
    assert result.exit_code == 2
    assert "no register 'dragons'" in result.output


@pytest.mark.parametrize(
    ("email", "titles"),
    [
        (None, ["Obsolete drawing revision at machine 4", "Theirs to fix"]),
        ("system_manager@a.example", ["Obsolete drawing revision at machine 4", "Theirs to fix"]),
        ("employee@a.example", ["Obsolete drawing revision at machine 4"]),
        ("manager@b.example", []),
    ],
)
def test_show_as_a_member_lists_only_what_they_may_see(runner, personas, email, titles):
    from tests.improvement.test_analytics import at, make_nc

    mine = make_nc(
        personas.org,
        1,
        at(2026, 1, 1),
        title="Obsolete drawing revision at machine 4",
        reported_by=personas.employee,
    )
    make_nc(personas.org, 2, at(2026, 1, 2), title="Theirs to fix")
    make_nc(personas.other, 1, at(2026, 1, 1), title="Another organization's")
    args = ["registers", "show", "nonconformities", "--org", "org-a", "--format", "json"]
    result = runner.invoke(app, args + (["--as", email] if email else []))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert sorted(row["title"] for row in rows) == titles
    if titles and email == "employee@a.example":
        assert rows[0]["id"] == mine.pk


def test_show_as_a_table_gives_the_ids_and_whole_cells(personas):
    # The shared console, not a wide one: the output is not a terminal, so nothing is cut.
    ContextIssue.objects.create(
        organization=personas.org,
        title="Obsolete drawing revision at machine 4",
        origin="external",
        category="economic",
    )
    issue = ContextIssue.objects.get()
    result = CliRunner().invoke(app, ["registers", "show", "context-issues", "--org", "org-a"])
    assert result.exit_code == 0, result.output
    assert "Obsolete drawing revision at machine 4" in result.output
    assert "…" not in result.output
    row = next(line for line in result.output.splitlines() if "Obsolete" in line)
    assert row.split("│")[1].strip() == str(issue.pk)


def test_show_refuses_an_unknown_archived_choice(runner, personas):
    result = runner.invoke(
        app, ["registers", "show", "context-issues", "--org", "org-a", "--archived", "maybe"]
    )
    assert result.exit_code == 2
    assert "--archived must be no, yes or all, not 'maybe'." in result.output
