"""A system manager builds a small process map and a risk with its treatment, in a browser.

Two processes are created through the register forms, one handing its outputs to the other;
the process map then draws both with the arrow between them. A risk is rated above the
acceptance threshold, refused without a treatment, then saved with one, and a treatment action
is added on its page. Screenshots go to var/test-artifacts/screenshots/workspace-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pdca.core.testing.personas import PASSWORD, Personas
from pdca.risks.models import Risk, TreatmentAction
from pdca.system.models import Process

DESKTOP = {"width": 1280, "height": 900}


def sign_in(page: Page, base_url: str, personas: Personas, next_path: str) -> None:
    page.goto(f"{base_url}{next_path}")
    page.get_by_label("E-mail address").fill(personas.manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}{next_path}")


def add_process(page: Page, base_url: str, code: str, name: str, feeds: str | None = None):
    page.goto(f"{base_url}/processes/new/")
    page.locator("#id_code").fill(code)
    page.locator("#id_name").fill(name)
    page.locator("#id_category").select_option("core")
    if feeds:
        page.locator("#id_feeds").select_option(label=feeds)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text(f"{code} {name}")


@pytest.mark.django_db(transaction=True)
def test_a_process_map_and_a_treated_risk(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    page.set_viewport_size(DESKTOP)
    base = live_server.url
    sign_in(page, base, personas, "/processes/")
    add_process(page, base, "C-02", "Machining")
    add_process(page, base, "C-01", "Order review", feeds="C-02 Machining")
    order, machining = (Process.objects.get(code=c) for c in ("C-01", "C-02"))
    assert list(order.feeds.all()) == [machining]

    page.goto(f"{base}/processes/map/")
    svg = page.locator("svg.process-map")
    expect(svg).to_contain_text("Order review")
    expect(svg).to_contain_text("Machining")
    assert page.locator("svg.process-map [marker-end]").count() >= 1, "the hand-over arrow is drawn"
    page.screenshot(path=str(screenshots / "workspace-process-map.png"), full_page=True)

    page.goto(f"{base}/risks/new/")
    page.locator("#id_code").fill("R-001")
    page.locator("#id_title").fill("Spindle failure stops machining")
    page.locator("#id_status").select_option("assessed")
    page.locator("#id_inherent_likelihood").fill("4")
    page.locator("#id_inherent_impact").fill("4")
    page.locator("#id_processes").select_option(label="C-02 Machining")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert not Risk.objects.exists(), "refused without a treatment: nothing saved"

    page.locator("#id_treatment").select_option("reduce")
    page.locator("#id_treatment_plan").fill("Preventive maintenance and a spare spindle")
    page.locator("#id_residual_likelihood").fill("2")
    page.locator("#id_residual_impact").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("R-001 Spindle failure stops machining")
    risk = Risk.objects.get()
    assert (risk.inherent_score, risk.residual_score) == (16, 6)
    assert list(risk.processes.all()) == [machining]

    page.get_by_role("link", name="Add action").first.click()
    page.locator("#id_description").fill("Order a spare spindle")
    page.locator("#id_due_date").fill("2027-01-31")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Order a spare spindle")).to_be_visible()
    assert TreatmentAction.objects.get().risk == risk
    page.screenshot(path=str(screenshots / "workspace-risk.png"), full_page=True)

    page.goto(f"{base}/risks/heatmap/")
    # The risk is counted in its inherent cell (likelihood 4, impact 4), which links to it.
    cell = page.locator('a[href*="inherent_likelihood=4"][href*="inherent_impact=4"]')
    expect(cell).to_contain_text("1")
    page.goto(f"{base}{cell.get_attribute('href')}")
    expect(page.get_by_role("link", name="R-001")).to_be_visible()
    page.screenshot(path=str(screenshots / "workspace-heatmap.png"), full_page=True)
