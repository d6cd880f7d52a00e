"""A nonconformity from an employee's report to its closure, in a browser: triage by the
system manager, correction with a photo, five whys, an action, the plan, the action done with
evidence, the check refused during the waiting period and then made by the internal auditor,
and the closure. Screenshots go to var/test-artifacts/screenshots/capa-*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pdca.core.roles import Role
from pdca.core.testing.personas import PASSWORD, Personas
from pdca.improvement.models import Nonconformity
from pdca.standards.models import Requirement
from pdca.system.models import Process

DESKTOP = {"width": 1280, "height": 900}


def sign_in_as(page: Page, base_url: str, user, next_path: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}{next_path}")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}{next_path}")


def status_of(nc: Nonconformity) -> str:
    nc.refresh_from_db()
    return nc.status


@pytest.mark.django_db(transaction=True)
def test_a_report_goes_to_a_closed_nonconformity_through_the_pages(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path, tmp_path: Path
):
    page.set_viewport_size(DESKTOP)
    page.set_default_timeout(15_000)
    base = live_server.url
    users = personas.users
    employee, manager = users[Role.EMPLOYEE], users[Role.SYSTEM_MANAGER]
    owner, verifier = users[Role.PROCESS_OWNER], users[Role.INTERNAL_AUDITOR]
    process = Process.objects.create(
        organization=personas.org, code="P-04", name="Calibration", owner=owner
    )
    requirement = Requirement.objects.get(standard__code="iso9001-2015", number="7.1.5")
    photo = tmp_path / "withdrawn-gauge.txt"
    photo.write_text("Gauge G-12 withdrawn and tagged red on 2026-11-20.")
    recall = tmp_path / "recall-list.csv"
    recall.write_text("gauge,due\nG-12,2027-05-01\nG-13,2027-06-01\n")

    # An employee reports it.
    sign_in_as(page, base, employee, "/nonconformities/report/")
    page.locator("#id_title").fill("Height gauge used past its calibration date")
    page.locator("#id_description").fill("Gauge G-12 at cell 3 had an expired sticker.")
    page.locator("#id_source").select_option("employee")
    page.screenshot(path=str(screenshots / "capa-report.png"), full_page=True)
    page.get_by_role("button", name="Report").click()
    nc = Nonconformity.objects.get(organization=personas.org)
    detail = f"/nonconformities/{nc.pk}/"
    expect(page).to_have_url(f"{base}{detail}")
    expect(page.locator("#capa-current-state")).to_have_text("Reported")

    # The system manager triages it.
    sign_in_as(page, base, manager, detail)
    page.locator("#id_triage-severity").select_option("major")
    page.locator("#id_triage-owner").select_option(str(owner.pk))
    page.locator("#id_triage-process").select_option(str(process.pk))
    page.locator("#id_triage-requirements").select_option([str(requirement.pk)])
    page.locator("#next-steps").screenshot(path=str(screenshots / "capa-triage.png"))
    page.get_by_role("button", name="Triage", exact=True).click()
    expect(page.locator("#capa-current-state")).to_have_text("Triaged")
    assert status_of(nc) == "triaged"

    # The process owner: correction with a file, five whys, an action, the plan.
    sign_in_as(page, base, owner, detail)
    page.locator("#id_contain-correction").fill("Gauge withdrawn, last two lots re-measured.")
    page.locator("#id_contain-evidence").set_input_files(str(photo))
    page.get_by_role("button", name="Record the correction").click()
    expect(page.locator("#capa-current-state")).to_have_text("Contained")
    expect(page.locator("#capa-correction")).to_contain_text("withdrawn-gauge.txt")

    page.locator("#next-steps").screenshot(path=str(screenshots / "capa-analyse.png"))
    page.get_by_label("Five whys").check()
    page.locator("#id_analyse-whys").fill(
        "The gauge was not recalled\nNobody tracks calibration dates\nThere is no recall list"
    )
    page.locator("#id_analyse-root_cause").fill("No calibration recall list for gauges.")
    page.get_by_role("button", name="Record the root cause").click()
    expect(page.locator("#capa-current-state")).to_have_text("Cause analysed")
    expect(page.locator("#capa-whys li")).to_have_count(3)

    page.locator("#id_action-title").fill("Keep a calibration recall list")
    page.locator("#id_action-owner").select_option(str(owner.pk))
    due = timezone.localdate() + dt.timedelta(days=14)
    page.locator("#id_action-due_date").fill(due.isoformat())
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#corrective-actions")).to_contain_text("Keep a calibration recall list")
    page.locator("#id_plan-effectiveness_criteria").fill("No expired gauge in use at the audit.")
    page.get_by_role("button", name="Confirm the plan").click()
    expect(page.locator("#capa-current-state")).to_have_text("Action planned")

    action = nc.actions.get()
    page.get_by_text("as implemented").click()
    page.locator(f"#id_implement-{action.pk}-note").fill("Recall list set up in the QMS.")
    page.locator(f"#id_implement-{action.pk}-evidence").set_input_files(str(recall))
    page.get_by_role("button", name="Mark the action implemented").click()
    expect(page.locator(f"#action-{action.pk}")).to_contain_text("recall-list.csv")
    page.get_by_role("button", name="Mark implemented", exact=True).click()
    expect(page.locator("#capa-current-state")).to_have_text("Implemented")
    page.screenshot(path=str(screenshots / "capa-implemented.png"), full_page=True)

    # The internal auditor: refused during the waiting period, then checks it.
    sign_in_as(page, base, verifier, detail)
    expect(page.locator("#step-verify-reason")).to_contain_text("waiting period")
    expect(page.get_by_role("button", name="Check effectiveness")).to_be_disabled()
    page.screenshot(path=str(screenshots / "capa-waiting.png"), full_page=True)
    Nonconformity.objects.filter(pk=nc.pk).update(
        implemented_at=timezone.now() - dt.timedelta(days=31)
    )
    page.reload()
    page.get_by_label("Effective: the cause is removed").check()
    page.locator("#id_verify-notes").fill("Sampled 12 gauges: all within date.")
    page.get_by_role("button", name="Check effectiveness").click()
    expect(page.locator("#capa-current-state")).to_have_text("Verified effective")

    # The system manager closes it.
    sign_in_as(page, base, manager, detail)
    page.locator("#id_close-note").fill("Closed after a verified check.")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator("#capa-status")).to_contain_text("Closed")
    expect(page.locator("#capa-current-state")).to_have_text("Closed")
    page.screenshot(path=str(screenshots / "capa-closed.png"), full_page=True)
    assert status_of(nc) == "closed"
    check = nc.checks.get()
    assert (check.checked_by, check.effective) == (verifier, True)
