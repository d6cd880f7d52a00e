"""`pdca cb cycles|programme|findings|decide`: lists show the ids the other commands ask for;
refusals exit 1 and write nothing."""

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.certification.models import CertificationDecision, CycleAudit, FindingReview
from pdca.cli import app
from pdca.core.roles import Role
from tests.certification.programme_factories import (
    accepted_application,
    finding,
    hold,
)

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args):
    return CliRunner().invoke(app, ["cb", *args], prog_name="pdca")


def test_cycles_programme_findings_and_decide(personas, catalog):
    manager = personas.users[Role.CB_MANAGER].email
    decider = personas.users[Role.CERTIFICATION_DECISION_MAKER].email
    application = accepted_application(personas.cb)
    opened = run("cycles", "open", str(application.pk), "--org", "cb", "--as", manager)
    assert opened.exit_code == 0, opened.output
    listed = json.loads(run("cycles", "list", "--org", "cb", "--format", "json").output)
    assert [row["number"] for row in listed] == [1]
    cycle_id = listed[0]["id"]
    shown = json.loads(
        run("cycles", "show", str(cycle_id), "--org", "cb", "--format", "json").output
    )
    assert [a["audit"] for a in shown["audits"]] == ["Stage 1", "Stage 2"]
    calendar = json.loads(
        run("programme", "--org", "cb", "--months", "12", "--format", "json").output
    )
    assert {row["audit"] for row in calendar} == {"Stage 1", "Stage 2"}
    assert run("programme", "--org", "cb", "--month", "2027-13").exit_code == 1
    s1 = CycleAudit.objects.get(kind="stage1")
    audit = hold(s1, dt.date.today() - dt.timedelta(days=3))
    finding(audit, "minor", personas.users[Role.LEAD_AUDITOR])
    reviews = json.loads(run("findings", "list", "--org", "cb", "--format", "json").output)
    review_id = str(reviews[0]["id"])
    bad = run(
        "findings",
        "answer",
        review_id,
        "--org",
        "cb",
        "--as",
        manager,
        "--correction",
        "",
        "--root-cause",
        "b",
        "--corrective-action",
        "c",
    )
    assert bad.exit_code == 1 and "correction" in bad.output
    assert FindingReview.objects.get().plan_status == "awaited"
    ok = run(
        "findings",
        "answer",
        review_id,
        "--org",
        "cb",
        "--as",
        manager,
        "--correction",
        "a",
        "--root-cause",
        "b",
        "--corrective-action",
        "c",
    )
    assert ok.exit_code == 0, ok.output
    assert run("findings", "reject", review_id, "--org", "cb", "--as", manager).exit_code == 1
    assert run("findings", "accept", review_id, "--org", "cb", "--as", manager).exit_code == 0
    verified = run(
        "findings",
        "verify",
        review_id,
        "--org",
        "cb",
        "--as",
        manager,
        "--method",
        "next_audit",
        "--notes",
        "Seen",
    )
    assert verified.exit_code == 0, verified.output
    refused = run("decide", str(cycle_id), "--org", "cb", "--as", decider, "--outcome", "granted")
    assert refused.exit_code == 1 and "Audit report issued" in refused.output
    assert not CertificationDecision.objects.exists()
    done = run(
        "decide",
        str(cycle_id),
        "--org",
        "cb",
        "--as",
        decider,
        "--outcome",
        "refused",
        "--notes",
        "Stage 2 not held",
    )
    assert done.exit_code == 0, done.output
    assert CertificationDecision.objects.get().outcome == "refused"
