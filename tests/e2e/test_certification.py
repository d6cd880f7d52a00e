"""A certification body's whole initial certification of a client, in a browser: the manager
records the accreditation, the client and its site, the application with its personnel and its
audit time (the table row and how stage 1 and stage 2 were reached), the contract review, the
cycle and stage 1; the lead auditor holds stage 1, the manager records it ready (stage 2 was
refused until then, with the reason); stage 2 raises a major, the client's answer is recorded,
the plan accepted and the actions verified; the decision maker is first refused while the
major is open, then grants; the certificate's PDF carries the QR code of its public page, which
anyone opens without signing in and sees the certificate valid with nothing private.
Screenshots go to var/test-artifacts/screenshots/certification-*.png."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from pdca.audits.models import Audit, ChecklistItem, Finding
from pdca.certification.models import (
    AccreditedScope,
    Application,
    Certificate,
    CertificationCycle,
    Client,
    ClientSite,
    CycleAudit,
    FindingReview,
)
from pdca.certification.services.certificate_pdf import (
    certificate_html,
    qr_svg,
    verification_url,
)
from pdca.core.roles import Role
from pdca.core.testing.personas import Personas
from pdca.people.models import Qualification
from pdca.standards.models import Standard
from tests.e2e.test_capa import sign_in_as

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 768, "height": 1024}
QMS = "iso9001-2015"
CONTACT_EMAIL = "quality@harbourvalves.example"


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"certification-{name}.png"), full_page=True)


def programme_row(page: Page, label: str):
    """The row of the cycle page's programme table whose audit is `label` (Stage 1...)."""
    return page.locator("#programme tbody tr").filter(
        has=page.locator("td:first-child", has_text=label)
    )


def move_audit(page: Page, base: str, audit: Audit, to: str) -> None:
    page.goto(f"{base}/audits/{audit.pk}/transition/?to={to}")
    page.locator("form button.btn-primary").click()
    expect(page).not_to_have_url(f"{base}/audits/{audit.pk}/transition/?to={to}")
    audit.refresh_from_db()
    assert audit.status == to, audit.status


def hold_audit(
    page: Page,
    base: str,
    audit: Audit,
    folder: Path,
    name: str,
    major: dict[str, str] | None = None,
) -> None:
    """The lead auditor's fieldwork: a question of their own, prepared, started, answered,
    (a finding), fieldwork finished, and the report issued with the lead auditor's exceptions
    for what this journey does not record (summary, conclusion, meetings)."""
    page.goto(f"{base}/audits/{audit.pk}/checklist/add/")
    page.locator("#id_question").fill("Is the management system documented and implemented?")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Question added.")).to_be_visible()
    item = ChecklistItem.objects.get(audit=audit)
    move_audit(page, base, audit, "prepared")
    move_audit(page, base, audit, "in_progress")

    page.goto(f"{base}/audits/{audit.pk}/checklist/")
    result = "nonconformity" if major else "conforming"
    page.locator(f"#result-{item.pk}").select_option(result)
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.locator(f"#notes-{item.pk}").fill(major["evidence"] if major else "Seen in place.")
    page.locator(f"#notes-{item.pk}").blur()
    expect(page.locator(".htmx-request")).to_have_count(0)
    item.refresh_from_db()
    assert item.result == result

    if major:
        page.goto(f"{base}/audits/{audit.pk}/findings/new/")
        page.locator("#id_grade").select_option("major")
        page.locator("#id_title").fill(major["title"])
        page.locator("#id_requirement_statement").fill(major["requirement"])
        page.locator("#id_evidence").fill(major["evidence"])
        page.locator("#id_statement").fill(major["statement"])
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text(major["title"]).first).to_be_visible()

    move_audit(page, base, audit, "reporting")
    page.goto(f"{base}/audits/{audit.pk}/report/")
    expect(page.locator("#report-missing")).to_be_visible()
    exceptions = page.locator("input[name^='exception-']")
    assert exceptions.count() >= 1
    for index in range(exceptions.count()):
        exceptions.nth(index).fill("Given orally at the closing meeting; recorded in the notes.")
    page.get_by_role("button", name="Issue the report").click()
    expect(page.locator("#revisions tbody tr")).to_have_count(1)
    audit.refresh_from_db()
    assert audit.status == "report_issued", audit.status
    shot(page, folder, name)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
@pytest.mark.django_db(transaction=True)
def test_application_to_a_certificate_verified_by_its_qr_code(
    page: Page, browser: Browser, live_server, personas: Personas, catalog, screenshots, settings
):
    # The QR code encodes PDCA_BASE_URL + /verify/<number>/: here, the live server.
    settings.PDCA_BASE_URL = live_server.url
    page.set_viewport_size(DESKTOP)
    page.set_default_timeout(15_000)
    base = live_server.url
    users = personas.users
    manager, lead = users[Role.CB_MANAGER], users[Role.LEAD_AUDITOR]
    decider = users[Role.CERTIFICATION_DECISION_MAKER]
    qms = Standard.objects.get(code=QMS)
    today = timezone.localdate()
    # The auditors' qualifications (the people app's register, not this journey's subject):
    # the lead auditor and the auditor are qualified for ISO 9001.
    for user, kind in ((lead, "lead_auditor"), (users[Role.AUDITOR], "auditor")):
        Qualification.objects.create(
            organization=personas.cb,
            person=user,
            kind=kind,
            standard=qms,
            granted_on=today - dt.timedelta(days=400),
            expires_on=today + dt.timedelta(days=800),
            granted_by=manager,
            basis="Lead auditor course and four witnessed audits.",
        )

    # --- 1. The manager: accreditation, client, site, application, audit time, review. ---
    sign_in_as(page, base, manager, "/cb/profile/")
    page.locator("#id_accreditation_body").fill("UKAS")
    page.locator("#id_accreditation_number").fill("0917")
    page.locator("#id_certificate_prefix").fill("NB")
    page.locator("#id_signatory_name").fill("Dana Signer")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("UKAS 0917")).to_be_visible()

    page.goto(f"{base}/cb/accredited-scopes/new/")
    page.locator("#id_standard").select_option(str(qms.pk))
    page.locator("#id_valid_from").fill((today - dt.timedelta(days=365)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/cb/accredited-scopes/\d+/$"))
    assert AccreditedScope.objects.filter(organization=personas.cb, standard=qms).exists()

    page.goto(f"{base}/cb/clients/new/")
    page.locator("#id_name").fill("Harbour Valves Ltd")
    page.locator("#id_legal_name").fill("Harbour Valves Limited")
    page.locator("#id_country").fill("GB")
    page.locator("#id_contact_name").fill("Priya Shah")
    page.locator("#id_contact_email").fill(CONTACT_EMAIL)
    page.locator("#id_sector_codes").fill("18")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/cb/clients/\d+/$"))
    client = Client.objects.get(organization=personas.cb, name="Harbour Valves Ltd")

    page.locator("#client-sites").get_by_role("link", name="Add a site").click()
    page.locator("#id_name").fill("Portsmouth works")
    page.locator("#id_country").fill("GB")
    page.locator("#id_is_central").check()
    page.locator("#id_headcount").fill("48")
    page.locator("#id_activities").fill("Machining, assembly and testing of valves")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/cb/client-sites/\d+/$"))
    site = ClientSite.objects.get(client=client)

    page.goto(f"{base}/cb/clients/{client.pk}/")
    page.locator("#client-applications").get_by_role("link", name="New application").click()
    page.locator("#id_standards").select_option([str(qms.pk)])
    page.locator("#id_scope").fill("Design, machining and assembly of industrial valves")
    page.locator("#id_sites").select_option([str(site.pk)])
    page.locator("#id_sector_codes").fill("18")
    page.locator("#id_permanent_personnel").fill("45")
    page.locator("#id_temporary_personnel").fill("3")
    shot(page, screenshots, "application-form")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/cb/applications/\d+/$"))
    application = Application.objects.get(client=client)

    page.get_by_role("link", name="Audit time").first.click()
    expect(page).to_have_url(f"{base}/cb/applications/{application.pk}/audit-time/")
    page.get_by_role("button", name="Calculate and keep").click()
    result = page.locator(".time-result")
    expect(result).to_have_count(1)
    calculation = application.calculations.get()
    row = calculation.result["table_row"]
    # The table row read, and stage 1 and stage 2 with the basis of each.
    expect(result).to_contain_text(f"row {row['personnel']}: {row['days']} days")
    for stage in ("stage1", "stage2"):
        line = result.locator("tbody tr").filter(
            has=page.locator("td:first-child", has_text=re.compile(rf"^Stage {stage[-1]}"))
        )
        figures = calculation.result[stage]
        expect(line).to_contain_text(str(figures["days"]))
        expect(line).to_contain_text(figures["basis"])
    expect(result.locator("ol.time-steps li").first).to_be_visible()
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    shot(page, screenshots, "audit-time")

    page.goto(f"{base}/cb/applications/{application.pk}/")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#contract-review")).to_be_visible()
    expect(page.locator("#contract-review")).to_contain_text("accredited")
    page.locator("#review-notes").fill("Scope accredited, two qualified auditors, no conflict.")
    shot(page, screenshots, "contract-review")
    page.locator("#contract-review").get_by_role("button", name="Accept").click()
    expect(page.get_by_text(f"{application.reference} is now accepted.")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED

    # --- 2. The cycle and stage 1. ---
    page.goto(f"{base}/cb/applications/{application.pk}/")
    shot(page, screenshots, "application-accepted")
    page.get_by_role("button", name="Open the certification cycle").click()
    expect(page).to_have_url(re.compile(r"/cb/cycles/\d+/$"))
    cycle = CertificationCycle.objects.get(client=client)
    expect(page).to_have_url(f"{base}/cb/cycles/{cycle.pk}/")
    stage1_item = CycleAudit.objects.get(cycle=cycle, kind="stage1")
    stage2_item = CycleAudit.objects.get(cycle=cycle, kind="stage2")
    assert stage1_item.planned_days == calculation.stage1_days
    # Stage 2 cannot be scheduled before stage 1 found the client ready: the row says why.
    stage2_row = programme_row(page, "Stage 2")
    expect(stage2_row).to_contain_text("Stage 2 waits for the outcome of stage 1")
    expect(stage2_row.get_by_role("button", name="Schedule")).to_have_count(0)
    shot(page, screenshots, "cycle-opened")

    stage1_row = programme_row(page, "Stage 1")
    stage1_start = today - dt.timedelta(days=60)
    stage1_row.locator("input[name=start_date]").fill(stage1_start.isoformat())
    stage1_row.locator("input[name=end_date]").fill(stage1_start.isoformat())
    stage1_row.locator("select[name=lead_auditor]").select_option(str(lead.pk))
    stage1_row.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Stage 1 scheduled.")).to_be_visible()
    stage1_item.refresh_from_db()
    stage1_audit = stage1_item.audit
    assert stage1_audit is not None and stage1_audit.lead_auditor == lead

    sign_in_as(page, base, lead, f"/audits/{stage1_audit.pk}/")
    hold_audit(page, base, stage1_audit, screenshots, "stage1-report")

    sign_in_as(page, base, manager, f"/cb/cycles/{cycle.pk}/")
    stage1_row = programme_row(page, "Stage 1")
    stage1_row.locator("select[name=outcome]").select_option("ready")
    shot(page, screenshots, "stage1-outcome")
    stage1_row.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_text("Stage 1 outcome recorded.")).to_be_visible()
    stage1_row = programme_row(page, "Stage 1")
    expect(stage1_row).to_contain_text("Ready for stage 2")
    stage1_row.locator("input[name=days]").fill(str(stage1_item.planned_days))
    stage1_row.get_by_role("button", name="Record days").click()
    expect(page.get_by_text("Days delivered recorded.")).to_be_visible()

    # --- 3. Stage 2 with a major finding. ---
    stage2_row = programme_row(page, "Stage 2")
    stage2_start = today - dt.timedelta(days=20)
    stage2_row.locator("input[name=start_date]").fill(stage2_start.isoformat())
    stage2_row.locator("input[name=end_date]").fill(
        (stage2_start + dt.timedelta(days=1)).isoformat()
    )
    stage2_row.locator("select[name=lead_auditor]").select_option(str(lead.pk))
    stage2_row.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Stage 2 scheduled.")).to_be_visible()
    stage2_item.refresh_from_db()
    stage2_audit = stage2_item.audit
    assert stage2_audit is not None

    major = {
        "title": "Calibration of test rigs not controlled",
        "requirement": "Measuring equipment used for product release is calibrated at intervals.",
        "evidence": "Pressure test rig PT-3 last calibrated in 2023; used on 14 release tests.",
        "statement": "Release tests were made with equipment whose calibration had lapsed.",
    }
    sign_in_as(page, base, lead, f"/audits/{stage2_audit.pk}/")
    hold_audit(page, base, stage2_audit, screenshots, "stage2-report", major=major)
    finding = Finding.objects.get(audit=stage2_audit)
    assert finding.grade == "major"
    review = FindingReview.objects.get(finding=finding)

    sign_in_as(page, base, manager, f"/cb/cycles/{cycle.pk}/")
    stage2_row = programme_row(page, "Stage 2")
    stage2_row.locator("input[name=days]").fill(str(stage2_item.planned_days))
    stage2_row.get_by_role("button", name="Record days").click()
    expect(page.get_by_text("Days delivered recorded.")).to_be_visible()

    # --- The decision maker, too early: the open major is what is missing. ---
    sign_in_as(page, base, decider, f"/cb/cycles/{cycle.pk}/")
    decision = page.locator("#decision")
    majors_line = decision.locator("tbody tr", has_text="Every major")
    expect(majors_line.locator(".badge")).to_have_text("no")
    decision.locator("select[name=outcome]").select_option("granted")
    decision.locator("input[name=on]").fill(today.isoformat())
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#errors")).to_contain_text("Certification cannot be granted yet")
    expect(page.locator("#errors")).to_contain_text(major["title"])
    shot(page, screenshots, "decision-refused")
    assert not Certificate.objects.filter(cycle=cycle).exists()

    # --- 4. The lead auditor: the client's answer, the plan accepted, the actions verified. ---
    sign_in_as(page, base, lead, f"/cb/cycles/{cycle.pk}/")
    card = page.locator("#reviews .card", has_text=major["title"])
    card.get_by_text("Record the client's answer").click()
    card.locator("textarea[name=correction]").fill("Rig PT-3 recalibrated; 14 valves retested.")
    card.locator("textarea[name=root_cause]").fill("Rigs were missing from the calibration list.")
    card.locator("textarea[name=corrective_action]").fill(
        "Every test rig added to the calibration register with a recall date."
    )
    card.locator("input[name=responded_on]").fill((today - dt.timedelta(days=5)).isoformat())
    shot(page, screenshots, "client-answer")
    card.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Answer recorded.")).to_be_visible()
    card = page.locator("#reviews .card", has_text=major["title"])
    card.locator("select[name=accept]").select_option("yes")
    card.get_by_role("button", name="Review the plan").click()
    expect(page.get_by_text("Plan reviewed.")).to_be_visible()
    card = page.locator("#reviews .card", has_text=major["title"])
    card.locator("select[name=method]").select_option("documentary")
    card.locator("input[name=notes]").fill("Calibration certificate of PT-3 and the register seen.")
    card.locator("input[name=on]").fill(today.isoformat())
    card.get_by_role("button", name="Record verification").click()
    expect(page.get_by_text("Verification recorded.")).to_be_visible()
    review.refresh_from_db()
    assert (review.plan_status, review.verified_by, review.verified_on) == ("accepted", lead, today)

    # --- 5. The decision maker grants. ---
    sign_in_as(page, base, decider, f"/cb/cycles/{cycle.pk}/")
    decision = page.locator("#decision")
    expect(decision.locator("tbody .badge", has_text="no")).to_have_count(0)
    expect(decision.locator("tbody .badge", has_text="yes")).to_have_count(
        decision.locator("tbody tr").count()
    )
    shot(page, screenshots, "decision-checklist")
    decision.locator("select[name=outcome]").select_option("granted")
    decision.locator("input[name=on]").fill(today.isoformat())
    decision.locator("textarea[name=notes]").fill("All requirements met; major verified.")
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    shot(page, screenshots, "certified")
    page.set_viewport_size(TABLET)
    shot(page, screenshots, "certified-tablet")
    page.set_viewport_size(DESKTOP)
    certificate = Certificate.objects.get(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == CertificationCycle.Status.CERTIFIED
    assert certificate.accredited and certificate.number.startswith("NB")

    # --- 6. The certificate, its PDF and the QR code's public page. ---
    page.goto(f"{base}/cb/certificates/")
    page.get_by_role("link", name=certificate.number).click()
    expect(page).to_have_url(f"{base}/cb/certificates/{certificate.pk}/")
    url = verification_url(certificate.number)
    assert url == f"{base}/verify/{certificate.number}/"
    expect(page.locator("main")).to_contain_text(url)
    shot(page, screenshots, "certificate")
    pdf_link = page.get_by_role("link", name="PDF")
    pdf = page.request.get(f"{base}{pdf_link.get_attribute('href')}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    # Printed under the client's legal name.
    assert certificate.client_name == "Harbour Valves Limited"
    assert certificate.number in text and certificate.client_name in text
    assert url in text.replace(" ", "")
    assert "UKAS" in text
    # The QR code printed is the one of the verification address.
    assert qr_svg(url) in certificate_html(certificate)

    public = browser.new_context(viewport=TABLET)
    try:
        anyone = public.new_page()
        anyone.goto(url)
        expect(anyone).to_have_url(url)
        status = anyone.locator("#certificate-status")
        expect(status).to_have_text(re.compile(r"^\s*Valid: issued on"))
        expect(anyone.get_by_label("Password")).to_have_count(0)
        facts = anyone.locator("main")
        expect(facts).to_contain_text(certificate.client_name)
        expect(facts).to_contain_text("Design, machining and assembly of industrial valves")
        expect(facts).to_contain_text("ISO 9001")
        expect(facts).to_contain_text("Portsmouth works")
        expect(facts).to_contain_text(certificate.issued_on.isoformat())
        expect(facts).to_contain_text(certificate.expires_on.isoformat())
        expect(facts).to_contain_text("Accredited by UKAS, number 0917")
        anyone.screenshot(path=str(screenshots / "certification-verify-tablet.png"), full_page=True)
        content = anyone.content()
        for private in (CONTACT_EMAIL, "Priya Shah", "Machining, assembly and testing"):
            assert private not in content, private
    finally:
        public.close()
