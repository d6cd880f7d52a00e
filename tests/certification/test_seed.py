"""`pdca cb seed-scale`: the benchmark's certification body, built by bulk inserts, with the
shape the benchmark relies on (fifteen audits, ten findings per held audit, a certificate per
decided cycle) and refusing to overwrite an existing organization."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from pdca.audits.models import Audit, Finding
from pdca.certification.models import Certificate, Client, CycleAudit, FindingReview
from pdca.certification.seed import AUDITS_PER_CLIENT, seed_certification_body
from pdca.cli import app

pytestmark = pytest.mark.django_db


def test_seed_builds_the_history_of_each_client():
    result = seed_certification_body("seed-test", clients=3, today=dt.date(2026, 12, 6))
    org = result.organization
    assert org.kind == "certification_body"
    assert Client.objects.filter(organization=org).count() == 3
    assert CycleAudit.objects.filter(organization=org).count() == 3 * AUDITS_PER_CLIENT == 45
    assert result.audits == 45
    held = Audit.objects.filter(organization=org, status="closed").count()
    assert Finding.objects.filter(organization=org).count() == held * 10 == result.findings
    assert FindingReview.objects.filter(organization=org).count() == held * 4
    certificates = Certificate.objects.filter(organization=org)
    assert certificates.count() == result.certificates == 15
    assert certificates.filter(status="renewed").count() == 12
    with pytest.raises(ValueError, match="exists already"):
        seed_certification_body("seed-test", clients=1)


def test_seed_command_reports_what_it_built():
    result = CliRunner().invoke(
        app, ["cb", "seed-scale", "--slug", "seed-cli", "--clients", "2"], prog_name="pdca"
    )
    assert result.exit_code == 0, result.output
    assert "2 clients, 30 audits" in result.output
    again = CliRunner().invoke(app, ["cb", "seed-scale", "--slug", "seed-cli"], prog_name="pdca")
    assert again.exit_code == 1
