"""A system manager's day in a real browser, from signing in to signing out.

The manager of Org A, also an employee of Org B, signs in through the form, opens every page of
the menu and the profile, adds a site, creates an API token, switches to Org B and signs out.
Each page visited is saved as a full-page screenshot in var/test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pdca.core.roles import Role
from pdca.core.testing.personas import PASSWORD, Personas
from pdca.tenancy.models import Membership, Site

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

Shot = Callable[[str], None]


@pytest.fixture
def manager_of_two(personas: Personas) -> Personas:
    """The system manager of Org A, who is also an employee of Org B."""
    Membership.objects.create(
        organization=personas.other, user=personas.manager, role=Role.EMPLOYEE
    )
    return personas


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def open_from_menu(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()


def walk_the_journey(page: Page, base_url: str, personas: Personas, shot: Shot) -> None:
    """The journey; `shot(step)` is called on every page worth a screenshot."""
    page.set_default_timeout(10_000)
    page.set_viewport_size(DESKTOP)

    # Sign in through the form; the home page follows.
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(heading(page)).to_have_text("Sign in to pdca")
    shot("01-login")
    page.get_by_label("E-mail address").fill(personas.manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(heading(page)).to_have_text("Org A")
    expect(page.get_by_text("You are System manager here.")).to_be_visible()
    shot("02-home")

    # The home page on a phone: the sidebar gives way to the collapsible top menu.
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    shot("03-home-phone")
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#topnav")).to_have_class(re.compile(r"\bshow\b"))  # opened, not opening
    expect(page.locator("#topnav").get_by_role("link", name="Sites")).to_be_visible()
    expect(page.get_by_label("Organization")).to_be_visible()
    shot("04-home-phone-menu")
    page.set_viewport_size(DESKTOP)

    # Every page of the menu.
    for step, label, title in (
        ("05-organization", "Organization", "Org A"),
        ("06-sites", "Sites", "Sites"),
        ("07-members", "Members", "Members"),
        ("08-activity-log", "Activity log", "Activity log"),
        ("09-standards", "Standards", "Standards"),
        ("10-integrated-view", "Integrated view", "Integrated view"),
    ):
        open_from_menu(page, label)
        expect(heading(page)).to_have_text(title)
        shot(step)
    page.locator("#user-menu").click()
    page.get_by_role("link", name="Profile and API tokens").click()
    expect(heading(page)).to_have_text("Your profile")
    shot("11-profile")

    # Add a site through the form; it shows in the list, with its history on its page.
    open_from_menu(page, "Sites")
    page.get_by_role("link", name="Add site").click()
    expect(heading(page)).to_have_text("New site")
    page.get_by_label("Name").fill("Hull warehouse")
    page.get_by_label("Code").fill("HUL")
    page.get_by_label("City").fill("Hull")
    page.get_by_label("Country").fill("GB")
    page.get_by_label("Headcount").fill("14")
    shot("12-site-form")
    page.get_by_role("button", name="Save").click()
    expect(heading(page)).to_have_text("Hull warehouse")
    expect(page.get_by_role("alert")).to_contain_text("Site added.")
    history = page.locator("#history")
    expect(history.get_by_role("cell", name="create", exact=True)).to_be_visible()
    expect(history).to_contain_text(personas.manager.email)
    shot("13-site-detail")
    page.get_by_role("link", name="All sites").click()
    expect(page.get_by_role("link", name="Hull warehouse")).to_be_visible()
    shot("14-site-list")
    open_from_menu(page, "Activity log")
    expect(page.get_by_role("cell", name="Site Hull warehouse")).to_be_visible()
    shot("15-activity-log-with-the-new-site")

    # Create an API token: its secret is shown once, and never again.
    page.locator("#user-menu").click()
    page.get_by_role("link", name="Profile and API tokens").click()
    page.get_by_role("textbox", name="Name", exact=True).fill("nightly export")
    page.get_by_role("button", name="Create").click()
    secret = page.locator("#new-token code.secret")
    expect(secret).to_have_text(re.compile(r"^pdca_\S+$"))
    secret_text = secret.inner_text()
    expect(page.get_by_role("cell", name="nightly export")).to_be_visible()
    shot("16-profile-token-created")
    page.goto(f"{base_url}/accounts/profile/")
    expect(page.get_by_role("cell", name="nightly export")).to_be_visible()
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret_text not in page.content()

    # Switch to the other organization with the switcher.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    with page.expect_navigation():
        page.get_by_label("Organization").select_option(label="Org B")
    expect(heading(page)).to_have_text("Org B")
    expect(page.get_by_text("You are Employee here.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        [
            "Home",
            "Jobs",
            "Organization",
            "Sites",
            "Members",
            "Management system",
            "Gap assessments",
            "Context",
            "Interested parties",
            "Processes",
            "Responsibilities",
            "Objectives",
            "Risks",
            "Statement of Applicability",
            "AI systems",
            "AI impact assessments",
            "Documents",
            "Evidence",
            "To read",
            "Audit programmes",
            "Audits",
            "Report a nonconformity",
            "My CAPA tasks",
            "Improvement opportunities",
            "My training",
            "Training paths",
            "Standards",
            "Integrated view",
            "OSCAL",
        ]
    )
    shot("17-home-other-organization")

    # Sign out: back to the sign-in page, and the pages are closed again.
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base_url}/accounts/login/")
    shot("18-signed-out")
    page.goto(f"{base_url}/sites/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/sites/$"))


@pytest.mark.django_db(transaction=True)
def test_a_system_manager_works_through_the_day_in_a_browser(
    page: Page, live_server, manager_of_two: Personas, screenshots: Path
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def shot(step: str) -> None:
        page.screenshot(path=screenshots / f"{step}.png", full_page=True)

    walk_the_journey(page, live_server.url, manager_of_two, shot)

    site = Site.objects.get(name="Hull warehouse")
    assert site.organization == manager_of_two.org
    assert errors == []
    assert len(list(screenshots.glob("*.png"))) >= 18


@pytest.mark.django_db(transaction=True)
def test_the_journey_loads_nothing_from_outside_the_live_server(
    page: Page, live_server, manager_of_two: Personas
):
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )

    walk_the_journey(page, live_server.url, manager_of_two, shot=lambda step: None)

    assert requested, "no request was recorded"
    outside = [url for url in requested if not url.startswith(f"{live_server.url}/")]
    assert outside == []
    assert failed == []
