"""A certification body conducts its audits with the audits capability: its findings open no
nonconformity in its own register (the client owns the nonconformity; the body follows the
answer in its finding reviews), so a body's audit closes with major and minor findings."""

from __future__ import annotations

import pytest

from pdca.audits.models import Audit
from pdca.audits.services import open_nonconformity_findings, transition_audit
from pdca.core.roles import Role
from pdca.improvement.models import Nonconformity
from tests.certification.programme_factories import finding, hold, new_cycle, stage

pytestmark = pytest.mark.django_db


def test_a_bodys_audit_closes_with_its_findings(personas):
    manager = personas.users[Role.CB_MANAGER]
    cycle = new_cycle(personas)
    audit = hold(stage(cycle, "stage1"), cycle.client.created_at.date())
    finding(audit, "major", manager)
    finding(audit, "minor", manager, title="Training records incomplete")
    assert not Nonconformity.objects.filter(organization=personas.cb).exists()
    assert open_nonconformity_findings(audit) == []
    transition_audit(audit, Audit.Status.CLOSED, actor=manager)
    assert Audit.objects.get(pk=audit.pk).status == Audit.Status.CLOSED


def test_an_organizations_audit_still_waits_for_its_nonconformities(personas):
    audit = Audit.objects.create(
        organization=personas.org,
        title="Internal",
        start_date="2026-11-01",
        end_date="2026-11-01",
        status=Audit.Status.REPORT_ISSUED,
    )
    from pdca.audits.models import Finding

    Finding.objects.create(
        organization=personas.org,
        audit=audit,
        number=1,
        grade="major",
        title="No review",
        evidence="-",
        statement="-",
    )
    assert [f.number for f in open_nonconformity_findings(audit)] == [1]
