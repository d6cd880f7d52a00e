"""The requirement picker in a browser: grouped by standard, found by number or by words,
chosen with the keyboard, saved with the entry. Screenshots: var/test-artifacts/screenshots/
picker-*.png at 1440 and 768 px."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pdca.core.roles import Role
from pdca.core.testing.personas import Personas
from pdca.improvement.models import Nonconformity
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard, ManagementSystem
from tests.e2e.test_audit import sign_in


@pytest.mark.django_db(transaction=True)
def test_a_manager_finds_requirements_by_number_and_words(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    org = personas.org
    system = ManagementSystem.objects.create(organization=org, name="IMS")
    for code in ("iso9001-2015", "iso14001-2015"):
        AdoptedStandard.objects.create(
            organization=org,
            system=system,
            standard=Standard.objects.get(code=code),
            adopted_on=dt.date(2026, 1, 5),
        )
    page.set_viewport_size({"width": 1440, "height": 900})
    page.set_default_timeout(15_000)
    base = live_server.url
    sign_in(page, base, personas.users[Role.SYSTEM_MANAGER], "/nonconformities/new/")
    page.locator("#id_title").fill("Scrap at the press")
    page.locator("#id_description").fill("Ten housings scrapped.")
    page.locator("#id_source").select_option("internal_audit")

    search = page.locator("#id_requirements-ts-control")
    search.click()
    search.fill("8.2")
    dropdown = page.locator("#id_requirements-ts-dropdown")
    # Filtered: clauses that do not match are gone.
    expect(dropdown.get_by_text("ISO 14001 4 Context of the organization")).to_have_count(0)
    # Grouped by standard, and named with the standard: the two 8.2s no longer look alike.
    expect(dropdown.locator(".optgroup-header", has_text="ISO 9001")).to_be_visible()
    expect(dropdown.locator(".optgroup-header", has_text="ISO 14001")).to_be_visible()
    expect(dropdown.get_by_text("ISO 9001 8.2 ", exact=False).first).to_be_visible()
    expect(dropdown.get_by_text("ISO 14001 8.2 ", exact=False).first).to_be_visible()
    page.screenshot(path=str(screenshots / "picker-number-1440.png"))
    # A person sees the match highlighted before pressing Enter, and so does the test.
    active = dropdown.locator(".option.active")
    search.fill("nonconforming outputs")
    expect(active).to_contain_text("Control of nonconforming outputs")
    page.keyboard.press("Enter")  # the first match, without the mouse
    search.fill("emergency preparedness")
    expect(active).to_contain_text("Emergency preparedness and response")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.set_viewport_size({"width": 768, "height": 900})
    page.screenshot(path=str(screenshots / "picker-chosen-768.png"))
    page.get_by_role("button", name="Save").click()

    nc = Nonconformity.objects.get(title="Scrap at the press")
    chosen = sorted(f"{r.standard.code} {r.number}" for r in nc.requirements.all())
    assert chosen[0].startswith("iso14001-2015 8.2")
    assert chosen[1].startswith("iso9001-2015 8.7")
