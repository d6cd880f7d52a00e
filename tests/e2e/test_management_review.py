"""A management review from its plan to approved minutes, in a browser: the system manager plans
the review of the organization's management system in the register, compiles its inputs from the
registers, records an action and the meeting as held; top management assesses every input,
writes the conclusions and approves the minutes, which are then frozen with their SHA-256 and
offer no more changes; the minutes download as PDF and DOCX. Screenshots go to
var/test-artifacts/screenshots/review-*.png."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from pdca.core.registers.services import create_entry
from pdca.core.roles import Role
from pdca.core.testing.personas import PASSWORD, Personas
from pdca.improvement.registers import NONCONFORMITIES
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.reviews.services import minutes_hash
from pdca.standards.models import Standard
from pdca.system.services import create_system

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 768, "height": 1024}
TITLE = "Management review 2026 of the quality system"
ACTION = "Extend the walkway barrier along the loading bay"


def sign_in_as(page: Page, base_url: str, user, next_path: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}{next_path}")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}{next_path}")


def download(page: Page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_a_management_review_is_planned_held_and_its_minutes_approved_and_frozen(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    page.set_viewport_size(DESKTOP)
    # The machine is shared: a page, or the first request importing the whole URLconf and API
    # schemas, may take longer than usual. Import them here, before the first request.
    page.set_default_timeout(30_000)
    base = live_server.url
    create_path = reverse("reviews:management-reviews-create")
    manager, boss = personas.users[Role.SYSTEM_MANAGER], personas.users[Role.TOP_MANAGEMENT]
    owner = personas.users[Role.PROCESS_OWNER]
    system = create_system(
        personas.org,
        name="Quality management system",
        standards=[Standard.objects.get(code="iso9001-2015")],
        owner=manager,
        actor=manager,
    )
    create_entry(
        NONCONFORMITIES,
        personas.org,
        actor=manager,
        title="Forklift reversing alarm not heard in the machining hall",
        description="Found on the walk-through.",
        source="internal_audit",
        severity="major",
    )
    today = timezone.localdate()

    # The system manager plans the review in the register.
    sign_in_as(page, base, manager, create_path)
    page.locator("#id_system").select_option(str(system.pk))
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_meeting_date").fill(today.isoformat())
    page.locator("#id_chair").select_option(str(boss.pk))
    page.locator("#id_attendees").select_option([str(boss.pk), str(manager.pk)])
    page.get_by_role("button", name="Save").click()
    review = ManagementReview.objects.get(title=TITLE)
    review_path = f"/management-reviews/{review.pk}/"
    expect(page).to_have_url(f"{base}{review_path}")
    expect(page.locator("#review-status")).to_have_text("Planned")
    assert (review.system, review.chair, review.status) == (system, boss, "planned")
    assert set(review.attendees.all()) == {boss, manager}

    # ... compiles the inputs from the registers: cards with figures.
    page.get_by_role("button", name="Compile the inputs").click()
    expect(page.get_by_role("button", name="Compile the inputs again")).to_be_visible()
    review.refresh_from_db()
    inputs = list(review.inputs.order_by("position"))
    assert review.compiled_at is not None and inputs
    expect(page.locator("#inputs article.card")).to_have_count(len(inputs))
    card = page.locator("#inputs article.card").filter(
        has=page.get_by_role("heading", name="Nonconformities and corrective actions")
    )
    expect(card).to_contain_text("Open majors")
    expect(card.locator(".fs-5").first).to_be_visible()
    expect(card).to_contain_text("Forklift reversing alarm not heard")
    expect(page.locator("#inputs-heading")).to_contain_text(f"0 of {len(inputs)} assessed")
    page.screenshot(path=str(screenshots / "review-compiled.png"), full_page=True)

    # ... records an action decided in the meeting.
    page.get_by_role("link", name="Record a decision or action").click()
    expect(page).to_have_url(f"{base}/review-actions/new/?review={review.pk}")
    expect(page.locator("#id_review")).to_have_value(str(review.pk))
    page.locator("#id_kind").select_option("action")
    page.locator("#id_title").fill(ACTION)
    page.locator("#id_owner").select_option(str(owner.pk))
    due = today + dt.timedelta(days=30)
    page.locator("#id_due_date").fill(due.isoformat())
    page.get_by_role("button", name="Save").click()
    output = ReviewOutput.objects.get(title=ACTION)
    expect(page).to_have_url(f"{base}/review-actions/{output.pk}/")

    # ... and records the meeting as held.
    page.goto(f"{base}{review_path}")
    expect(page.locator("#outputs")).to_contain_text(ACTION)
    page.get_by_role("button", name="Record as held").click()
    expect(page.locator("#review-status")).to_have_text("Held")
    # Nothing assessed, no conclusions yet: the minutes cannot be approved.
    expect(page.get_by_role("button", name="Approve the minutes")).to_have_count(0)
    expect(page.locator("#workflow .alert-warning")).to_contain_text("missing")

    # Top management assesses every input and writes the conclusions.
    sign_in_as(page, base, boss, review_path)
    approve = page.get_by_role("button", name="Approve the minutes")
    expect(approve).to_be_disabled()
    for number, item in enumerate(inputs, start=1):
        form = page.locator(f"#input-{item.pk} form")
        form.locator("textarea").fill(f"Assessment {number}: read with the figures; no surprise.")
        form.get_by_role("button", name="Save assessment").click()
        expect(page.locator("#inputs-heading")).to_contain_text(
            f"{number} of {len(inputs)} assessed"
        )
    page.locator(".page-header").get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(f"{base}{review_path}edit/")
    page.locator("#id_conclusions").fill(
        "The system remains suitable, adequate and effective; the loading bay needs attention."
    )
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{base}{review_path}")
    expect(page.locator("#workflow .alert-warning")).to_have_count(0)

    # ... and approves the minutes: frozen, with their SHA-256, no more changes.
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.locator("#review-status")).to_have_text("Minutes approved")
    review.refresh_from_db()
    expect(page.locator("#minutes-sha")).to_have_text(review.minutes_sha256)
    expect(page.locator("#workflow .badge", has_text="intact")).to_be_visible()
    expect(page.locator("#outputs")).to_contain_text(ACTION)
    expect(page.locator("#outputs")).to_contain_text(str(owner))
    expect(page.locator(".page-header").get_by_role("link", name="Edit", exact=True)).to_have_count(
        0
    )
    expect(page.get_by_role("button", name=re.compile("Compile the inputs"))).to_have_count(0)
    expect(page.get_by_role("button", name="Save assessment")).to_have_count(0)
    expect(page.get_by_role("button", name="Approve the minutes")).to_have_count(0)
    expect(page.get_by_role("link", name="Record a decision or action")).to_have_count(0)
    page.screenshot(path=str(screenshots / "review-approved.png"), full_page=True)

    # The minutes download as PDF and DOCX.
    workflow = page.locator("#workflow")
    pdf = download(page, workflow.get_by_role("link", name="PDF", exact=True))
    assert pdf.startswith(b"%PDF")
    (screenshots / "review-minutes.pdf").write_bytes(pdf)  # to look at the printed minutes
    docx = download(page, workflow.get_by_role("link", name="DOCX", exact=True))
    assert docx.startswith(b"PK")
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert "word/document.xml" in archive.namelist()
        assert ACTION in archive.read("word/document.xml").decode()

    # The minutes page shows the frozen copy, at desktop and tablet width.
    workflow.get_by_role("link", name="Minutes", exact=True).click()
    expect(page).to_have_url(f"{base}{review_path}minutes/")
    expect(page.locator(".alert-success")).to_contain_text(review.minutes_sha256)
    expect(page.locator(".alert-success")).to_contain_text("(intact)")
    expect(page.locator("main, body").first).to_contain_text(ACTION)
    page.screenshot(path=str(screenshots / "review-minutes.png"), full_page=True)
    page.set_viewport_size(TABLET)
    page.reload()
    page.screenshot(path=str(screenshots / "review-minutes-768.png"), full_page=True)
    page.goto(f"{base}{review_path}")
    expect(page.locator("#review-status")).to_have_text("Minutes approved")
    page.screenshot(path=str(screenshots / "review-approved-768.png"), full_page=True)

    # In the database: approved, frozen minutes whose hash matches, the action with its owner.
    review.refresh_from_db()
    assert review.status == "approved" and review.approved_by == boss
    assert re.fullmatch(r"[0-9a-f]{64}", review.minutes_sha256)
    assert minutes_hash(review.minutes) == review.minutes_sha256
    assert all(i["assessment"] for i in review.minutes["inputs"])
    assert [o["title"] for o in review.minutes["outputs"]] == [ACTION]
    output.refresh_from_db()
    assert (output.review, output.kind, output.owner, output.due_date) == (
        review,
        "action",
        owner,
        due,
    )
