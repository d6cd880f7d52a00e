"""`pdca registers …`: list the registers, show and export an organization's entries, and
import a workbook as a member (all or nothing)."""

from __future__ import annotations

import io

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
