"""A policy goes from a draft to people's confirmed reading, in a browser.

The system manager writes the quality policy in Markdown and submits it; top management
approves and publishes it (the author could not); the system manager asks the employees to
read it; the employee reads and confirms; the report shows it. Screenshots go to
var/test-artifacts/screenshots/documents-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pdca.core.roles import Role
from pdca.core.testing.personas import PASSWORD, Personas
from pdca.documents.models import Acknowledgement, Document, DocumentVersion

DESKTOP = {"width": 1280, "height": 900}


def sign_in(page: Page, base_url: str, user, next_path: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}{next_path}")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}{next_path}")


@pytest.mark.django_db(transaction=True)
def test_write_approve_publish_and_acknowledge_a_policy(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    page.set_viewport_size(DESKTOP)
    page.set_default_timeout(10_000)
    base = live_server.url
    manager = personas.manager
    ceo = personas.users[Role.TOP_MANAGEMENT]
    employee = personas.employee

    sign_in(page, base, manager, "/documents/new/")
    page.locator("#id_title").fill("Quality policy")
    page.locator("#id_doc_type").select_option("policy")
    page.get_by_role("button", name="Save").click()
    document = Document.objects.get(title="Quality policy")
    assert document.code == "POL-001", "the numbering scheme gave the code"

    page.get_by_role("link", name="New version").click()
    page.locator("textarea[name=content]").fill(
        "# Quality policy\n\nWe deliver **conforming parts on time**.\n\n<script>alert(1)</script>"
    )
    page.locator("[name=change_summary]").fill("First issue")
    page.get_by_role("button", name="Save").first.click()
    version = DocumentVersion.objects.get(document=document)
    expect(page.locator("strong", has_text="conforming parts on time")).to_be_visible()
    assert page.locator("script", has_text="alert(1)").count() == 0, "the Markdown is sanitized"

    page.get_by_role("button", name="Submit for review").click()
    version.refresh_from_db()
    assert version.status == "in_review"
    expect(page.locator("#step-approve button")).to_be_disabled()  # the author may not approve
    page.screenshot(path=str(screenshots / "documents-in-review.png"), full_page=True)

    sign_in(page, base, ceo, "/documents/review/")
    page.get_by_role("link", name="v1", exact=True).click()
    page.locator("#step-approve button").click()
    page.locator("#step-publish button").click()
    version.refresh_from_db()
    assert version.status == "published" and version.approved_by == ceo

    sign_in(page, base, manager, f"/documents/versions/{version.pk}/ask/")
    page.locator("#id_roles").select_option("employee")
    page.get_by_role("button", name="Ask them").click()
    assert Acknowledgement.objects.filter(version=version, user=employee).exists()

    sign_in(page, base, employee, "/documents/to-read/")
    page.get_by_role("link", name="Read and confirm").click()
    page.get_by_role("button", name="I have read and understood this document").click()
    ack = Acknowledgement.objects.get(version=version, user=employee)
    assert ack.acknowledged_at is not None

    sign_in(page, base, manager, f"/documents/{document.pk}/")
    page.screenshot(path=str(screenshots / "documents-published.png"), full_page=True)
    expect(page.get_by_text("Read by 1 of 1")).to_be_visible()
