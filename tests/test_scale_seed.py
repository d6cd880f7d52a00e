"""`pdca seed-scale` (src/pdca/scale): PostgreSQL only, refuses to run twice, and the data it
makes is what the pages read (the small seed here; `make bench-scale` uses the large one)."""

from __future__ import annotations

import pytest
from django.db import connection
from typer.testing import CliRunner

from pdca.audits.models import Audit, Finding
from pdca.certification.models import Certificate, Client
from pdca.cli import app
from pdca.documents.models import Document
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.risks.models import Risk
from pdca.risks.risk_rules import REQUIRED_FIELDS
from pdca.scale.purge import purge_organizations
from pdca.scale.seed import SMALL, SeedRefused, plan, sizes_for
from pdca.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="seed-scale runs on PostgreSQL only"
)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is SQLite's")
def test_sqlite_is_refused_with_a_clear_message(catalog):
    result = CliRunner().invoke(app, ["seed-scale", "--small"])
    assert result.exit_code == 1
    assert "PostgreSQL only" in result.output
    assert not Organization.objects.filter(slug__startswith="scale-").exists()


def test_sizes_follow_the_programme_of_fifteen_audits_a_client():
    assert sizes_for(clients=20).audits == 300
    with pytest.raises(SeedRefused, match="--audits must be 15"):
        sizes_for(clients=20, audits=100).check()


def _seed():
    for step in plan(SMALL):
        step.run(lambda done, total: None)


@postgresql_only
def test_the_small_seed_makes_what_the_pages_read_and_refuses_a_second_run(catalog):
    _seed()
    body = Organization.objects.get(slug="scale-cb-small")
    org = Organization.objects.get(slug="scale-org-small")
    assert Client.objects.filter(organization=body).count() == 10
    assert Audit.objects.filter(organization=body).count() == 151  # and the 500-finding one
    assert Finding.objects.filter(audit__reference="SCALE-REPORT-500").count() == 500
    assert Certificate.objects.filter(organization=body).count() == 50
    assert Membership.objects.filter(organization=org).count() == 20
    assert Document.objects.filter(organization=org).count() == 50
    assert Risk.objects.filter(organization=org).count() == 200
    ncs = Nonconformity.objects.filter(organization=org)
    assert ncs.count() == 100
    assert CorrectiveAction.objects.filter(organization=org).exists()
    # Ten years of history, and a consistent workflow (an implemented one has its date).
    assert (
        ncs.latest("created_at").created_at - ncs.earliest("created_at").created_at
    ).days > 9 * 365 - 200
    assert not ncs.filter(status="implemented", implemented_at__isnull=True).exists()
    # Every variant of risk has the fields its rules ask for.
    for kind, fields in REQUIRED_FIELDS.items():
        for name in fields:
            assert not Risk.objects.filter(organization=org, kind=kind, **{name: ""}).exists()
    result = CliRunner().invoke(app, ["seed-scale", "--small"])
    assert result.exit_code == 1
    assert "exist already" in result.output
    assert purge_organizations(["scale-cb-small", "scale-org-small"]) == 2
    assert not Organization.objects.filter(slug__startswith="scale-").exists()
