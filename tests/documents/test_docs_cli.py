"""`pdca docs list|versions|export`, run in-process with typer's CliRunner on the test database."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import typer
from django.utils import timezone
from docx import Document as Docx
from typer.testing import CliRunner

from pdca.documents.docs_cli import app as docs_app
from pdca.documents.models import DocumentVersion
from tests.documents.test_coverage import make_doc, make_version

# Mounted here as the project's `pdca` command mounts it, so the tests do not depend on it.
root = typer.Typer()
root.add_typer(docs_app, name="docs")
Status = DocumentVersion.Status


def run(*args):
    return CliRunner().invoke(root, [str(a) for a in args], prog_name="pdca")


@pytest.fixture
def register(personas):
    org, manager = personas.org, personas.manager
    today = timezone.localdate()
    policy = make_doc(
        org,
        "POL-001",
        "Quality policy",
        doc_type="policy",
        owner=manager,
        review_due=today + dt.timedelta(days=10),
    )
    make_version(policy, manager, 1, Status.SUPERSEDED, "# Quality policy\n\nOld words.")
    make_version(
        policy,
        manager,
        2,
        Status.PUBLISHED,
        "# Quality policy\n\nWe **listen** to customers.",
        effective_date=dt.date(2026, 1, 15),
    )
    make_version(policy, manager, 3, Status.DRAFT, "# Quality policy\n\nNew words.")
    draft_only = make_doc(org, "QP-001", "Purchasing", review_due=today + dt.timedelta(days=90))
    make_version(draft_only, manager, 1, Status.IN_REVIEW, "Buy well.")
    make_doc(org, "QP-002", "Empty")
    make_doc(personas.other, "POL-009", "Their policy")
    return policy


@pytest.mark.parametrize(
    ("command", "says"),
    [("list", "--review-due"), ("versions", "--format"), ("export", "--docx")],
)
def test_every_command_has_help(command, says):
    result = run("docs", command, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: pdca docs {command} [OPTIONS]" in result.output
    assert says in result.output


def test_list_as_json(personas, register):
    result = run("docs", "list", "--org", "org-a", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["code"] for r in rows] == ["POL-001", "QP-001", "QP-002"]
    assert rows[0] == {
        "code": "POL-001",
        "title": "Quality policy",
        "kind": "maintained",
        "type": "policy",
        "owner": "system_manager@a.example",
        "state": "Published v2 · v3 draft",
        "published_version": 2,
        "latest_version": 3,
        "review_due": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
    }
    assert (rows[1]["state"], rows[2]["state"]) == ("In review v1", "No version yet")


def test_list_review_due_as_a_table(personas, register):
    result = run("docs", "list", "--org", "org-a", "--review-due")
    assert result.exit_code == 0, result.output
    assert "POL-001" in result.output and "QP-001" not in result.output
    assert "1 document(s)." in result.output


@pytest.mark.django_db
def test_list_errors():
    assert run("docs", "list", "--org", "org-a", "--format", "xml").exit_code == 2
    result = run("docs", "list", "--org", "nowhere")
    assert result.exit_code == 1
    assert "No organization with the short name 'nowhere'." in result.output


@pytest.mark.parametrize(
    ("email", "codes"),
    [
        ("employee@a.example", ["POL-001", "QP-001", "QP-002"]),
        ("manager@b.example", []),
    ],
)
def test_list_as_a_member_shows_only_what_they_may_see(personas, register, email, codes):
    result = run("docs", "list", "--org", "org-a", "--as", email, "-f", "json")
    assert result.exit_code == 0, result.output
    assert [row["code"] for row in json.loads(result.output)] == codes


def test_list_as_a_table_keeps_long_titles_whole(personas, register):
    register.title = "Obsolete drawing revision at machine 4"
    register.save()
    result = run("docs", "list", "--org", "org-a")
    assert result.exit_code == 0, result.output
    assert "Obsolete drawing revision at machine 4" in result.output
    assert "…" not in result.output


def test_versions_lists_the_numbers_export_takes(personas, register):
    result = run("docs", "versions", "pol-001", "--org", "org-a", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["number"], r["status"]) for r in rows] == [
        (3, "draft"),
        (2, "published"),
        (1, "superseded"),
    ]
    assert rows[1] == {
        "number": 2,
        "status": "published",
        "author": "system_manager@a.example",
        "created_at": register.versions.get(number=2).created_at.isoformat(),
        "approved_by": None,
        "approved_at": None,
        "published_at": None,
        "effective_date": "2026-01-15",
        "change_summary": "",
    }
    table = run("docs", "versions", "POL-001", "--org", "org-a")
    assert table.exit_code == 0, table.output
    assert "Versions of POL-001 Quality policy" in table.output
    assert "Superseded" in table.output and "2026-01-15" in table.output


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("QP-002", "--org", "org-a"), 0, "QP-002 has no version yet."),
        (("POL-009", "--org", "org-a"), 1, "`pdca docs list --org org-a` shows the codes."),
        (("POL-001", "--org", "org-a", "--as", "manager@b.example"), 1, "No document"),
        (("POL-001", "--org", "org-a", "--format", "xml"), 2, "--format must be table or json"),
    ],
)
def test_versions_errors(personas, register, args, code, says):
    result = run("docs", "versions", *args)
    assert result.exit_code == code, result.output
    assert says in " ".join(result.output.split())


@pytest.mark.django_db
def test_list_needs_the_organization():
    result = run("docs", "list")
    assert result.exit_code == 2
    assert "--org" in result.output


def test_export_the_published_version(personas, register, tmp_path):
    md, docx, pdf = tmp_path / "p.md", tmp_path / "p.docx", tmp_path / "p.pdf"
    result = run(
        "docs", "export", "pol-001", "--org", "org-a", "--md", md, "--docx", docx, "--pdf", pdf
    )
    assert result.exit_code == 0, result.output
    assert "POL-001 v2 (published): Markdown written to" in result.output
    assert md.read_text() == "# Quality policy\n\nWe **listen** to customers."
    document = Docx(io.BytesIO(docx.read_bytes()))
    assert [[c.text for c in row.cells] for row in document.tables[0].rows][2:5] == [
        ["Version", "2"],
        ["Status", "Published"],
        ["Effective date", "2026-01-15"],
    ]
    assert pdf.read_bytes().startswith(b"%PDF")


def test_export_a_given_version_and_the_latest_without_a_published_one(
    personas, register, tmp_path
):
    md = tmp_path / "v1.md"
    assert (
        run("docs", "export", "POL-001", "--org", "org-a", "--md", md, "--version", 1).exit_code
        == 0
    )
    assert md.read_text() == "# Quality policy\n\nOld words."
    result = run("docs", "export", "QP-001", "--org", "org-a", "--md", md)
    assert result.exit_code == 0, result.output
    assert md.read_text() == "Buy well."
    assert "QP-001 v1 (in review)" in result.output


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("POL-001", "--org", "org-a"), 2, "Give at least one of --pdf FILE"),
        (("POL-009", "--org", "org-a", "--md", "x.md"), 1, "No document with the code 'POL-009'"),
        (
            ("POL-001", "--org", "org-a", "--md", "x.md", "--version", 7),
            1,
            "POL-001 has no version 7.",
        ),
        (("QP-002", "--org", "org-a", "--md", "x.md"), 1, "QP-002 has no version yet."),
        (("POL-001", "--org", "nowhere", "--md", "x.md"), 1, "No organization with the short name"),
    ],
)
def test_export_errors(personas, register, tmp_path, monkeypatch, args, code, says):
    monkeypatch.chdir(tmp_path)
    result = run("docs", "export", *args)
    assert result.exit_code == code, result.output
    assert says in " ".join(result.output.split())
    assert not (tmp_path / "x.md").exists()


def test_export_to_a_folder_that_does_not_exist(personas, register, tmp_path):
    result = run("docs", "export", "POL-001", "--org", "org-a", "--md", tmp_path / "no" / "x.md")
    assert result.exit_code == 1
    assert "Cannot write" in result.output
