"""`pdca audit report|list`, run in-process with typer's CliRunner on the test database (the
sub-app directly: the lead mounts it as `pdca audit`)."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest
from typer.testing import CliRunner

from pdca.audits.cli import app
from pdca.audits.report import issue as report_issue
from tests.audits.test_findings import make_audit, raise_minor, ready_to_issue

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], prog_name="pdca audit")


def text_of(path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


def test_report_writes_the_draft_when_none_is_issued(personas, catalog, tmp_path):
    audit = make_audit(personas.org)
    raise_minor(audit, personas.manager)
    out = tmp_path / "draft.pdf"
    result = run("report", audit.pk, "--pdf", out)
    assert result.exit_code == 0, result.output
    assert "DRAFT" in result.output
    text = text_of(out)
    assert "IA-2026-01" in text and "DRAFT" in text


def test_report_writes_the_stored_issued_revision(personas, catalog, tmp_path):
    audit = make_audit(personas.org)
    raise_minor(audit, personas.manager)
    ready_to_issue(audit)
    first = report_issue.issue_report(audit, actor=personas.manager)
    report_issue.start_revision(audit, actor=personas.manager, reason="Wording")
    second = report_issue.issue_report(audit, actor=personas.manager)
    latest, rev1 = tmp_path / "latest.pdf", tmp_path / "rev1.pdf"
    result = run("report", audit.pk, "--pdf", latest)
    assert result.exit_code == 0, result.output
    assert "issued revision 2" in result.output
    assert hashlib.sha256(latest.read_bytes()).hexdigest() == second.sha256
    result = run("report", audit.pk, "--pdf", rev1, "--revision", 1)
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(rev1.read_bytes()).hexdigest() == first.sha256


def test_report_errors(personas, catalog, tmp_path):
    audit = make_audit(personas.org)
    result = run("report", 999999, "--pdf", tmp_path / "x.pdf")
    assert result.exit_code == 1
    assert "No audit with id 999999" in result.output
    result = run("report", audit.pk, "--pdf", tmp_path / "x.pdf", "--revision", 3)
    assert result.exit_code == 1
    assert "no issued revision 3 (issued: none)" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_list(personas, catalog):
    audit = make_audit(personas.org, title="Welding audit")
    raise_minor(audit, personas.manager)
    make_audit(personas.other, "OTHER-1", title="Not ours")
    result = run("list", "--org", "org-a")
    assert result.exit_code == 0, result.output
    assert "IA-2026-01" in result.output and "Welding" in result.output
    assert "OTHER-1" not in result.output
    result = run("list", "--org", "nope")
    assert result.exit_code == 1
    assert "No organization with the short name 'nope'" in result.output


LONG = "Obsolete drawing revision at machine 4"


@pytest.fixture
def audits(personas, catalog):
    ours = make_audit(personas.org, title=LONG)
    raise_minor(ours, personas.manager)
    theirs = make_audit(personas.other, "OTHER-1", title="Not ours", status="planned")
    return ours, theirs


def test_list_as_json_gives_the_ids_report_takes(audits):
    ours, _ = audits
    result = run("list", "--org", "org-a", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "id": ours.pk,
            "organization": "org-a",
            "reference": "IA-2026-01",
            "title": LONG,
            "type": "internal",
            "start_date": "2026-03-02",
            "end_date": "2026-03-03",
            "status": "reporting",
            "findings": 1,
            "report_revision": None,
            "archived": False,
        }
    ]


def test_list_of_every_organization_keeps_long_titles_whole(audits):
    ours, theirs = audits
    result = run("list")
    assert result.exit_code == 0, result.output
    assert LONG in result.output and "…" not in result.output
    rows = {
        cells[0]: cells
        for line in result.output.splitlines()
        if line.startswith("│")
        for cells in [[c.strip() for c in line.split("│")[1:-1]]]
    }
    assert rows[str(ours.pk)] == [
        str(ours.pk),
        "org-a",
        "IA-2026-01",
        LONG,
        "Internal audit",
        "2026-03-02 to 2026-03-03",
        "Reporting",
        "1",
        "draft",
    ]
    assert rows[str(theirs.pk)][1:3] == ["org-b", "OTHER-1"]
    assert "2 audit(s)." in result.output


@pytest.mark.parametrize(
    ("args", "references"),
    [
        (("--as", "employee@a.example"), ["IA-2026-01"]),
        (("--as", "manager@b.example"), ["OTHER-1"]),
        (("--as", "manager@b.example", "--org", "org-a"), []),
        (("--status", "planned"), ["OTHER-1"]),
    ],
)
def test_list_is_scoped_to_what_the_member_may_see(audits, args, references):
    result = run("list", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["reference"] for row in json.loads(result.output)] == references


def test_list_refuses_an_unknown_status(personas):
    result = run("list", "--status", "lost")
    assert result.exit_code == 2
    assert "--status must be one of" in result.output
