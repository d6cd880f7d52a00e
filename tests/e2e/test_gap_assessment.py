"""A system manager works through a gap assessment in a real browser.

The manager of Org A opens the assessment of a 9001 + 14001 system, rates two items in the
table and watches the readiness figure move without a page reload, meets the refusal of a
not-applicable item without a justification, uses the bulk bar, filters the items, and looks at
the plan and at the comparison with a follow-up assessment. Screenshots go to
var/test-artifacts/screenshots/gap-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.services import create_assessment
from pdca.core.roles import Role
from pdca.core.testing.personas import PASSWORD, Personas
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard, ManagementSystem

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def assessment(personas: Personas, catalog) -> GapAssessment:
    system = ManagementSystem.objects.create(
        organization=personas.org, name="Quality and environment"
    )
    for code in ("iso9001-2015", "iso14001-2015"):
        AdoptedStandard.objects.create(
            organization=personas.org,
            system=system,
            standard=Standard.objects.get(code=code),
            adopted_on=dt.date(2026, 1, 5),
        )
    return create_assessment(system, title="Baseline 2026", actor=personas.manager)


def label(item: GapItem) -> str:
    return f"{item.requirement.standard.name} {item.requirement.number}"


def percent(points: float, applicable: int) -> str:
    return f"{round(100 * points / applicable, 1):g}%"


def settled(page: Page) -> None:
    """Wait until no row is saving, so the test's own reads do not race the live server."""
    expect(page.locator(".htmx-request")).to_have_count(0)


def open_all(page: Page) -> None:
    """Open every clause section of the items (they start closed when there are many)."""
    button = page.locator("button[data-groups='open']")
    if button.count():
        button.click()
    expect(page.locator("details.item-group:not([open])")).to_have_count(0)


def sign_in(page: Page, base_url: str, personas: Personas, next_path: str) -> None:
    page.goto(f"{base_url}{next_path}")
    page.get_by_label("E-mail address").fill(personas.manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}{next_path}")


@pytest.mark.django_db(transaction=True)
def test_a_system_manager_rates_items_and_sees_readiness_move(
    page: Page, live_server, personas: Personas, assessment: GapAssessment, screenshots: Path
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_default_timeout(10_000)
    page.set_viewport_size(DESKTOP)

    def shot(step: str) -> None:
        page.evaluate("window.scrollTo(0, 0)")  # sticky bars are drawn where the view is
        page.screenshot(path=screenshots / f"gap-{step}.png", full_page=True)

    items = list(assessment.items.select_related("requirement__standard").order_by("sort_key"))
    applicable = len(items)
    first, second, third = items[:3]
    url = f"/assessments/{assessment.pk}/"
    sign_in(page, live_server.url, personas, url)

    overall = page.locator("#readiness-overall")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Baseline 2026")
    expect(overall).to_have_text("0%")
    expect(page.locator("#items tbody tr")).to_have_count(applicable)
    shot("01-assessment")
    open_all(page)

    # A marker on the window survives htmx swaps, and would vanish with a page load.
    page.evaluate("window.__sameDocument = true")

    # Two items rated in the table: readiness moves after each, in place.
    page.get_by_label(f"Status of {label(first)}", exact=True).select_option("implemented")
    expect(overall).to_have_text(percent(1, applicable))
    page.get_by_label(f"Status of {label(second)}", exact=True).select_option("partial")
    expect(overall).to_have_text(percent(1.5, applicable))
    page.get_by_label(f"Owner of {label(second)}", exact=True).select_option(
        label=personas.users[Role.PROCESS_OWNER].full_name
    )
    target = dt.date.today() + dt.timedelta(days=90)
    page.get_by_label(f"Target date of {label(second)}", exact=True).fill(target.isoformat())
    page.get_by_label(f"Notes on {label(second)}", exact=True).fill("Procedure drafted")
    page.get_by_label(f"Notes on {label(second)}", exact=True).blur()
    expect(page.locator(f"#item-{second.pk}-notes")).to_have_value("Procedure drafted")
    assert page.evaluate("window.__sameDocument") is True
    # The swapped-in summary is whole, and the row went back to its place in the table.
    expect(page.locator("#readiness table.readiness-table tbody tr")).to_have_count(7)
    expect(page.locator("#readiness tr[id^='item-']")).to_have_count(0)
    expect(page.locator("#items tbody tr")).to_have_count(applicable)
    settled(page)
    second.refresh_from_db()
    assert (second.status, second.owner, second.target_date, second.notes) == (
        "partial",
        personas.users[Role.PROCESS_OWNER],
        target,
        "Procedure drafted",
    )
    shot("02-two-items-rated")

    # Not applicable needs a justification: the row says so and keeps the choice.
    row = page.locator(f"#item-{third.pk}")
    page.get_by_label(f"Status of {label(third)}", exact=True).select_option("not_applicable")
    expect(row.get_by_role("alert")).to_contain_text("needs a justification")
    expect(page.get_by_label(f"Status of {label(third)}", exact=True)).to_have_value(
        "not_applicable"
    )
    shot("03-justification-needed")
    settled(page)
    assert GapItem.objects.get(pk=third.pk).status == "not_started"
    page.get_by_label(f"Justification for {label(third)}", exact=True).fill(
        "No design and development: we build to customer drawings."
    )
    page.get_by_label(f"Justification for {label(third)}", exact=True).press("Tab")
    expect(row.get_by_role("alert")).to_have_count(0)
    expect(overall).to_have_text(percent(1.5, applicable - 1))
    settled(page)
    assert GapItem.objects.get(pk=third.pk).status == "not_applicable"

    # The bulk bar: three more items implemented at once.
    chosen = items[3:6]
    saves: list[str] = []
    page.on("request", lambda r: saves.append(r.url) if r.method == "POST" else None)
    for item in chosen:
        page.get_by_label(f"Select {label(item)}", exact=True).check()
    expect(page.locator("#selected-count")).to_have_text("3")
    assert saves == []  # ticking a row selects it; it does not save it
    page.get_by_label("Status for selected").select_option("implemented")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("status")).to_have_text("3 of 3 selected item(s) changed.")
    expect(overall).to_have_text(percent(4.5, applicable - 1))
    assert page.evaluate("window.__sameDocument") is True
    shot("04-bulk-applied")

    # Filters narrow the table in place and keep the address.
    page.locator("#filters").get_by_label("Status").select_option("implemented")
    expect(page.locator("#items tbody tr")).to_have_count(4)
    expect(page).to_have_url(re.compile(r"status=implemented"))
    shot("05-filtered")

    # The plan, then a follow-up assessment started as a copy, compared with the first.
    page.get_by_role("link", name="Implementation plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Implementation plan")
    expect(page.locator(".plan-table tbody tr")).to_have_count(applicable - 5)
    shot("06-plan")
    page.goto(f"{live_server.url}/assessments/new/?system={assessment.system_id}")
    expect(page.get_by_label("Start as a copy of")).to_have_value(str(assessment.pk))
    page.get_by_label("Title").fill("Follow-up 2026")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Follow-up 2026")
    expect(overall).to_have_text(percent(4.5, applicable - 1))
    open_all(page)
    later = GapAssessment.objects.get(title="Follow-up 2026")
    lagging = later.items.get(requirement=items[6].requirement)
    page.get_by_label(f"Status of {label(lagging)}", exact=True).select_option("implemented")
    expect(overall).to_have_text(percent(5.5, applicable - 1))
    shot("07-follow-up")
    page.get_by_role("link", name="Compare").click()
    expect(page.locator('[data-count="improved"]')).to_have_text("1")
    expect(page.locator(".compare-table tbody tr")).to_have_count(1)
    shot("08-compare")

    # An item's own page, with its history, and its form; then the list of assessments.
    page.get_by_role("link", name="Readiness and items").click()
    page.get_by_label(f"Details of {label(lagging)}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(lagging.requirement.title)
    expect(page.locator("#history")).to_contain_text(personas.manager.email)
    shot("09-item")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Evidence")).to_be_visible()
    shot("10-item-form")
    page.locator(".breadcrumb").get_by_role("link", name="Gap assessments").click()
    expect(page.get_by_role("link", name="Follow-up 2026")).to_be_visible()
    shot("11-list")

    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_the_page_of_all_seven_standards_fits_the_screen(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    system = ManagementSystem.objects.create(organization=personas.org, name="Everything")
    # The seven standards, each in its newest edition in the catalog.
    for standard in Standard.objects.filter(replaced_by__isnull=True):
        AdoptedStandard.objects.create(
            organization=personas.org,
            system=system,
            standard=standard,
            adopted_on=dt.date(2026, 1, 5),
        )
    assessment = create_assessment(system, title="All seven", actor=personas.manager)
    page.set_default_timeout(10_000)
    url = f"/assessments/{assessment.pk}/"
    sign_in(page, live_server.url, personas, url)

    for name, size in (("desktop", DESKTOP), ("laptop", {"width": 1024, "height": 768})):
        page.set_viewport_size(size)
        expect(page.locator("#items tbody tr")).to_have_count(assessment.items.count())
        expect(page.locator("#readiness .readiness-card")).to_have_count(8)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=screenshots / f"gap-12-seven-standards-{name}.png", full_page=True)
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
