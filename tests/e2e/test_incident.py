"""An incident from an employee's report to a closed record, in a browser: the employee reports
a near miss, the system manager starts and records the investigation, which asks for corrective
action and so opens a nonconformity linked from the incident, and closes it; the closed incident
offers no more changes. Screenshots go to var/test-artifacts/screenshots/incident-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pdca.core.roles import Role
from pdca.core.testing.personas import PASSWORD, Personas
from pdca.improvement.models import Nonconformity
from pdca.safety.models import Incident

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 768, "height": 1024}


def sign_in_as(page: Page, base_url: str, user, next_path: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}{next_path}")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}{next_path}")


@pytest.mark.django_db(transaction=True)
def test_a_reported_near_miss_is_investigated_opens_a_nonconformity_and_closes(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    page.set_viewport_size(DESKTOP)
    page.set_default_timeout(15_000)
    base = live_server.url
    employee, manager = personas.users[Role.EMPLOYEE], personas.users[Role.SYSTEM_MANAGER]

    # An employee reports a near miss.
    sign_in_as(page, base, employee, "/incidents/report/")
    page.locator("#id_kind").select_option("near_miss")
    page.locator("#id_title").fill("Forklift reversed past the walkway barrier")
    when = timezone.localtime().replace(second=0, microsecond=0)
    page.locator("#id_occurred_at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_description").fill("Nobody hurt; the reversing alarm was not heard.")
    page.locator("#id_severity").select_option("none")
    page.get_by_role("button", name="Report").click()
    incident = Incident.objects.get(title="Forklift reversed past the walkway barrier")
    expect(page).to_have_url(f"{base}/incidents/{incident.pk}/")
    assert incident.reported_by == employee and incident.status == "reported"
    assert incident.nonconformity_id is None

    # The system manager investigates: corrective action is needed.
    sign_in_as(page, base, manager, f"/incidents/{incident.pk}/")
    page.get_by_role("button", name="Start the investigation").click()
    expect(page.locator("#incident-status")).to_have_text("Under investigation")
    form = page.locator("#investigation form")
    form.locator("#id_investigator").select_option(str(manager.pk))
    form.locator("#id_root_cause").fill("The alarm is quieter than the machining hall.")
    form.locator("#id_findings").fill("Walkway barrier ends two metres short of the bay.")
    form.locator("#id_action_needed").select_option("true")
    page.get_by_role("button", name="Save the investigation").click()
    link = page.locator("#incident-nonconformity a")
    expect(link).to_be_visible()
    incident.refresh_from_db()
    nonconformity = Nonconformity.objects.get(pk=incident.nonconformity_id)
    assert (nonconformity.source, nonconformity.status) == ("incident", "reported")
    assert nonconformity.organization_id == personas.org.pk
    page.screenshot(path=str(screenshots / "incident-investigated.png"), full_page=True)

    # It is closed, and then offers no more changes, at tablet width too.
    page.get_by_role("button", name="Close the incident").click()
    expect(page.locator("#incident-status")).to_have_text("Closed")
    incident.refresh_from_db()
    assert incident.status == "closed"
    page.set_viewport_size(TABLET)
    page.reload()
    expect(page.get_by_role("button", name="Save the investigation")).to_have_count(0)
    expect(page.get_by_role("button", name="Close the incident")).to_have_count(0)
    page.screenshot(path=str(screenshots / "incident-closed-768.png"), full_page=True)
    link.click()
    expect(page).to_have_url(f"{base}/nonconformities/{nonconformity.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(nonconformity.title)
