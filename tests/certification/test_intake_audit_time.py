"""Audit time on an application: the application's figures read by the calculator for every
standard (IAF MD 5, ISO/IEC 27006-1, entered days), integration (IAF MD 11), kept as one
calculation per standard and replaced until the review, refused after; multi-site sampling
kept with it; the page, the PDF, the API and `pdca cb applications time`."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from pdca.certification.audit_time import Adjustment
from pdca.certification.models import AuditTimeCalculation
from pdca.certification.services.audit_time import (
    calculate_application_time,
    calculation_inputs,
    scheme_of,
    site_sample,
)
from pdca.cli import app
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing.api_bundle import login
from tests.certification.factories import (
    make_application,
    make_cb_personas,
    make_client,
    make_site,
    standard,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(db):
    return make_cb_personas()


@pytest.fixture
def manager(personas):
    return personas.users[Role.CB_MANAGER]


@pytest.fixture
def client_obj(personas):
    return make_client(personas.cb)


def days(calculation):
    return tuple(
        float(getattr(calculation, f"{name}_days"))
        for name in ("initial", "stage1", "stage2", "surveillance", "recertification")
    )


@pytest.mark.parametrize(
    ("code", "scheme"),
    [
        ("iso9001-2015", ("qms", None)),
        ("iso14001-2015", ("ems", None)),
        ("iso45001-2018", ("ohsms", None)),
        ("iso27001-2022", ("isms", None)),
        ("iso42001-2023", ("entered", "aims")),
        ("iso22000-2018", ("entered", "fsms")),
        ("iso22301-2019", ("entered", "bcms")),
    ],
)
def test_each_catalog_standard_has_its_scheme(code, scheme):
    assert scheme_of(standard(code)) == scheme


def test_one_standard_is_read_from_its_table(personas, manager, client_obj):
    application = make_application(personas.cb, client_obj, permanent_personnel=40)
    [calculation] = calculate_application_time(application, actor=manager)
    assert calculation.scheme == "qms"
    assert days(calculation) == (4.0, 1.5, 2.5, 1.5, 3.0)
    assert calculation.result["table_row"]["personnel"] == "26-45"
    assert calculation.inputs["personnel"] == 40
    assert calculation.calculated_by == manager
    entry = ActivityEntry.objects.get(action="calculate")
    assert entry.changes["initial_days"] == [None, "4.0"]
    assert "ISO 9001:2015: 4 days initial" in entry.message


def test_the_applications_figures_reach_the_calculator(personas, client_obj):
    application = make_application(
        personas.cb,
        client_obj,
        ["iso27001-2022"],
        permanent_personnel=100,
        temporary_personnel=10,
        part_time_persons=4,
        part_time_hours=Decimal("80"),
        identical_activities=[{"name": "Agents", "persons": 49}],
    )
    inputs = calculation_inputs(application, standard("iso27001-2022"))
    assert inputs["personnel"] == 100 and inputs["temporary"] == 10
    assert inputs["part_time_hours"] == 80.0 and inputs["full_time_hours"] == 40.0
    assert [(a.name, a.persons) for a in inputs["identical_activities"]] == [("Agents", 49)]
    assert "complexity" not in inputs
    ems = make_application(
        personas.cb,
        client_obj,
        ["iso14001-2015"],
        complexity="high",
        repetitive_persons=5,
        repetitive_justification="Packing",
    )
    ems_inputs = calculation_inputs(ems, standard("iso14001-2015"))
    assert ems_inputs["complexity"] == "high"
    assert ems_inputs["repetitive_functions"].persons == 5


def test_several_standards_are_integrated(personas, manager, client_obj):
    application = make_application(
        personas.cb,
        client_obj,
        ["iso9001-2015", "iso14001-2015"],
        complexity="low",
        integration_reduction=Decimal("20"),
        integration_notes="One system, one internal audit programme",
    )
    calculations = calculate_application_time(application, actor=manager)
    assert [c.standard.code for c in calculations] == ["iso14001-2015", "iso9001-2015"]
    for c in calculations:
        keys = [s["key"] for s in c.result["steps"]]
        assert "integration" in keys
        assert c.result["integrated_with"] == (["qms"] if c.scheme == "ems" else ["ems"])
        assert float(c.initial_days) == 3.5  # 4 days less 20 % = 3.2, rounded up


def test_adjustments_stage_share_and_off_site_share(personas, manager, client_obj):
    application = make_application(personas.cb, client_obj, off_site_share=Decimal("0.2"))
    [c] = calculate_application_time(
        application,
        actor=manager,
        adjustments=[Adjustment(-10, "Mature system"), Adjustment(25, "Three languages")],
        stage1_share=0.5,
    )
    # 4 days +15 % = 4.6, rounded up to 5; stage 1 half of it.
    assert days(c)[:3] == (5.0, 2.5, 2.5)
    texts = [s["text"] for s in c.result["steps"]]
    assert any("Mature system" in t for t in texts) and any("Three languages" in t for t in texts)
    assert c.inputs["off_site"] == 1.0
    assert c.inputs["adjustments"][0] == {"percent": -10, "reason": "Mature system"}


def test_entered_days_for_a_standard_without_a_table(personas, manager, client_obj):
    application = make_application(personas.cb, client_obj, ["iso9001-2015", "iso42001-2023"])
    with pytest.raises(ValidationFailed) as caught:
        calculate_application_time(application, actor=manager)
    assert "days.iso42001-2023" in {e.field for e in caught.value.errors}
    assert not AuditTimeCalculation.objects.exists()
    with pytest.raises(ValidationFailed) as caught:
        calculate_application_time(application, actor=manager, days={"iso42001-2023": 6})
    assert "justification.iso42001-2023" in {e.field for e in caught.value.errors}
    calculations = calculate_application_time(
        application,
        actor=manager,
        days={"iso42001-2023": 6},
        justification={"iso42001-2023": "Two AI systems, developer role"},
    )
    entered = next(c for c in calculations if c.scheme == "entered")
    assert float(entered.initial_days) == 6.0
    assert entered.result["provisional"] is True
    # One number serves when one standard needs it.
    again = calculate_application_time(application, actor=manager, days=7, justification="Bigger")
    assert float(next(c for c in again if c.scheme == "entered").initial_days) == 7.0


def test_bad_adjustments_name_their_field_and_keep_the_previous_calculation(
    personas, manager, client_obj
):
    application = make_application(personas.cb, client_obj)
    calculate_application_time(application, actor=manager)
    before = list(AuditTimeCalculation.objects.values_list("pk", "initial_days"))
    for adjustments, field in (
        ([Adjustment(-10, "")], "adjustments[0].reason"),
        ([Adjustment(0, "Nothing")], "adjustments[0].percent"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            calculate_application_time(application, actor=manager, adjustments=adjustments)
        assert field in {e.field for e in caught.value.errors}
    with pytest.raises(ValidationFailed) as caught:
        calculate_application_time(application, actor=manager, stage1_share=1.5)
    assert caught.value.errors[0].field == "stage1_share"
    assert list(AuditTimeCalculation.objects.values_list("pk", "initial_days")) == before


def test_recalculating_replaces_and_the_review_freezes_it(personas, manager, client_obj):
    from pdca.certification.services.applications import transition_application

    application = make_application(personas.cb, client_obj)
    calculate_application_time(application, actor=manager)
    calculate_application_time(application, actor=manager, adjustments=[Adjustment(50, "Complex")])
    assert AuditTimeCalculation.objects.count() == 1
    assert float(AuditTimeCalculation.objects.get().initial_days) == 6.0
    transition_application(application, "submitted", actor=manager)
    calculate_application_time(application, actor=manager)  # still open under review
    transition_application(application, "accepted", actor=manager)
    with pytest.raises(Conflict) as caught:
        calculate_application_time(application, actor=manager)
    assert caught.value.code == "application_closed"
    with pytest.raises(PermissionDenied):
        calculate_application_time(
            make_application(personas.cb, client_obj), actor=personas.users[Role.LEAD_AUDITOR]
        )


def test_the_calculator_refusal_for_personnel_beyond_the_table_names_the_field(
    personas, manager, client_obj
):
    application = make_application(personas.cb, client_obj, permanent_personnel=20000)
    with pytest.raises(ValidationFailed) as caught:
        calculate_application_time(application, actor=manager)
    assert caught.value.errors[0].field == "permanent_personnel"


# --- multi-site -----------------------------------------------------------------------------


def _sites(client_obj, n):
    make_site(client_obj, "Head office", is_central=True)
    return [make_site(client_obj, f"Branch {i:02d}") for i in range(n)]


def test_a_multi_site_application_is_sampled_and_the_sample_kept(personas, manager, client_obj):
    branches = _sites(client_obj, 9)
    application = make_application(personas.cb, client_obj, multi_site=True)
    sample = site_sample(application, seed=5)
    assert sample is not None
    assert sample.result.site_count == 9 and sample.result.sample_size == 3
    assert site_sample(application, seed=5).selection.sites == sample.selection.sites
    [c] = calculate_application_time(application, actor=manager, sample=sample)
    kept = c.inputs["sampling"]
    assert kept["sample_size"] == 3 and kept["provisional"] is True
    assert {s["id"] for s in kept["selection"]["sites"]} <= {b.pk for b in branches}
    assert kept["selection"]["seed"] == 5
    assert site_sample(make_application(personas.cb, client_obj)) is None  # not multi-site
    lone = make_client(personas.cb, 3)
    make_site(lone, "Only site")
    assert site_sample(make_application(personas.cb, lone, multi_site=True)) is None


def test_the_applications_own_sites_are_sampled_when_it_names_some(personas, client_obj):
    branches = _sites(client_obj, 6)
    application = make_application(personas.cb, client_obj, multi_site=True, sites=branches[:4])
    assert site_sample(application, seed=1).result.site_count == 4


# --- page, PDF, API, CLI --------------------------------------------------------------------

MEMBERS = {
    Role.CB_MANAGER,
    Role.LEAD_AUDITOR,
    Role.AUDITOR,
    Role.TECHNICAL_EXPERT,
    Role.CERTIFICATION_DECISION_MAKER,
}


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_time_page_by_role(client, personas, role, client_obj):
    application = make_application(personas.cb, client_obj)
    login(client, personas.users[role])
    url = f"/cb/applications/{application.pk}/audit-time/"
    response = client.get(url)
    assert response.status_code == (200 if role in MEMBERS else 404)
    posted = client.post(url, {"stage1_share": "0.3333"})
    if role == Role.CB_MANAGER:
        assert posted.status_code == 302, posted.content.decode()[:3000]
        assert AuditTimeCalculation.objects.count() == 1
    else:
        assert posted.status_code == (403 if role in MEMBERS else 404)
        assert not AuditTimeCalculation.objects.exists()


def test_time_page_shows_every_step_and_flags_provisional_figures(
    client, personas, manager, client_obj
):
    _sites(client_obj, 4)
    application = make_application(
        personas.cb, client_obj, ["iso14001-2015"], complexity="medium", multi_site=True
    )
    login(client, manager)
    url = f"/cb/applications/{application.pk}/audit-time/"
    preview = client.get(url).content.decode()
    assert "Multi-site sample" in preview and "provisional" in preview
    response = client.post(
        url,
        {
            "stage1_share": "0.3333",
            "adjustment_0_percent": "-10",
            "adjustment_0_reason": "Mature system",
            "sampling_stage": "initial",
            "risk_increase": "1",
            "seed": "3",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    html = client.get(url).content.decode()
    assert "Table EMS 1" in html and "Mature system" in html
    assert "provisional" in html and "Provisional because" in html
    assert "drawn at random (seed 3)" in html
    pdf = client.get(f"/cb/applications/{application.pk}/audit-time.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_time_page_names_bad_fields_and_keeps_nothing(client, personas, manager, client_obj):
    application = make_application(personas.cb, client_obj, ["iso9001-2015", "iso22301-2019"])
    login(client, manager)
    url = f"/cb/applications/{application.pk}/audit-time/"
    response = client.post(url, {"stage1_share": "0.3333", "adjustment_1_percent": "10"})
    assert response.status_code == 422
    assert "adjustment_1_reason" in response.context["form"].errors
    response = client.post(url, {"stage1_share": "0.3333", "days_iso22301-2019": "5"})
    assert response.status_code == 422
    assert "justification_iso22301-2019" in response.context["form"].errors
    assert not AuditTimeCalculation.objects.exists()
    ok = client.post(
        url,
        {
            "stage1_share": "0.3333",
            "days_iso22301-2019": "5",
            "justification_iso22301-2019": "BIA of 3 sites",
        },
    )
    assert ok.status_code == 302
    assert AuditTimeCalculation.objects.count() == 2


def test_time_api(client, personas, manager, client_obj):
    application = make_application(personas.cb, client_obj, ["iso9001-2015", "iso42001-2023"])
    url = f"/api/v1/cb/applications/{application.pk}/audit-time/"
    login(client, personas.users[Role.AUDITOR])
    assert client.get(url).json()["calculations"] == []
    denied = client.post(url, {}, content_type="application/json")
    assert denied.status_code == 403
    login(client, manager)
    bad = client.post(
        url, {"adjustments": [{"percent": -5, "reason": ""}]}, content_type="application/json"
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"adjustments[0].reason", "days.iso42001-2023"} <= fields
    ok = client.post(
        url,
        {
            "adjustments": [{"percent": 10, "reason": "Two shifts"}],
            "entered": [{"standard": "iso42001-2023", "days": 5, "justification": "One AI system"}],
        },
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    data = ok.json()
    assert [c["standard"] for c in data["calculations"]] == ["iso42001-2023", "iso9001-2015"]
    assert data["provisional"] is True
    assert data["calculations"][1]["result"]["steps"]
    login(client, personas.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {}, content_type="application/json").status_code == 404


def run(*args):
    return CliRunner().invoke(app, ["cb", "applications", *args], prog_name="pdca")


def test_cli_time(personas, client_obj):
    application = make_application(personas.cb, client_obj)
    shown = run("time", str(application.pk), "--org", "cb")
    assert shown.exit_code == 0 and "no audit time calculated yet" in shown.output
    assert run("time", str(application.pk), "--org", "cb", "--adjust", "-10:x").exit_code == 2
    bad = run(
        "time",
        application.reference,
        "--org",
        "cb",
        "--as",
        "cb_manager@cb.example",
        "--adjust",
        "-10:",
    )
    assert bad.exit_code == 1 and "adjustments[0].reason" in bad.output
    assert (
        run(
            "time",
            application.reference,
            "--org",
            "cb",
            "--as",
            "cb_manager@cb.example",
            "--adjust",
            "ten:x",
        ).exit_code
        == 2
    )
    done = run(
        "time",
        application.reference,
        "--org",
        "cb",
        "--as",
        "cb_manager@cb.example",
        "--adjust",
        "-10:Mature system",
        "--format",
        "json",
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["calculations"][0]["result"]["initial"]["days"] == 4.0
    assert ActivityEntry.objects.get(action="calculate").via == "cli"
    table = run("time", str(application.pk), "--org", "cb")
    assert "How it was reached" in table.output and "Mature system" in table.output
