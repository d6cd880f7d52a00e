"""Who reported a nonconformity, named wherever it is shown: the person who reported it, or for
one an audit finding opened, the audit, the finding and its auditor, never a bare dash."""

from __future__ import annotations

import pytest

from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import Nonconformity
from pdca.improvement.reporter import reporter
from pdca.improvement.reporting import report_nonconformity
from tests.audits.test_findings import ISO9001, make_audit, raise_minor, requirement

pytestmark = pytest.mark.django_db
TASKS = "/nonconformities/tasks/"


def from_audit(personas, reference="IA-2026-01") -> Nonconformity:
    audit = make_audit(personas.org, reference, lead_auditor=personas.users[Role.INTERNAL_AUDITOR])
    finding = raise_minor(audit, personas.manager, requirements=[requirement(ISO9001, "8.5.1")])
    return finding.nonconformity


def test_a_nonconformity_from_an_audit_names_the_audit_finding_and_auditor(personas, catalog):
    nc = from_audit(personas)
    assert nc.reported_by is None
    assert reporter(nc) == "Audit IA-2026-01, finding F1 (System Manager A)"


def test_without_the_finding_s_author_the_lead_auditor_is_named(personas, catalog):
    nc = from_audit(personas)
    nc.finding.__class__.objects.filter(pk=nc.finding.pk).update(raised_by=None)
    nc = Nonconformity.objects.get(pk=nc.pk)
    assert reporter(nc) == "Audit IA-2026-01, finding F1 (Internal Auditor A)"


def test_a_reported_nonconformity_names_its_reporter(personas):
    nc = report_nonconformity(
        personas.org, actor=personas.employee, title="Oil on the floor", description="By line 2"
    )
    assert reporter(nc) == "Employee A"


def test_the_page_and_the_triage_list_name_the_audit(client, personas, catalog):
    nc = from_audit(personas)
    login(client, personas.manager)
    page = client.get(f"/nonconformities/{nc.pk}/").content.decode()
    shown = page[page.index('id="capa-reporter">') :]
    assert shown.startswith(
        'id="capa-reporter">Audit IA-2026-01, finding F1 (System Manager A) on '
    )

    tasks = client.get(TASKS).content.decode()
    triage = tasks[tasks.index('id="to-triage"') :]
    assert "<td>Audit IA-2026-01, finding F1 (System Manager A)</td>" in triage


def test_the_triage_list_reads_reporters_in_a_fixed_number_of_queries(client, personas, catalog):
    login(client, personas.manager)
    from_audit(personas, "IA-2026-01")
    small, _ = count_queries(lambda: client.get(TASKS))
    for n in range(2, 6):
        from_audit(personas, f"IA-2026-0{n}")
    large, response = count_queries(lambda: client.get(TASKS))
    assert response.content.decode().count("finding F1 (") == 5
    assert small == large
