"""An audit's opportunity for improvement (OFI) opens an improvement opportunity for the
auditee, in the same transaction as the finding; it follows the finding's grade: regraded to
OFI it opens one, regraded away (or deleted) it withdraws one nobody has taken up yet, and
leaves one the auditee works on."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.audits import findings as services
from pdca.core.exceptions import ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import ImprovementOpportunity, Nonconformity
from pdca.improvement.opportunities.services import promote_opportunity
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard, ManagementSystem, Process
from tests.audits.test_findings import (
    ISO9001,
    ISO14001,
    THREE_PARTS,
    make_audit,
    raise_minor,
    requirement,
)

pytestmark = pytest.mark.django_db

OPPORTUNITY = "improvement.improvementopportunity"


def raise_ofi(audit, actor, **fields):
    return services.raise_finding(
        audit,
        actor=actor,
        **{
            "grade": "ofi",
            "title": "Calibration status not visible at the line",
            "statement": "Operators cannot tell at a glance which gauges are due.",
            **fields,
        },
    )


def entries(action: str):
    return ActivityEntry.objects.filter(object_type=OPPORTUNITY, action=action)


def adopt(org, *codes: str) -> None:
    system = ManagementSystem.objects.create(organization=org, name="IMS")
    for code in codes:
        AdoptedStandard.objects.create(
            organization=org,
            system=system,
            standard=Standard.objects.get(code=code),
            adopted_on=dt.date(2026, 1, 1),
        )


# --- raising ------------------------------------------------------------------------------


def test_an_ofi_opens_an_opportunity_for_the_auditee(personas, catalog):
    audit = make_audit(personas.org)
    process = Process.objects.create(organization=personas.org, code="P-01", name="Production")
    clause = requirement(ISO9001, "7.1.5")
    finding = raise_ofi(
        audit, personas.users[Role.INTERNAL_AUDITOR], process=process, requirements=[clause]
    )
    opportunity = ImprovementOpportunity.objects.get()
    assert opportunity.finding == finding
    assert opportunity.organization == personas.org
    assert opportunity.reference == "IA-2026-01-F1"
    assert opportunity.title == "Calibration status not visible at the line"
    assert opportunity.description == "Operators cannot tell at a glance which gauges are due."
    assert opportunity.source == "audit"
    assert opportunity.status == "open"
    assert opportunity.process == process
    assert list(opportunity.requirements.all()) == [clause]
    assert finding.nonconformity is None
    assert not Nonconformity.objects.exists()
    created = entries("create").get()
    assert created.actor == personas.users[Role.INTERNAL_AUDITOR]
    assert created.changes["source"] == [None, "audit"]


def test_only_requirements_of_adopted_standards_go_to_the_opportunity(personas, catalog):
    adopt(personas.org, ISO9001)
    audit = make_audit(personas.org, standards=(ISO9001, ISO14001))
    quality, environment = requirement(ISO9001, "7.1.5"), requirement(ISO14001, "6.1.2")
    finding = raise_ofi(audit, personas.manager, requirements=[quality, environment])
    assert set(finding.requirements.all()) == {quality, environment}
    assert list(ImprovementOpportunity.objects.get().requirements.all()) == [quality]


@pytest.mark.parametrize("grade", ["observation", "strength"])
def test_observations_and_strengths_open_no_opportunity(personas, catalog, grade):
    audit = make_audit(personas.org)
    services.raise_finding(
        audit, actor=personas.manager, grade=grade, title="Seen", statement="Seen."
    )
    assert not ImprovementOpportunity.objects.exists()


def test_a_nonconformity_opens_no_opportunity(personas, catalog):
    raise_minor(make_audit(personas.org), personas.manager)
    assert not ImprovementOpportunity.objects.exists()
    assert Nonconformity.objects.count() == 1


def test_the_api_raises_an_ofi_with_its_opportunity(client, personas, catalog):
    audit = make_audit(personas.org)
    login(client, personas.manager)
    response = client.post(
        f"/api/v1/audits/{audit.pk}/findings/",
        {"grade": "ofi", "title": "Visual boards", "statement": "Boards would help."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    opportunity = ImprovementOpportunity.objects.get()
    assert opportunity.finding_id == response.json()["id"]
    assert entries("create").get().via == "api"


# --- regrading ----------------------------------------------------------------------------


def test_regraded_to_ofi_opens_one_opportunity(personas, catalog):
    audit = make_audit(personas.org)
    finding = services.raise_finding(
        audit, actor=personas.manager, grade="observation", title="Boards", statement="Seen."
    )
    assert not ImprovementOpportunity.objects.exists()
    services.update_finding(finding, actor=personas.manager, grade="ofi")
    opportunity = ImprovementOpportunity.objects.get()
    assert (opportunity.finding, opportunity.title) == (finding, "Boards")
    # Other changes of an OFI leave its opportunity alone: it is the auditee's record now.
    services.update_finding(finding, actor=personas.manager, title="Visual boards")
    assert ImprovementOpportunity.objects.get().title == "Boards"
    assert entries("create").count() == 1


def test_regraded_from_ofi_an_untouched_opportunity_is_withdrawn(personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_ofi(audit, personas.manager)
    opportunity = ImprovementOpportunity.objects.get()
    services.update_finding(finding, actor=personas.manager, grade="observation")
    assert not ImprovementOpportunity.objects.exists()
    deleted = entries("delete").get()
    assert deleted.object_id == str(opportunity.pk)
    assert deleted.actor == personas.manager
    assert deleted.message == "Withdrawn with audit finding F1: regraded observation."
    assert deleted.changes["title"] == ["Calibration status not visible at the line", None]


@pytest.mark.parametrize("status", ["in_progress", "implemented", "rejected"])
def test_regraded_from_ofi_an_opportunity_taken_up_stays(personas, catalog, status):
    audit = make_audit(personas.org)
    finding = raise_ofi(audit, personas.manager)
    ImprovementOpportunity.objects.update(status=status)
    services.update_finding(finding, actor=personas.manager, grade="strength")
    opportunity = ImprovementOpportunity.objects.get()
    assert (opportunity.status, opportunity.finding) == (status, finding)
    assert not entries("delete").exists()
    # Back to OFI: the finding has its opportunity already, so none is added.
    services.update_finding(finding, actor=personas.manager, grade="ofi")
    assert ImprovementOpportunity.objects.count() == 1


def test_regraded_from_ofi_a_promoted_opportunity_stays(personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_ofi(audit, personas.manager)
    nc = promote_opportunity(ImprovementOpportunity.objects.get(), actor=personas.manager)
    services.update_finding(finding, actor=personas.manager, grade="observation")
    opportunity = ImprovementOpportunity.objects.get()
    assert (opportunity.status, opportunity.promoted_to) == ("promoted", nc)


def test_regraded_from_ofi_to_minor_opens_a_nonconformity_instead(personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_ofi(audit, personas.manager, **THREE_PARTS)
    services.update_finding(finding, actor=personas.manager, grade="minor")
    finding.refresh_from_db()
    assert finding.nonconformity.severity == "minor"
    assert not ImprovementOpportunity.objects.exists()
    assert entries("delete").get().message == (
        "Withdrawn with audit finding F1: regraded minor nonconformity."
    )


def test_a_triaged_minor_lowered_to_ofi_keeps_its_nonconformity_and_opens_an_opportunity(
    personas, catalog
):
    audit = make_audit(personas.org)
    finding = raise_minor(audit, personas.manager)
    Nonconformity.objects.update(status="triaged")
    services.update_finding(finding, actor=personas.manager, grade="ofi")
    finding.refresh_from_db()
    assert finding.nonconformity is not None
    assert ImprovementOpportunity.objects.get().finding == finding


def test_a_refused_regrade_opens_no_opportunity(personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_minor(audit, personas.manager)
    before = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed):
        services.update_finding(finding, actor=personas.manager, grade="ofi")
    assert not ImprovementOpportunity.objects.exists()
    assert ActivityEntry.objects.count() == before


# --- deleting -----------------------------------------------------------------------------


def test_deleting_an_ofi_withdraws_its_untouched_opportunity(personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_ofi(audit, personas.manager)
    services.delete_finding(finding, actor=personas.manager)
    assert not ImprovementOpportunity.objects.exists()
    assert entries("delete").get().message == (
        "Withdrawn with audit finding F1: the finding was deleted."
    )


def test_deleting_an_ofi_leaves_an_opportunity_taken_up(personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_ofi(audit, personas.manager)
    ImprovementOpportunity.objects.update(status="in_progress")
    services.delete_finding(finding, actor=personas.manager)
    opportunity = ImprovementOpportunity.objects.get()
    assert (opportunity.status, opportunity.finding) == ("in_progress", None)
    assert not entries("delete").exists()


# --- the opportunity's page ---------------------------------------------------------------


def test_the_opportunity_page_links_its_finding_for_those_who_read_findings(
    client, personas, catalog
):
    audit = make_audit(personas.org)
    finding = raise_ofi(audit, personas.manager)
    opportunity = ImprovementOpportunity.objects.get()
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    html = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert f'href="/findings/{finding.pk}/"' in html
    assert f'href="/audits/{audit.pk}/"' in html
    # Findings are the auditors' working papers: an employee sees the audit only.
    login(client, personas.employee)
    html = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert f'href="/findings/{finding.pk}/"' not in html
    assert f'href="/audits/{audit.pk}/"' in html
    assert "F1 Calibration status not visible at the line" in html


def test_the_findings_page_links_the_opportunity_it_opened(client, personas, catalog):
    audit = make_audit(personas.org)
    finding = services.raise_finding(
        audit, actor=personas.manager, grade="ofi", title="Digital gauges", statement="Consider."
    )
    login(client, personas.manager)
    html = client.get(f"/findings/{finding.pk}/").content.decode()
    opportunity = finding.opportunity
    assert f'href="/opportunities/{opportunity.pk}/"' in html
