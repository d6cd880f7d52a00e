"""Long pages read well at 1440 px and at 768 px, in a real browser.

The SoA grid keeps its choices whole and the justification wide on a desktop, and stacks each
line as a card on a tablet, never scrolling sideways. The gap assessment of seven standards
opens as a short page of clause sections, remembers which are open, keeps its filters in the
address through a reload and back, and keeps the filters and the table header in view as the
page scrolls. Screenshots go to var/test-artifacts/screenshots/long-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pdca.assessments.services import create_assessment
from pdca.core.testing.personas import Personas
from pdca.risks.soa import services as soa_services
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard, ManagementSystem
from tests.e2e.test_gap_assessment import sign_in

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 768, "height": 1024}


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_the_soa_grid_at_desktop_and_tablet_widths(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    soa = soa_services.create_soa(
        personas.org, Standard.objects.get(code="iso27001-2022"), actor=personas.manager
    )
    page.set_default_timeout(10_000)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, personas, f"/soa/{soa.pk}/")
    page.wait_for_load_state()
    first = soa.lines.order_by("control__sort_key").first()
    number = first.control.number

    # Desktop: the choices keep their words, the justification has room, titles wrap.
    applicable = box(page, f"[aria-label='Applicable: {number}']")
    implementation = box(page, f"[aria-label='Implementation: {number}']")
    justification = box(page, f"[aria-label='Justification: {number}']")
    assert applicable["width"] >= 140, "“Not applicable” fits"
    assert implementation["width"] >= 180, "“Partially implemented” fits"
    assert justification["width"] >= 380, "the justification reads as sentences"
    assert no_sideways_scroll(page)
    page.screenshot(path=screenshots / "long-soa-1440.png")

    # The header row stays under the sticky filters as the grid scrolls.
    page.evaluate("window.scrollTo(0, 2500)")
    filters, header = box(page, "#filters"), box(page, ".soa-grid thead th")
    assert abs(header["y"] - (filters["y"] + filters["height"])) <= 2
    assert 50 <= filters["y"] <= 60  # right under the navbar

    # Tablet: each line is a card, the justification full width, nothing scrolls sideways.
    page.set_viewport_size(TABLET)
    page.evaluate("window.scrollTo(0, 0)")
    assert no_sideways_scroll(page)
    row = box(page, f"#line-{first.pk}")
    justification = box(page, f"[aria-label='Justification: {number}']")
    assert justification["width"] >= row["width"] - 40
    assert box(page, f"[aria-label='Applicable: {number}']")["width"] >= 150
    expect(page.locator(f"#line-{first.pk} td[data-label='Applicable']")).to_have_css(
        "display", "block"
    )
    page.screenshot(path=screenshots / "long-soa-768.png")


@pytest.mark.django_db(transaction=True)
def test_the_gap_assessment_of_seven_standards_is_short_and_keeps_its_place(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    system = ManagementSystem.objects.create(organization=personas.org, name="Everything")
    for standard in Standard.objects.all():
        AdoptedStandard.objects.create(
            organization=personas.org,
            system=system,
            standard=standard,
            adopted_on=dt.date(2026, 1, 5),
        )
    assessment = create_assessment(system, title="All seven", actor=personas.manager)
    url = f"{live_server.url}/assessments/{assessment.pk}/"
    page.set_default_timeout(10_000)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, personas, f"/assessments/{assessment.pk}/")

    # Closed clause sections: the page is a few screens, not dozens.
    sections = page.locator("details.item-group")
    page.wait_for_load_state()
    assert sections.count() >= 15
    expect(page.locator("details.item-group[open]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollHeight") < 6000
    page.screenshot(path=screenshots / "long-gap-1440.png", full_page=True)

    # A section opened stays open through a reload.
    support = page.locator("details[data-group='7']")
    support.locator("summary").click()
    expect(support).to_have_attribute("open", "")
    page.reload()
    expect(page.locator("details[data-group='7']")).to_have_attribute("open", "")
    expect(page.locator("details.item-group[open]")).to_have_count(1)

    # Scrolled into it, the filters and the header row stay in view, one under the other.
    rows = page.locator("details[data-group='7'] tbody tr")
    rows.nth(rows.count() - 1).scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -200)")
    filters = box(page, "#filters")
    header = box(page, "details[data-group='7'] thead th")
    assert 50 <= filters["y"] <= 60
    assert abs(header["y"] - (filters["y"] + filters["height"])) <= 2
    page.screenshot(path=screenshots / "long-gap-1440-scrolled.png")

    # Filters go into the address: a reload keeps them, back leaves them.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#filters").get_by_label("Clause").select_option("8")
    expect(page).to_have_url(re.compile(r"clause=8"))
    expect(page.locator("details.item-group")).to_have_count(1)
    expect(page.locator("details.item-group[open]")).to_have_count(1)
    page.reload()
    expect(page.locator("#filters").get_by_label("Clause")).to_have_value("8")
    expect(page.locator("details.item-group")).to_have_count(1)
    page.go_back()
    expect(page).to_have_url(url)
    expect(page.locator("details.item-group")).to_have_count(sections.count())

    # A tablet: the rows stack, and nothing scrolls sideways.
    page.set_viewport_size(TABLET)
    page.goto(url)
    page.locator("button[data-groups='open']").click()
    expect(page.locator("details.item-group:not([open])")).to_have_count(0)
    assert no_sideways_scroll(page)
    page.screenshot(path=screenshots / "long-gap-768.png")
