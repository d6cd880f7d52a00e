"""The engagements API, audits and findings across a link: the body sees its audits of the
client and releases them; the client sees only those released, with their plan and findings;
each major or minor finding opens a nonconformity the client works and sends its plan for,
which the body reviews in the certification API (linked from the finding link)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.audits.models import AuditPlanItem
from pdca.certification.models import CycleAudit, FindingReview
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from pdca.engagements.models import AuditRelease, FindingLink
from pdca.engagements.services.findings import release_audit
from pdca.improvement.models import CorrectiveAction, Nonconformity
from tests.certification.programme_factories import finding, hold, new_cycle, stage
from tests.engagements.factories import stage2_in_progress
from tests.engagements.test_api import (
    API,
    CB_ROLES,
    EVERYONE,
    READERS,
    expect,
    fields,
    ids,
    post,
    user_of,
)

pytestmark = pytest.mark.django_db

AUDITORS = {Role.CB_MANAGER, Role.LEAD_AUDITOR, Role.AUDITOR}


@pytest.fixture
def setup(personas):
    engagement, cycle, audit, lead = stage2_in_progress(personas)
    start = timezone.now()
    AuditPlanItem.objects.create(
        organization=personas.cb,
        audit=audit,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        activity="Opening meeting",
        auditor=lead,
    )
    finding(audit, "minor", lead)
    finding(audit, "ofi", lead, title="Consider digital gauges")
    return engagement, cycle, audit, lead


def plan(nonconformity, personas) -> None:
    Nonconformity.objects.filter(pk=nonconformity.pk).update(
        correction="Gauges recalibrated", root_cause="No recall schedule"
    )
    CorrectiveAction.objects.create(
        organization=personas.org,
        nonconformity=nonconformity,
        title="Calibration recall in the maintenance plan",
        owner=personas.manager,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )


@pytest.mark.parametrize("who", EVERYONE)
def test_audits_by_role_before_and_after_release(client, personas, setup, who):
    engagement, _cycle, audit, lead = setup
    login(client, user_of(personas, who))
    url = f"{API}/engagements/{engagement.pk}/audits/"
    before = client.get(url)
    one = client.get(f"{url}{audit.pk}/")
    release_audit(engagement, audit, actor=lead)
    after = client.get(url)
    if who not in READERS:
        assert before.status_code == after.status_code == one.status_code == 404
        return
    if who in CB_ROLES:
        assert ids(before) == [audit.pk] and one.status_code == 200
        assert before.json()["items"][0]["released"] is False
    else:
        # The client sees an audit only once released to it.
        assert ids(before) == [] and one.status_code == 404
    body = after.json()["items"][0]
    assert ids(after) == [audit.pk]
    assert body["released"] is True and body["type"] == "stage2"
    assert [p["activity"] for p in body["plan"]] == ["Opening meeting"]
    assert [f["grade"] for f in body["findings"]] == ["minor", "ofi"]
    assert body["report_issued"] is False and body["report"] is None


@pytest.mark.parametrize("who", EVERYONE)
def test_release_by_role(client, personas, setup, who):
    engagement, _cycle, audit, _lead = setup
    login(client, user_of(personas, who))
    response = post(client, f"{API}/engagements/{engagement.pk}/audits/{audit.pk}/release/")
    assert response.status_code == expect(who, AUDITORS), response.content
    if response.status_code == 200:
        assert response.json()["released"] is True
        # The minor finding opened a nonconformity in the client's register; the OFI did not.
        assert FindingLink.objects.get().nonconformity.organization == personas.org
    else:
        assert not AuditRelease.objects.exists() and not FindingLink.objects.exists()


def test_release_refusals(client, personas, setup):
    engagement, _cycle, audit, lead = setup
    other_cycle = new_cycle(personas, 1)
    other = hold(stage(other_cycle, CycleAudit.Kind.STAGE1), timezone.localdate(), lead=lead)
    login(client, lead)
    base = f"{API}/engagements/{engagement.pk}/audits"
    assert post(client, f"{base}/{other.pk}/release/").status_code == 404
    assert post(client, f"{base}/{audit.pk}/release/").status_code == 200
    again = post(client, f"{base}/{audit.pk}/release/")
    assert again.status_code == 409 and again.json()["code"] == "already_released"
    assert AuditRelease.objects.count() == 1


@pytest.mark.parametrize("who", EVERYONE)
def test_finding_links_by_role(client, personas, setup, who):
    engagement, _cycle, audit, lead = setup
    release_audit(engagement, audit, actor=lead)
    found = FindingLink.objects.get()
    login(client, user_of(personas, who))
    listed = client.get(f"{API}/engagements/{engagement.pk}/findings/")
    detail = client.get(f"{API}/finding-links/{found.pk}/")
    assert listed.status_code == detail.status_code == (200 if who in READERS else 404)
    if who not in READERS:
        return
    body = listed.json()["items"][0]
    assert body["finding"]["grade"] == "minor"
    assert body["review"]["plan_status"] == "awaited"
    review = FindingReview.objects.get(finding=found.finding)
    # Both sides follow the client's nonconformity; the body's review is linked for the body.
    assert body["nonconformity"]["status"] == found.nonconformity.status
    if who in CB_ROLES:
        assert body["review"]["url"] == f"/api/v1/cb/finding-reviews/{review.pk}/"
    else:
        assert body["review"]["url"] is None


@pytest.mark.parametrize("who", EVERYONE)
def test_send_plan_by_role(client, personas, setup, who):
    engagement, _cycle, audit, lead = setup
    release_audit(engagement, audit, actor=lead)
    found = FindingLink.objects.get()
    plan(found.nonconformity, personas)
    login(client, user_of(personas, who))
    response = post(client, f"{API}/finding-links/{found.pk}/send-plan/")
    found.refresh_from_db()
    review = FindingReview.objects.get(finding=found.finding)
    assert response.status_code == expect(who, {Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT})
    if response.status_code == 200:
        body = response.json()
        assert body["times_sent"] == 1 and body["review"]["plan_status"] == "received"
        assert "Calibration recall" in body["review"]["corrective_action"]
        assert [a["title"] for a in body["nonconformity"]["actions"]] == [
            "Calibration recall in the maintenance plan"
        ]
    else:
        assert found.times_sent == 0
        assert review.plan_status == FindingReview.PlanStatus.AWAITED


def test_an_incomplete_plan_names_what_is_missing(client, personas, setup):
    engagement, _cycle, audit, lead = setup
    release_audit(engagement, audit, actor=lead)
    found = FindingLink.objects.get()
    login(client, personas.manager)
    response = post(client, f"{API}/finding-links/{found.pk}/send-plan/")
    assert fields(response) == {"nonconformity"}
    assert "root cause" in response.json()["detail"]
    assert FindingReview.objects.get(finding=found.finding).plan_status == "awaited"


def test_audit_and_finding_lists_do_not_query_per_row(client, personas, setup):
    engagement, cycle, audit, lead = setup
    release_audit(engagement, audit, actor=lead)

    def more(n: int) -> None:
        """Another audit of the client, released, and `n` findings with the client's plan."""
        item = CycleAudit.objects.create(
            organization=personas.cb,
            cycle=cycle,
            kind=CycleAudit.Kind.SPECIAL,
            sequence=CycleAudit.objects.filter(cycle=cycle).count() + 1,
            due_date=timezone.localdate(),
        )
        added = hold(item, timezone.localdate(), status="in_progress", lead=lead)
        release_audit(engagement, added, actor=lead)
        for _ in range(n):
            found = finding(audit, "minor", lead)
            plan(FindingLink.objects.get(finding=found).nonconformity, personas)

    urls = [
        f"{API}/engagements/{engagement.pk}/audits/",
        f"{API}/engagements/{engagement.pk}/findings/",
    ]
    for user in (lead, personas.manager):
        login(client, user)
        more(1)
        small = [count_queries(lambda u=u: client.get(u))[0] for u in urls]
        more(6)
        large = [count_queries(lambda u=u: client.get(u))[0] for u in urls]
        assert large == small, user
    assert client.get(urls[0]).json()["count"] == 5
    assert client.get(urls[1]).json()["count"] == 15
