"""`pdca cb certificates list|show|transition|pdf|proposals`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.certification.models import Certificate
from pdca.cli import app
from pdca.core.models import ActivityEntry
from tests.certification import certificate_factories as f

pytestmark = pytest.mark.django_db

S = Certificate.Status


def run(*args):
    return CliRunner().invoke(app, ["cb", "certificates", *args], prog_name="pdca")


def test_commands_are_listed():
    result = run("--help")
    assert result.exit_code == 0, result.output
    for command in ("list", "show", "transition", "pdf", "proposals"):
        assert command in result.output


def test_list_with_filters_as_json(personas):
    a = f.certificate(personas.cb, number="NB-000001")
    f.certificate(personas.cb, number="NB-000002", status=S.SUSPENDED)
    result = run("list", "--org", "cb", "--status", "active", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [row["number"] for row in data] == [a.number]
    assert data[0]["standards"] == [f.standard("iso9001-2015").full_name]


def test_list_as_a_member_who_may_not_see_shows_nothing(personas):
    f.certificate(personas.cb)
    result = run("list", "--as", personas.outsider.email, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []


def test_bad_status_is_refused(personas):
    result = run("list", "--status", "nope")
    assert result.exit_code == 2
    assert "--status" in result.output


def test_show_gives_the_history(personas):
    f.certificate(personas.cb, number="NB-000005", status=S.SUSPENDED, status_reason="Overdue")
    result = run("show", "NB-000005", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["number"] == "NB-000005"
    assert [e["to"] for e in data["events"]] == ["active", "suspended"]
    assert data["verification_url"].endswith("/verify/NB-000005/")
    table = run("show", "NB-000005")
    assert "Status history" in table.output


def test_show_unknown_number_fails(personas):
    result = run("show", "NB-404")
    assert result.exit_code == 1
    assert "No certificate" in result.output


def test_transition_as_a_manager_is_recorded_from_the_cli(personas):
    cert = f.certificate(personas.cb, number="NB-000006")
    result = run(
        "transition",
        "NB-000006",
        "suspended",
        "--reason",
        "Surveillance overdue",
        "--on",
        "2026-01-10",
        "--as",
        personas.users["cb_manager"].email,
    )
    assert result.exit_code == 0, result.output
    assert "is now suspended (since 2026-01-10)" in result.output
    cert.refresh_from_db()
    assert cert.status == S.SUSPENDED
    assert ActivityEntry.objects.get(object_id=str(cert.pk), action="suspend").via == "cli"


def test_transition_refusals_exit_1_and_change_nothing(personas):
    cert = f.certificate(personas.cb, number="NB-000007", status=S.WITHDRAWN)
    result = run(
        "transition",
        "NB-000007",
        "active",
        "--reason",
        "x",
        "--as",
        personas.users["cb_manager"].email,
    )
    assert result.exit_code == 1
    assert "invalid_transition" in result.output
    auditor = run(
        "transition",
        "NB-000007",
        "suspended",
        "--reason",
        "x",
        "--as",
        personas.users["auditor"].email,
    )
    assert auditor.exit_code == 1
    cert.refresh_from_db()
    assert cert.status == S.WITHDRAWN


def test_scope_reduction_by_site_name(personas):
    cert = f.certificate(personas.cb, number="NB-000008", sites=3)
    result = run(
        "transition",
        "NB-000008",
        "scope_reduced",
        "--reason",
        "Closed",
        "--site",
        "Site 2",
        "--as",
        personas.users["cb_manager"].email,
    )
    assert result.exit_code == 0, result.output
    assert list(cert.sites.values_list("name", flat=True)) == ["Site 2"]
    bad = run(
        "transition",
        "NB-000008",
        "scope_reduced",
        "--reason",
        "x",
        "--site",
        "Nowhere",
        "--as",
        personas.users["cb_manager"].email,
    )
    assert bad.exit_code == 1


def test_pdf_is_written(personas, tmp_path):
    f.certificate(personas.cb, number="NB-000009")
    target = tmp_path / "c.pdf"
    result = run("pdf", "NB-000009", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:5] == b"%PDF-"


def test_proposals(personas):
    cert = f.certificate(personas.cb, number="NB-000010", issued_on=dt.date(2024, 1, 10))
    f.surveillance(cert.cycle, dt.date(2025, 1, 10))
    result = run("proposals", "--org", "cb", "--on", "2026-01-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(p["number"], p["action"]) for p in data] == [("NB-000010", "suspend")]
    empty = run("proposals", "--org", "cb", "--on", "2024-06-01")
    assert "Nothing to propose" in empty.output
