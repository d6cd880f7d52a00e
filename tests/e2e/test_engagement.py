"""A certification body and its client on one record, in a browser: the client grants the
body's lead auditor read access to a document; the lead auditor reads it under the grant (the
read lands in the client's activity log), releases the stage 2 audit to the client and raises a
minor finding; the client finds the nonconformity the finding opened in its own register,
plans its correction, cause and action with its own workflow and sends the plan; the lead
auditor accepts it, and the decision checklist sees the minor's plan accepted. Screenshots go
to var/test-artifacts/screenshots/engagement-*.png at 1440 and 768 px."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pdca.certification.models import CycleAudit, FindingReview
from pdca.certification.services.decisions import decision_checklist
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing.personas import Personas
from pdca.engagements.models import AccessGrant, FindingLink
from pdca.standards.models import Requirement
from pdca.system.models import Process
from tests.certification.programme_factories import hold, new_cycle, stage
from tests.e2e.test_capa import sign_in_as
from tests.engagements.factories import document, link

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 768, "height": 1024}


def shot(page: Page, folder: Path, name: str) -> None:
    for label, size in (("1440", DESKTOP), ("768", TABLET)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"engagement-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
def test_a_minor_finding_flows_to_the_client_and_its_plan_back_to_the_body(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path, tmp_path: Path
):
    page.set_viewport_size(DESKTOP)
    page.set_default_timeout(15_000)
    base = live_server.url
    manager, lead = personas.manager, personas.users[Role.LEAD_AUDITOR]
    cycle = new_cycle(personas)
    engagement = link(personas, client=cycle.client)
    document(personas.org, "QM-01")
    process = Process.objects.create(organization=personas.org, code="P-02", name="Machining")
    requirement = Requirement.objects.get(standard__code="iso9001-2015", number="7.5.3")
    detail = f"/engagements/{engagement.pk}/"

    # The client grants the body read access to its quality manual.
    sign_in_as(page, base, manager, detail)
    page.get_by_role("link", name="Grant access").click()
    page.locator("#id_purpose").fill("Stage 2 document review")
    page.get_by_label("QM-01 Document QM-01").check()
    page.get_by_role("button", name="Grant access").click()
    expect(page.locator("h1")).to_contain_text("Stage 2 document review")
    grant = AccessGrant.objects.get()

    # The lead auditor reads it under the grant; the read is in the client's log.
    sign_in_as(page, base, lead, detail)
    expect(page.locator("#shared")).to_contain_text("QM-01")
    shot(page, screenshots, "provider")
    page.locator("#shared").get_by_role("link", name="QM-01 Document QM-01").click()
    expect(page.locator(".document-content")).to_contain_text("Our own words.")
    assert ActivityEntry.objects.filter(
        organization=personas.org, action="view", actor=lead, changes__grant=grant.pk
    ).exists()

    # Stage 2: the lead auditor releases the audit to the client and raises a minor.
    audit = hold(
        stage(cycle, CycleAudit.Kind.STAGE2),
        timezone.localdate() - dt.timedelta(days=1),
        timezone.localdate(),
        status="in_progress",
        lead=lead,
    )
    page.goto(f"{base}{detail}")
    page.locator("#audits").get_by_role("button", name="Release to the client").click()
    expect(page.locator("#release-state")).to_contain_text(f"Released to {personas.org}")
    page.goto(f"{base}/audits/{audit.pk}/findings/new/")
    page.locator("#id_grade").select_option("minor")
    page.locator("#id_title").fill("Obsolete drawing at machine 4")
    page.locator("#id_requirement_statement").fill("Obsolete documents are kept from use.")
    page.locator("#id_evidence").fill("Drawing 123 rev B at machine 4; rev C is current.")
    page.locator("#id_statement").fill("An obsolete revision was available at the point of use.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Obsolete drawing at machine 4").first).to_be_visible()
    finding_link = FindingLink.objects.get()
    nc = finding_link.nonconformity
    assert nc.organization == personas.org and nc.severity == "minor"

    # The client: the nonconformity is in its register; it plans it with its own workflow.
    nc_page = f"/nonconformities/{nc.pk}/"
    sign_in_as(page, base, manager, f"/engagements/{engagement.pk}/audits/{audit.pk}/")
    expect(page.locator("#audit-findings")).to_contain_text(nc.reference)
    page.goto(f"{base}{nc_page}")
    page.locator("#id_triage-owner").select_option(str(manager.pk))
    page.locator("#id_triage-process").select_option(str(process.pk))
    page.locator("#id_triage-requirements").select_option([str(requirement.pk)])
    page.get_by_role("button", name="Triage", exact=True).click()
    expect(page.locator("#capa-current-state")).to_have_text("Triaged")
    page.locator("#id_contain-correction").fill("Rev B removed from machine 4.")
    removed = tmp_path / "rev-b-removed.txt"
    removed.write_text("Drawing 123 rev B withdrawn from machine 4 and shredded.")
    page.locator("#id_contain-evidence").set_input_files(str(removed))
    page.get_by_role("button", name="Record the correction").click()
    expect(page.locator("#capa-current-state")).to_have_text("Contained")
    page.get_by_label("Free text").check()
    page.locator("#id_analyse-root_cause").fill("Superseded prints are not collected on release.")
    page.get_by_role("button", name="Record the root cause").click()
    expect(page.locator("#capa-current-state")).to_have_text("Cause analysed")
    page.locator("#id_action-title").fill("Release checklist collects superseded prints")
    page.locator("#id_action-owner").select_option(str(manager.pk))
    due = timezone.localdate() + dt.timedelta(days=30)
    page.locator("#id_action-due_date").fill(due.isoformat())
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#corrective-actions")).to_contain_text("Release checklist")

    page.goto(f"{base}{detail}#findings")
    page.get_by_role("button", name=f"Send the plan to {personas.cb}").click()
    expect(page.locator("#findings")).to_contain_text("Answer received")
    shot(page, screenshots, "client")

    # The lead auditor accepts the plan on the body's side; the checklist sees it.
    sign_in_as(page, base, lead, f"/cb/cycles/{cycle.pk}/")
    review = FindingReview.objects.get(finding=finding_link.finding)
    expect(page.locator("#reviews")).to_contain_text("Release checklist collects superseded")
    page.locator("#reviews select[name='accept']").select_option("yes")
    page.get_by_role("button", name="Review the plan").click()
    expect(page.locator("#reviews")).to_contain_text("Plan accepted")
    review.refresh_from_db()
    assert review.plan_status == FindingReview.PlanStatus.ACCEPTED
    decider = personas.users[Role.CERTIFICATION_DECISION_MAKER]
    items = {i.code: i for i in decision_checklist(cycle, decider, timezone.localdate())}
    assert items["minors_accepted"].ok

    # The client sees the body's review on its side.
    sign_in_as(page, base, manager, detail)
    expect(page.locator("#findings")).to_contain_text("Plan accepted")
