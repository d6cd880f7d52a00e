"""What the rehearsal's outputs say: the page, the PDF (its text), and `pdca rehearse` (the
systems and their ids, a run as JSON, as a table and as PDF, the latest run, refusals)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.models import ActivityEntry
from pdca.core.testing.api_bundle import login
from pdca.core.testing.files import pdf_text
from pdca.engagements.models import Rehearsal
from pdca.engagements.rehearsal.pdf import rehearsal_pdf
from pdca.engagements.rehearsal.services import run_rehearsal

from .factories import ISMS, QMS, make_system, open_grant
from .records import nonconformity, objective

pytestmark = pytest.mark.usefixtures("catalog")


def rehearse(*args):
    return CliRunner().invoke(app, ["rehearse", *map(str, args)], prog_name="pdca")


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_page_groups_findings_by_grade_with_their_fix(client, personas):
    system = make_system(personas.org, (QMS, ISMS))
    run_rehearsal(system, actor=personas.manager)
    objective(system, started=10)
    nonconformity(system)
    second = run_rehearsal(system, actor=personas.manager)
    login(client, personas.manager)
    html = client.get(f"/rehearsal/systems/{system.pk}/").content.decode()
    assert 'id="findings-major"' in html and 'id="findings-minor"' in html
    assert "ISO 9001 9.3" in html and "ISO/IEC 27001 9.3" in html  # one issue, two citations
    assert 'href="/management-reviews/schedule/"' in html and "Fix it" in html
    assert 'data-rule="NC-01"' in html and ">new<" in html and ">still open<" in html
    assert 'id="resolved"' in html and "No objectives set" in html
    assert html.count('class="rehearsal-trend"') == 1  # two runs: a trend
    assert f'href="/rehearsal/runs/{second.pk}/pdf/"' in html
    assert "provisional" in html


def test_the_empty_state(client, personas):
    system = make_system(personas.org, (QMS,))
    login(client, personas.users["process_owner"])
    html = client.get(f"/rehearsal/systems/{system.pk}/").content.decode()
    assert 'id="rehearsal-empty"' in html and 'id="rehearsal-run"' not in html


def test_the_pdf_says_what_the_page_says(personas):
    system = make_system(personas.org, (QMS,))
    run_rehearsal(system, actor=personas.manager)
    objective(system, started=10)
    rehearsal = run_rehearsal(system, actor=personas.manager)
    text = " ".join(pdf_text(rehearsal_pdf(rehearsal, base_url="https://pdca.example")).split())
    assert "Stage 1 rehearsal: Integrated management system" in text
    assert f"Likely major nonconformities ({rehearsal.majors})" in text
    assert "ISO 9001 9.3" in text and "MR-01" in text and "No management review held" in text
    assert "Mandatory document missing: quality policy" in text
    assert "https://pdca.example/documents/coverage/" in text
    assert "1 resolved" in text and "No objectives set" in text
    assert rehearsal.rules_digest in text


def test_cli_lists_the_systems_with_their_ids(personas):
    system = make_system(personas.org, (QMS,))
    make_system(personas.other, (QMS,), name="B system")
    rows = as_json(rehearse("--systems", "--org", personas.org.slug, "--format", "json"))
    assert [(r["id"], r["name"], r["last_run_at"]) for r in rows] == [
        (system.pk, system.name, None)
    ]
    mine = as_json(rehearse("--systems", "--as", personas.outsider.email, "--format", "json"))
    assert [r["name"] for r in mine] == ["B system"]
    assert "Integrated management system" in rehearse("--systems").output


def test_cli_runs_as_the_member_named_and_prints_json(personas):
    system = make_system(personas.org, (QMS,))
    data = as_json(rehearse(system.pk, "--as", personas.manager.email, "--format", "json"))
    rehearsal = Rehearsal.objects.get()
    assert data["id"] == rehearsal.pk and data["run_by"] == personas.manager.email
    assert (
        data["majors"] == rehearsal.majors and len(data["findings"]) == rehearsal.findings.count()
    )
    assert data["comparison"]["previous_id"] is None
    assert {f["change"] for f in data["findings"]} == {"new"}
    entry = ActivityEntry.objects.get(object_type="engagements.rehearsal")
    assert entry.via == "cli" and entry.actor == personas.manager


def test_cli_table_pdf_and_latest(personas, tmp_path):
    system = make_system(personas.org, (QMS,))
    table = rehearse(system.pk, "--as", personas.manager.email)
    assert table.exit_code == 0, table.output
    assert "MR-01" in table.output and "First run" in table.output
    target = tmp_path / "run.pdf"
    made = rehearse(system.pk, "--latest", "--format", "pdf", "--output", target)
    assert made.exit_code == 0, made.output
    assert "Stage 1 rehearsal" in pdf_text(target.read_bytes())
    assert Rehearsal.objects.count() == 1  # --latest reads, it does not run
    latest = as_json(rehearse(system.pk, "--latest", "--format", "json"))
    assert latest["id"] == Rehearsal.objects.get().pk
    second = rehearse(system.pk, "--as", personas.manager.email, "--output", tmp_path / "r.txt")
    assert second.exit_code == 0 and "still open" in (tmp_path / "r.txt").read_text()


def test_cli_refusals_write_nothing(personas):
    system = make_system(personas.org, (QMS,))
    assert rehearse(system.pk).exit_code == 2  # says who
    assert rehearse().exit_code == 2  # which system
    assert rehearse(system.pk, "--format", "xml").exit_code == 2
    assert rehearse("--systems", "--format", "pdf").exit_code == 2
    refused = rehearse(system.pk, "--as", personas.employee.email)
    assert refused.exit_code == 1 and "may not" in refused.output
    assert rehearse(system.pk, "--as", personas.outsider.email).exit_code == 1
    assert rehearse(999999, "--as", personas.manager.email).exit_code == 1
    assert rehearse(system.pk, "--latest").exit_code == 1  # none yet
    assert not Rehearsal.objects.exists()


def test_cli_for_a_body_member_under_a_grant_is_logged(personas, tmp_path):
    system = make_system(personas.org, (QMS,))
    grant = open_grant(personas, system)
    auditor = personas.users["lead_auditor"]
    rows = as_json(rehearse("--systems", "--as", auditor.email, "--format", "json"))
    assert [(r["id"], r["via_grant"]) for r in rows] == [(system.pk, grant.pk)]
    data = as_json(rehearse(system.pk, "--as", auditor.email, "--format", "json"))
    assert data["run_for"] == personas.cb.slug
    target = tmp_path / "cb.pdf"
    assert (
        rehearse(
            system.pk, "--latest", "--as", auditor.email, "--format", "pdf", "-o", target
        ).exit_code
        == 0
    )
    logged = ActivityEntry.objects.filter(
        organization=personas.org, action__in=["view", "download"]
    )
    assert [e.action for e in logged.order_by("seq")] == ["view", "download"]
    assert all(e.via == "cli" and f"G-{grant.pk}" in e.message for e in logged)
    grant.revoked_at = grant.starts_at
    grant.save(update_fields=["revoked_at"])
    assert rehearse(system.pk, "--latest", "--as", auditor.email).exit_code == 1
