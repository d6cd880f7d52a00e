"""A system manager moves a system to a new edition in a real browser: from the system's page,
the preview of what every register would carry, the move, then the transition plan with the
new and changed requirements and their owners. Screenshots go to
var/test-artifacts/screenshots/transition-*.png at 1440 and 768 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pdca.assessments.models import GapAssessment
from pdca.core.testing.personas import PASSWORD, Personas
from pdca.system.models import AdoptedStandard, SystemTransition
from tests.system.transition.conftest import make_scene

NEW = "iso9001-2026"


@pytest.mark.django_db(transaction=True)
def test_a_system_manager_previews_and_moves_a_system_to_iso_9001_2026(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    scene = make_scene(personas)
    system_url = f"/systems/{scene.system.pk}/"
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}{system_url}")
    page.get_by_label("E-mail address").fill(personas.manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}{system_url}")

    # The system page names the new edition, provisional, and offers the preview.
    row = page.locator(".next-edition", has_text="ISO 9001:2026")
    expect(row).to_contain_text("provisional")
    row.get_by_role("link", name="Preview the move").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Move to ISO 9001:2026")
    summary = page.locator("#transition-summary")
    expect(summary).to_contain_text("Gap assessment items")
    expect(summary).to_contain_text("Exclusions")
    expect(page.locator("#section-gap_items .move-opened", has_text="6.1.3")).to_have_count(1)
    expect(page.locator("#section-gap_items .move-carried", has_text="7.1.5.1")).to_have_count(1)
    page.screenshot(path=str(screenshots / "transition-preview-1440.png"), full_page=True)
    page.set_viewport_size({"width": 768, "height": 900})
    page.screenshot(path=str(screenshots / "transition-preview-768.png"), full_page=True)
    assert not SystemTransition.objects.exists()

    page.get_by_role("button", name="Move Quality and environment to ISO 9001:2026").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Transition plan")
    expect(page.locator("#deadline")).to_contain_text("2029")
    whats_new = page.locator("#whats-new")
    expect(whats_new).to_contain_text("6.1.3")
    expect(whats_new).to_contain_text(personas.manager.get_full_name())
    page.screenshot(path=str(screenshots / "transition-plan-768.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(screenshots / "transition-plan-1440.png"), full_page=True)

    # The gap item of a split requirement opens as not started, owned by the same person.
    whats_new.locator("tr", has_text="6.1.3").get_by_role("link").click()
    expect(page.locator("body")).to_contain_text("Not started")
    expect(page.locator("body")).to_contain_text("ISO 9001:2026")

    adoption = AdoptedStandard.objects.get(system=scene.system, standard__code="iso9001-2015")
    assert adoption.dropped_on is not None
    assert GapAssessment.objects.filter(system=scene.system, status="open").count() == 1

    # Back on the system page, the move is listed with its plan.
    page.goto(f"{live_server.url}{system_url}")
    expect(page.locator("#transitions")).to_contain_text("ISO 9001:2015 → ISO 9001:2026")
