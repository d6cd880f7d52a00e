"""The awareness path in a browser: the system manager assigns it to employees, an employee
takes it on a tablet (lessons, a quiz failed and retaken, the path passed), and the
competence matrix shows them competent. Screenshots go to var/test-artifacts/screenshots/
training-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pdca.core.registers.services import create_entry
from pdca.core.roles import Role
from pdca.core.testing.personas import Personas
from pdca.people.models import Module, TrainingPath, TrainingRecord
from pdca.people.registers import REQUIREMENTS
from pdca.people.services.course_files import install_shipped_paths
from tests.e2e.test_capa import sign_in_as

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 768, "height": 1024}


def answer(page: Page, module: Module, *, right: bool) -> None:
    """Tick the right choices of every question (or, for a wrong try, the first wrong one)."""
    for question in module.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        chosen = (
            [c for c in choices if c.correct]
            if right
            else [next(c for c in choices if not c.correct)]
        )
        for choice in chosen:
            page.locator(f"#q-{question.pk}-{choice.position}").check()


@pytest.mark.django_db(transaction=True)
def test_an_employee_takes_awareness_on_a_tablet_and_becomes_competent(
    page: Page, live_server, personas: Personas, catalog, screenshots: Path
):
    page.set_default_timeout(15_000)
    base = live_server.url
    manager, employee = personas.users[Role.SYSTEM_MANAGER], personas.users[Role.EMPLOYEE]
    install_shipped_paths(personas.org, actor=manager)
    path = TrainingPath.objects.get(organization=personas.org, code="awareness")
    create_entry(
        REQUIREMENTS,
        personas.org,
        actor=manager,
        code="AW-01",
        title="Management system awareness",
        kind="awareness",
        evaluation="path_passed",
        path=path,
    )

    # The system manager assigns the path to every employee.
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, base, manager, f"/training/paths/{path.pk}/")
    page.locator("#id_role").select_option(Role.EMPLOYEE)
    page.locator("#id_due_date").fill(
        (timezone.localdate() + timezone.timedelta(days=14)).isoformat()
    )
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned.")).to_be_visible()

    # The employee finds it on the home page and takes it on a tablet.
    page.set_viewport_size(TABLET)
    sign_in_as(page, base, employee, "/")
    expect(page.locator("#home-training")).to_contain_text("Management system awareness")
    page.goto(f"{base}/training/")
    page.screenshot(path=str(screenshots / "training-home-tablet.png"), full_page=True)
    page.get_by_role("button", name="Start").click()

    failed_once = False
    for _ in range(40):
        if page.locator("#lesson-done").count():
            if not failed_once:
                page.screenshot(
                    path=str(screenshots / "training-lesson-tablet.png"), full_page=True
                )
            page.locator("#lesson-done").click()
            continue
        if page.locator("#quiz-submit").count():
            module = Module.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
            if not failed_once:
                answer(page, module, right=False)
                page.screenshot(path=str(screenshots / "training-quiz-tablet.png"), full_page=True)
                page.locator("#quiz-submit").click()
                expect(page.locator("#attempt-result")).to_contain_text("Not passed yet")
                page.screenshot(
                    path=str(screenshots / "training-failed-tablet.png"), full_page=True
                )
                failed_once = True
                page.locator("#attempt-retake").click()
                module.refresh_from_db()
            answer(page, module, right=True)
            page.locator("#quiz-submit").click()
            expect(page.locator("#attempt-result")).to_contain_text("Passed")
            page.locator("#attempt-continue").click()
            continue
        break
    expect(page.locator("#path-completed")).to_contain_text("Passed on")
    assert failed_once
    assert TrainingRecord.objects.filter(person=employee, path=path, result="passed").exists()

    # The matrix shows the employee competent.
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, base, manager, "/training/matrix/")
    row = page.locator(
        "#competence-matrix tbody tr", has_text=employee.get_full_name() or employee.email
    )
    expect(row.locator("td.cell-competent")).to_have_count(1)
    page.screenshot(path=str(screenshots / "training-matrix.png"), full_page=True)
