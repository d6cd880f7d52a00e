"""`pdca engagement …`, run in-process with typer's CliRunner on the test database: the lists
give the ids the other commands ask for (as JSON in the API's shape), writes run as the member
named by --as (refusals exit non-zero and write nothing), and the provider's reads are logged
in the client's activity log."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from pdca.certification.models import CycleAudit
from pdca.cli import app
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.engagements.models import AccessGrant, Engagement, EvidenceRequest, FindingLink
from tests.certification.factories import make_client
from tests.certification.programme_factories import finding, hold, new_cycle, stage
from tests.engagements.factories import document, evidence, link, secret_of

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(app, ["engagement", *map(str, args)], prog_name="pdca")


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_lists_and_show_read_from_the_members_side(personas):
    engagement = link(personas)
    assert [e["id"] for e in as_json(run("list", "-f", "json"))] == [engagement.pk]
    assert as_json(run("list", "--as", personas.employee.email, "-f", "json")) == []
    shown = as_json(run("show", engagement.pk, "--as", personas.manager.email, "-f", "json"))
    assert shown["side"] == "client" and shown["client_record"] is None
    table = run("show", engagement.pk, "--as", personas.users[Role.AUDITOR].email)
    assert table.exit_code == 0 and "Client record" in table.output
    refused = run("show", engagement.pk, "--as", personas.outsider.email)
    assert refused.exit_code == 1 and "No such engagement" in refused.output
    wrong = run("list", "--side", "both")
    assert wrong.exit_code == 2 and "--side must be one of provider, client" in wrong.output
    assert run("grants", engagement.pk, "--status", "lost").exit_code == 2


def test_invite_lists_the_clients_then_accept_lists_the_organizations(personas):
    record = make_client(personas.cb)
    body = personas.users[Role.CB_MANAGER].email
    args = ("invite", "--org", personas.cb.slug, "--email", personas.manager.email)
    missing = run(*args, "--title", "ISO 9001", "--as", body)
    assert missing.exit_code == 2 and record.reference in missing.output
    refused = run(
        *args, "--title", "ISO 9001", "--client", record.pk, "--as", personas.employee.email
    )
    assert refused.exit_code == 1 and not Engagement.objects.exists()
    result = run(*args, "--title", "ISO 9001", "--client", record.pk, "--as", body)
    assert result.exit_code == 0, result.output
    url = next(w for w in result.output.split() if w.startswith("http"))
    secret = secret_of(url)
    listed = run("accept", secret, "--as", personas.manager.email)
    assert listed.exit_code == 2 and str(personas.org.pk) in listed.output
    accepted = run(
        "accept", secret, "--organization", personas.org.pk, "--as", personas.manager.email
    )
    assert accepted.exit_code == 0, accepted.output
    assert Engagement.objects.get().status == Engagement.Status.ACTIVE


def test_grant_read_and_revoke(personas, tmp_path):
    engagement = link(personas)
    doc = document(personas.org)
    file = evidence(personas)
    manager, lead = personas.manager.email, personas.users[Role.LEAD_AUDITOR].email
    docs = as_json(run("documents", engagement.pk, "--as", manager, "-f", "json"))
    assert [d["id"] for d in docs] == [doc.pk]
    assert run("documents", engagement.pk, "--as", lead).exit_code == 1  # the client's side
    files = as_json(run("files", engagement.pk, "--as", manager, "-f", "json"))
    until = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    args = ("grant", engagement.pk, "--purpose", "Stage 1", "--until", until)
    items = ("--document", doc.pk, "--evidence", files[0]["id"], "--register", "risks")
    refused = run(*args, *items, "--as", personas.employee.email)
    assert refused.exit_code == 1 and not AccessGrant.objects.exists()
    bad = run(*args, "--register", "nope", "--as", manager)
    assert bad.exit_code == 1 and "registers" in bad.output and not AccessGrant.objects.exists()
    result = run(*args, *items, "--as", manager)
    assert result.exit_code == 0, result.output
    grants = as_json(run("grants", engagement.pk, "-f", "json"))
    assert [g["status"] for g in grants] == ["active"]
    shared = as_json(run("shared", engagement.pk, "--as", lead, "-f", "json"))
    assert [d["id"] for d in shared["documents"]] == [doc.pk]
    read = as_json(run("read", engagement.pk, "--document", doc.pk, "--as", lead))
    assert [v["number"] for v in read["versions"]] == [1]
    register = as_json(run("read", engagement.pk, "--register", "risks", "--as", lead))
    assert register["slug"] == "risks"
    out = tmp_path / "record.txt"
    assert run("download", engagement.pk, file.pk, "--out", out, "--as", lead).exit_code == 0
    assert out.read_bytes() == b"calibration record"
    reads = ActivityEntry.objects.filter(organization=personas.org, action__in=["view", "download"])
    assert reads.count() == 3 and {e.via for e in reads} == {"cli"}
    log = as_json(run("log", grants[0]["id"], "--as", manager, "-f", "json"))
    assert len(log) == 3
    assert run("revoke", grants[0]["id"], "--reason", "Done", "--as", manager).exit_code == 0
    after = run("read", engagement.pk, "--document", doc.pk, "--as", lead)
    assert after.exit_code == 1 and "Nothing shared" in after.output


def test_evidence_request_round_trip(personas):
    engagement = link(personas)
    doc = document(personas.org)
    auditor, manager = personas.users[Role.AUDITOR].email, personas.manager.email
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    asked = run(
        "request", engagement.pk, "--title", "Calibration records", "--due", due, "--as", auditor
    )
    assert asked.exit_code == 0, asked.output
    requests = as_json(run("requests", engagement.pk, "--as", manager, "-f", "json"))
    assert [r["reference"] for r in requests] == ["ER-1"]
    request_id = requests[0]["id"]
    assert run("answer", request_id, "--as", manager).exit_code == 1  # nothing attached
    result = run("answer", request_id, "--document", doc.pk, "--as", manager)
    assert result.exit_code == 0, result.output
    returned = run("review", request_id, "--return", "--as", auditor)
    assert returned.exit_code == 1 and "reason" in returned.output
    assert run("review", request_id, "--accept", "--as", auditor).exit_code == 0
    assert EvidenceRequest.objects.get().status == EvidenceRequest.Status.ACCEPTED


def test_release_findings_and_send_plan(personas):
    from pdca.improvement.models import CorrectiveAction, Nonconformity

    cycle = new_cycle(personas)
    engagement = link(personas, client=cycle.client)
    lead = personas.users[Role.LEAD_AUDITOR]
    audit = hold(
        stage(cycle, CycleAudit.Kind.STAGE2),
        timezone.localdate(),
        status="in_progress",
        lead=lead,
    )
    finding(audit, "minor", lead)
    audits = as_json(run("audits", engagement.pk, "--as", lead.email, "-f", "json"))
    assert [a["id"] for a in audits] == [audit.pk]
    assert as_json(run("audits", engagement.pk, "--as", personas.manager.email, "-f", "json")) == []
    technical = personas.users[Role.TECHNICAL_EXPERT].email
    assert run("release", engagement.pk, audit.pk, "--as", technical).exit_code == 1
    result = run("release", engagement.pk, audit.pk, "--as", lead.email)
    assert result.exit_code == 0, result.output
    links = as_json(run("findings", engagement.pk, "--as", personas.manager.email, "-f", "json"))
    nc = Nonconformity.objects.get(pk=links[0]["nonconformity"]["id"])
    assert run("send-plan", links[0]["id"], "--as", personas.manager.email).exit_code == 1
    Nonconformity.objects.filter(pk=nc.pk).update(correction="Fixed", root_cause="No schedule")
    CorrectiveAction.objects.create(
        organization=personas.org,
        nonconformity=nc,
        title="Recall schedule",
        owner=personas.manager,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    sent = run("send-plan", links[0]["id"], "--as", personas.manager.email)
    assert sent.exit_code == 0, sent.output
    assert FindingLink.objects.get().times_sent == 1


def test_end_as_a_member_and_refusals(personas):
    engagement = link(personas)
    assert run("end", engagement.pk, "--reason", "Over").exit_code == 2  # says who
    refused = run("end", engagement.pk, "--reason", "Over", "--as", personas.employee.email)
    assert refused.exit_code == 1
    assert Engagement.objects.get().status == Engagement.Status.ACTIVE
    result = run("end", engagement.pk, "--reason", "Over", "--as", personas.manager.email)
    assert result.exit_code == 0 and "ended" in result.output
    assert Engagement.objects.get().status == Engagement.Status.ENDED


def test_consultancy_dates_and_consultants(personas):
    from pdca.tenancy.models import Membership, Organization

    firm = Organization.objects.create(name="Firm", slug="firm", kind="consultancy")
    principal = personas.users[Role.CONSULTANT]
    Membership.objects.create(organization=firm, user=principal, role=Role.ADMIN)
    from pdca.engagements.services.links import accept_engagement, invite_client

    invited = invite_client(firm, email=personas.manager.email, title="IMS", actor=principal)
    engagement = accept_engagement(secret_of(invited.url), personas.org, actor=personas.manager)
    done = run(
        "consultancy",
        engagement.pk,
        "--started",
        "2025-01-06",
        "--consultant",
        principal.email,
        "--as",
        principal.email,
    )
    assert done.exit_code == 0, done.output
    engagement.refresh_from_db()
    assert engagement.started_on == dt.date(2025, 1, 6)
    assert list(engagement.consultants.all()) == [principal]
    future = run("consultancy", engagement.pk, "--started", "2999-01-01", "--as", principal.email)
    assert future.exit_code == 1 and "started_on" in future.output
    bad = run("consultancy", engagement.pk, "--started", "soon", "--as", principal.email)
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output
    engagement.refresh_from_db()
    assert engagement.started_on == dt.date(2025, 1, 6)
