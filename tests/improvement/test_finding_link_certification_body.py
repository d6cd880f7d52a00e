"""A certification body's findings open no nonconformity in the body's own register: the body
reviews its client's answer instead (certification finding reviews)."""

import datetime as dt

import pytest

from pdca.audits.findings import raise_finding
from pdca.audits.models import Audit
from pdca.core.roles import Role
from pdca.improvement.models import ImprovementOpportunity, Nonconformity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("grade", ["major", "minor", "ofi"])
def test_findings_of_a_certification_body_open_nothing_in_its_registers(personas, grade):
    lead = personas.users[Role.LEAD_AUDITOR]
    audit = Audit.objects.create(
        organization=personas.cb,
        title="Stage 2: a client",
        audit_type="stage2",
        start_date=dt.date(2027, 3, 1),
        end_date=dt.date(2027, 3, 2),
        status=Audit.Status.IN_PROGRESS,
    )
    found = raise_finding(
        audit,
        actor=lead,
        grade=grade,
        title="Gauges",
        requirement_statement="r",
        evidence="e",
        statement="s",
    )
    found.refresh_from_db()
    assert found.nonconformity_id is None
    assert not Nonconformity.objects.filter(organization=personas.cb).exists()
    assert not ImprovementOpportunity.objects.filter(organization=personas.cb).exists()
