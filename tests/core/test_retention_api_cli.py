"""Retention periods and disposal through the API and the CLI, with the permission matrix."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.models import ActivityEntry, RetentionPeriod
from pdca.core.roles import MANAGERS, OVERSEERS, Role
from pdca.core.testing.api_bundle import ROLES, login
from pdca.system.models import Process

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(app, list(args), prog_name="pdca")


def _archived(org, user, years_ago: float, name: str = "Old line") -> Process:
    process = Process.objects.create(organization=org, code=name[:10], name=name)
    Process.objects.filter(pk=process.pk).update(
        archived_at=timezone.now() - dt.timedelta(days=365 * years_ago),
        archived_by=user,
        archive_reason="Line sold",
    )
    return process


@pytest.mark.parametrize("role", ROLES)
def test_reading_retention_by_role(client, personas, role):
    user = personas.users[role]
    org = personas.org_for(role)
    login(client, user)
    response = client.get(f"/api/v1/retention/?organization={org.slug}")
    if role in OVERSEERS:
        assert response.status_code == 200, response.content
        rows = {r["record_type"]: r for r in response.json()}
        assert rows["audit"] == {
            "record_type": "audit",
            "label": "Audits, programmes and their reports",
            "years": 4,
            "default_years": 4,
        }
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_setting_retention_by_role(client, personas, role):
    user = personas.users[role]
    org = personas.org_for(role)
    login(client, user)
    body = {"organization": org.slug, "years": 7}
    response = client.put("/api/v1/retention/nonconformity/", body, content_type="application/json")
    stored = RetentionPeriod.objects.filter(organization=org, record_type="nonconformity")
    if role in MANAGERS:
        assert response.status_code == 200, response.content
        assert response.json()["years"] == 7
        assert stored.get().years == 7
        entry = ActivityEntry.objects.get(organization=org, object_type="core.retentionperiod")
        assert entry.changes == {"years": [4, 7]}
    else:
        assert response.status_code in (403, 404)
        assert not stored.exists()


def test_bad_retention_input_is_a_clear_4xx_and_writes_nothing(client, personas):
    login(client, personas.manager)
    org = personas.org.slug
    for body, status, field in (
        ({"organization": org, "years": 0}, 422, "years"),
        ({"organization": org, "years": 101}, 422, "years"),
        ({"organization": org, "years": "many"}, 422, "years"),
        ({"organization": org}, 422, "years"),
    ):
        response = client.put("/api/v1/retention/audit/", body, content_type="application/json")
        assert response.status_code == status, (body, response.content)
        assert field in {e["field"] for e in response.json()["errors"]}
    unknown = client.put(
        "/api/v1/retention/shoeboxes/",
        {"organization": org, "years": 3},
        content_type="application/json",
    )
    assert unknown.status_code == 404
    assert not RetentionPeriod.objects.exists()
    login(client, personas.outsider)
    response = client.put(
        "/api/v1/retention/audit/",
        {"organization": org, "years": 3},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_disposal_due_follows_the_organization_retention(client, personas):
    old = _archived(personas.org, personas.manager, 5)
    _archived(personas.org, personas.manager, 1, name="Recent")
    _archived(personas.other, personas.outsider, 9, name="Theirs")
    login(client, personas.manager)
    due = client.get(f"/api/v1/records/due/?organization={personas.org.slug}").json()
    assert [(r["register_slug"], r["id"]) for r in due] == [("processes", old.pk)]
    RetentionPeriod.objects.create(organization=personas.org, record_type="process", years=6)
    assert client.get(f"/api/v1/records/due/?organization={personas.org.slug}").json() == []


def test_cli_archives_restores_and_disposes_with_the_members_permissions(personas):
    process = Process.objects.create(organization=personas.org, code="P-1", name="Old line")
    manager = personas.manager.email
    employee = personas.users[Role.EMPLOYEE].email
    refused = run(
        "records",
        "archive",
        "processes",
        str(process.pk),
        "--org",
        "org-a",
        "--reason",
        "Sold",
        "--as",
        employee,
    )
    assert refused.exit_code == 1
    process.refresh_from_db()
    assert process.archived_at is None
    done = run(
        "records",
        "archive",
        "processes",
        str(process.pk),
        "--org",
        "org-a",
        "--reason",
        "Sold",
        "--as",
        manager,
    )
    assert done.exit_code == 0, done.output
    process.refresh_from_db()
    assert process.archive_reason == "Sold"
    shown = run("registers", "show", "processes", "--org", "org-a", "-f", "json")
    assert process.pk not in [r["id"] for r in json.loads(shown.output)]
    shown = run(
        "registers", "show", "processes", "--org", "org-a", "-f", "json", "--archived", "yes"
    )
    assert [r["id"] for r in json.loads(shown.output)] == [process.pk]
    early = run(
        "records",
        "dispose",
        "processes",
        str(process.pk),
        "--org",
        "org-a",
        "--reason",
        "Over",
        "--as",
        manager,
    )
    assert early.exit_code == 1
    assert "must be kept until" in early.output
    Process.objects.filter(pk=process.pk).update(
        archived_at=timezone.now() - dt.timedelta(days=3000)
    )
    due = run("records", "due", "--org", "org-a", "-f", "json")
    assert [r["id"] for r in json.loads(due.output)] == [process.pk]
    gone = run(
        "records",
        "dispose",
        "processes",
        str(process.pk),
        "--org",
        "org-a",
        "--reason",
        "Over",
        "--as",
        manager,
    )
    assert gone.exit_code == 0, gone.output
    assert not Process.objects.filter(pk=process.pk).exists()
    entry = ActivityEntry.objects.get(action="dispose")
    assert entry.via == "cli" and entry.message == "Over"
    assert entry.changes["name"] == ["Old line", None]


def test_cli_retention_lists_and_sets(personas):
    listed = run("records", "retention", "--org", "org-a", "-f", "json")
    assert {r["record_type"] for r in json.loads(listed.output)} >= {"audit", "document"}
    bad = run(
        "records", "set-retention", "audit", "0", "--org", "org-a", "--as", personas.manager.email
    )
    assert bad.exit_code == 1
    ok = run(
        "records", "set-retention", "audit", "6", "--org", "org-a", "--as", personas.manager.email
    )
    assert ok.exit_code == 0, ok.output
    assert RetentionPeriod.objects.get(record_type="audit").years == 6
