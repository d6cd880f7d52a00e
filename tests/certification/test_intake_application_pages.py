"""Application pages and API: the permission matrix (pages and endpoints), the list's
filters and its queries at two sizes, the draft form naming bad fields, the contract review
on the page, and `pdca cb applications`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pdca.certification.models import Application
from pdca.certification.services.audit_time import calculate_application_time
from pdca.cli import app
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from tests.certification.factories import (
    make_application,
    make_cb_personas,
    make_client,
    make_scope,
    make_site,
    standard,
)

pytestmark = pytest.mark.django_db

MANAGERS = frozenset({Role.CB_MANAGER})
MEMBERS = frozenset(
    {
        Role.CB_MANAGER,
        Role.LEAD_AUDITOR,
        Role.AUDITOR,
        Role.TECHNICAL_EXPERT,
        Role.CERTIFICATION_DECISION_MAKER,
    }
)


@pytest.fixture
def personas(db):
    return make_cb_personas()


def _client(org):
    from pdca.certification.models import Client

    return Client.objects.filter(organization=org).first() or make_client(org, 500)


class ApplicationData:
    model = Application

    def make(self, org, index=0):
        return make_application(
            org,
            _client(org),
            ["iso9001-2015", "iso14001-2015"],
            complexity="low",
            reference=f"APP-T-{index:03d}",
        )

    def list_text(self, obj):
        return obj.reference


class TestApplicationPages(ApplicationData, ViewBundle):
    list_url = "/cb/applications/"
    create_url = "/cb/applications/new/"
    view_roles = MEMBERS
    add_roles = change_roles = MANAGERS
    invalid_form_data = [
        (
            lambda org: {
                "client": _client(org).pk,
                "kind": "initial",
                "scope": "x",
                "permanent_personnel": "5",
                "full_time_hours": "40",
                "part_time_hours": "0",
                "off_site_share": "0",
                "integration_reduction": "0",
            },
            "standards",
        ),
        (
            lambda org: {
                "client": _client(org).pk,
                "kind": "initial",
                "standards": [standard("iso14001-2015").pk],
                "scope": "x",
                "permanent_personnel": "5",
                "full_time_hours": "40",
                "part_time_hours": "0",
                "off_site_share": "0",
                "integration_reduction": "0",
            },
            "complexity",
        ),
        (
            lambda org: {
                "client": _client(org).pk,
                "kind": "initial",
                "standards": [standard("iso9001-2015").pk],
                "scope": "x",
                "permanent_personnel": "5",
                "full_time_hours": "40",
                "part_time_hours": "0",
                "off_site_share": "0.5",
                "integration_reduction": "0",
            },
            "off_site_share",
        ),
        (
            lambda org: {
                "client": _client(org).pk,
                "kind": "initial",
                "standards": [standard("iso27001-2022").pk],
                "scope": "x",
                "permanent_personnel": "5",
                "full_time_hours": "40",
                "part_time_hours": "0",
                "off_site_share": "0",
                "integration_reduction": "0",
                "identical_activities": "agents: lots",
            },
            "identical_activities",
        ),
        (
            lambda org: {
                "client": _client(org).pk,
                "kind": "initial",
                "standards": [standard("iso9001-2015").pk],
                "scope": "x",
                "permanent_personnel": "5",
                "full_time_hours": "40",
                "part_time_hours": "0",
                "off_site_share": "0",
                "integration_reduction": "0",
                "consultancy_received": "on",
            },
            "consultancy_by",
        ),
    ]

    def form_data(self, org):
        return {
            "client": _client(org).pk,
            "kind": "initial",
            "standards": [standard("iso9001-2015").pk, standard("iso27001-2022").pk],
            "scope": "Software development",
            "sector_codes": "33",
            "permanent_personnel": "60",
            "temporary_personnel": "0",
            "part_time_persons": "0",
            "part_time_hours": "0",
            "full_time_hours": "40",
            "repetitive_persons": "0",
            "off_site_share": "0.1",
            "integration_reduction": "10",
            "integration_notes": "One system",
            "identical_activities": "Support desk = 16",
        }

    def edit_data(self, obj):
        return {
            "reference": obj.reference,
            "client": obj.client_id,
            "kind": "initial",
            "standards": [s.pk for s in obj.standards.all()],
            "scope": "Changed scope",
            "permanent_personnel": "45",
            "temporary_personnel": "0",
            "part_time_persons": "0",
            "part_time_hours": "0",
            "full_time_hours": "40",
            "repetitive_persons": "0",
            "off_site_share": "0",
            "integration_reduction": "0",
            "complexity": "low",
        }

    def detail_url(self, obj):
        return f"/cb/applications/{obj.pk}/"

    def edit_url(self, obj):
        return f"/cb/applications/{obj.pk}/edit/"


class TestApplicationApi(ApplicationData, ApiBundle):
    url = "/api/v1/cb/applications/"
    view_roles = MEMBERS
    add_roles = change_roles = MANAGERS
    delete_roles = MANAGERS
    deletes = False
    update_payload = {"scope": "Pumps and valves", "permanent_personnel": 70}
    invalid_payloads = [
        (
            lambda org: {
                "organization": org.slug,
                "client": _client(org).pk,
                "standards": [],
                "scope": "x",
                "permanent_personnel": 5,
            },
            "standards",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "client": 999999,
                "standards": [standard("iso9001-2015").pk],
                "scope": "x",
                "permanent_personnel": 5,
            },
            "client",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "client": _client(org).pk,
                "standards": [999999],
                "scope": "x",
                "permanent_personnel": 5,
            },
            "standards",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "client": _client(org).pk,
                "standards": [standard("iso9001-2015").pk],
                "scope": "x",
                "permanent_personnel": 5,
                "integration_reduction": 10,
            },
            "integration_reduction",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "client": _client(org).pk,
                "standards": [standard("iso9001-2015").pk],
                "scope": "x",
                "permanent_personnel": 5,
                "sites": [999999],
            },
            "sites",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "client": _client(org).pk,
                "standards": [standard("iso27001-2022").pk],
                "scope": "x",
                "permanent_personnel": 5,
                "identical_activities": [{"name": "A", "persons": 0}],
            },
            "identical_activities.0.persons",
        ),
        ({"off_site_share": 0.3}, "off_site_share"),
        ({"complexity": ""}, "complexity"),
        ({"kind": "merger"}, "kind"),
        ({"scope": "x", "colour": "red"}, "colour"),
    ]

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "client": _client(org).pk,
            "standards": [standard("iso45001-2018").pk],
            "complexity": "medium",
            "scope": "Construction",
            "sector_codes": "28",
            "permanent_personnel": 120,
            "consultancy_received": True,
            "consultancy_by": "Bright Path",
            "consultancy_until": "2025-06-30",
        }


def test_the_list_filters(client, personas):
    login(client, personas.users[Role.AUDITOR])
    a = make_client(personas.cb, 1, name="Alpha")
    b = make_client(personas.cb, 2, name="Beta")
    one = make_application(personas.cb, a, ["iso9001-2015"], reference="APP-A")
    two = make_application(
        personas.cb, b, ["iso27001-2022"], reference="APP-B", kind="transfer", status="submitted"
    )
    for query, shown in (
        ("", {"APP-A", "APP-B"}),
        ("?status=submitted", {"APP-B"}),
        ("?kind=initial", {"APP-A"}),
        (f"?standard={standard('iso27001-2022').pk}", {"APP-B"}),
        (f"?client={a.pk}", {"APP-A"}),
        ("?status=nonsense&client=abc", {"APP-A", "APP-B"}),
    ):
        html = client.get("/cb/applications/" + query).content.decode()
        assert {r for r in ("APP-A", "APP-B") if f">{r}</a>" in html} == shown, query
    api = client.get(f"/api/v1/cb/applications/?client={b.pk}&status=submitted").json()
    assert [i["reference"] for i in api["items"]] == ["APP-B"]
    assert api["items"][0]["standard_codes"] == ["iso27001-2022"]
    assert one.pk and two.pk


def test_the_review_on_the_page(client, personas):
    manager = personas.users[Role.CB_MANAGER]
    login(client, manager)
    application = make_application(
        personas.cb, make_client(personas.cb), ["iso9001-2015"], sector_codes="17"
    )
    make_scope(personas.cb, "iso9001-2015")
    url = f"/cb/applications/{application.pk}/"
    move = f"{url}transition/"
    assert client.post(move, {"to": "submitted"}).status_code == 302
    html = client.get(url).content.decode()
    assert 'id="contract-review"' in html
    assert "Covered by the accredited scopes" in html
    assert "not calculated" in html
    assert "0 qualified auditors" in html
    # Suggested reasons come ticked; accepting ignores them but needs the audit time.
    response = client.post(
        move, {"to": "accepted", "reasons": ["no_competent_auditors"]}, follow=True
    )
    assert "audit time must be calculated" in response.content.decode()
    calculate_application_time(application, actor=manager)
    client.post(move, {"to": "declined", "notes": "x"})
    application.refresh_from_db()
    assert application.status == "submitted"
    client.post(
        move, {"to": "accepted", "reasons": ["no_competent_auditors"], "notes": "Auditor hired"}
    )
    application.refresh_from_db()
    assert application.status == "accepted"
    assert application.decline_reasons == [] and application.review_notes == "Auditor hired"
    html = client.get(url).content.decode()
    assert "Accepted on" in html and 'id="contract-review"' not in html
    edit = client.get(f"{url}edit/", follow=True)
    assert "only a draft may change" in edit.content.decode()


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_moves_by_role(client, personas, role):
    application = make_application(personas.cb, make_client(personas.cb))
    login(client, personas.users[role])
    response = client.post(f"/cb/applications/{application.pk}/transition/", {"to": "submitted"})
    application.refresh_from_db()
    if role in MANAGERS:
        assert response.status_code == 302 and application.status == "submitted"
    else:
        assert response.status_code == (403 if role in MEMBERS else 404)
        assert application.status == "draft"
    api = client.post(
        f"/api/v1/cb/applications/{application.pk}/transition/",
        {"to": "withdrawn"},
        content_type="application/json",
    )
    application.refresh_from_db()
    if role in MANAGERS:
        assert api.status_code == 200 and application.status == "withdrawn"
    else:
        assert api.status_code == (403 if role in MEMBERS else 404)


def test_api_transitions_and_checks(client, personas):
    manager = personas.users[Role.CB_MANAGER]
    login(client, manager)
    application = make_application(personas.cb, make_client(personas.cb))
    base = f"/api/v1/cb/applications/{application.pk}/"
    assert (
        client.post(
            base + "transition/", {"to": "accepted"}, content_type="application/json"
        ).status_code
        == 409
    )
    assert (
        client.post(
            base + "transition/", {"to": "submitted"}, content_type="application/json"
        ).status_code
        == 200
    )
    no_reason = client.post(
        base + "transition/", {"to": "declined"}, content_type="application/json"
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reasons"
    bad_reason = client.post(
        base + "transition/", {"to": "declined", "reasons": ["x"]}, content_type="application/json"
    )
    assert bad_reason.status_code == 422
    checks = client.get(base + "review-checks/").json()
    assert checks["accreditation"]["accredited"] is False
    assert checks["suggested_reasons"] == ["no_accredited_scope", "no_competent_auditors"]
    declined = client.post(
        base + "transition/",
        {"to": "declined", "reasons": ["no_accredited_scope"], "notes": "Outside our scopes"},
        content_type="application/json",
    )
    assert declined.status_code == 200, declined.content
    body = declined.json()
    assert body["status"] == "declined" and body["reviewed_by"] == manager.email
    assert body["decline_reasons"] == ["no_accredited_scope"]
    patch = client.patch(base, {"scope": "Other"}, content_type="application/json")
    assert patch.status_code == 409 and patch.json()["code"] == "application_not_draft"


def test_api_if_match(client, personas):
    login(client, personas.users[Role.CB_MANAGER])
    application = make_application(personas.cb, make_client(personas.cb))
    url = f"/api/v1/cb/applications/{application.pk}/"
    etag = client.get(url)["ETag"]
    assert (
        client.patch(
            url, {"scope": "A"}, content_type="application/json", headers={"If-Match": etag}
        ).status_code
        == 200
    )
    stale = client.patch(
        url, {"scope": "B"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    application.refresh_from_db()
    assert application.scope == "A"


def test_the_page_list_queries_do_not_grow_with_standards_and_clients(client, personas):
    login(client, personas.users[Role.AUDITOR])
    for i in range(2):
        make_application(personas.cb, make_client(personas.cb, i), ["iso9001-2015"])
    n_small, _ = count_queries(lambda: client.get("/cb/applications/"))
    for i in range(2, 14):
        make_application(
            personas.cb,
            make_client(personas.cb, i),
            ["iso9001-2015", "iso45001-2018"],
            complexity="low",
        )
    n_large, response = count_queries(lambda: client.get("/cb/applications/"))
    assert response.content.decode().count("/cb/applications/") > 14
    assert n_small == n_large


def test_detail_page_shows_the_sample_of_a_multi_site_application(client, personas):
    login(client, personas.users[Role.AUDITOR])
    client_obj = make_client(personas.cb)
    make_site(client_obj, "HQ", is_central=True)
    for i in range(4):
        make_site(client_obj, f"Branch {i}")
    application = make_application(personas.cb, client_obj, multi_site=True)
    html = client.get(f"/cb/applications/{application.pk}/").content.decode()
    assert "Multi-site sample" in html and "the central function and 2 of 4 other sites" in html


# --- CLI ------------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(app, ["cb", "applications", *args], prog_name="pdca")


def test_cli_applications(personas):
    client_obj = make_client(personas.cb, 1)
    make_site(client_obj, "HQ", is_central=True)
    make_scope(personas.cb, "iso9001-2015")
    made = run(
        "create",
        "--org",
        "cb",
        "--as",
        "cb_manager@cb.example",
        "--client",
        client_obj.reference,
        "--standard",
        "iso9001-2015",
        "--scope",
        "Pumps",
        "--personnel",
        "40",
        "--site",
        "HQ",
        "--sector-codes",
        "18",
    )
    assert made.exit_code == 0, made.output
    application = Application.objects.get()
    assert application.sites.get().name == "HQ"
    assert (
        ActivityEntry.objects.get(action="create", object_type="certification.application").via
        == "cli"
    )
    listed = run("list", "--org", "cb", "--format", "json")
    assert [r["reference"] for r in json.loads(listed.output)] == [application.reference]
    assert (
        json.loads(run("list", "--org", "cb", "--status", "accepted", "--format", "json").output)
        == []
    )
    assert (
        run(
            "submit", application.reference, "--org", "cb", "--as", "cb_manager@cb.example"
        ).exit_code
        == 0
    )
    checks = run("review", application.reference, "--org", "cb", "--as", "cb_manager@cb.example")
    assert checks.exit_code == 0 and json.loads(checks.output)["audit_time_complete"] is False
    refused = run(
        "review", application.reference, "--org", "cb", "--as", "cb_manager@cb.example", "--accept"
    )
    assert refused.exit_code == 1 and "audit time" in refused.output
    no_reason = run(
        "review", application.reference, "--org", "cb", "--as", "cb_manager@cb.example", "--decline"
    )
    assert no_reason.exit_code == 1 and "reasons" in no_reason.output
    assert (
        run(
            "review",
            application.reference,
            "--org",
            "cb",
            "--as",
            "x@cb.example",
            "--accept",
            "--decline",
        ).exit_code
        == 2
    )
    declined = run(
        "review",
        str(application.pk),
        "--org",
        "cb",
        "--as",
        "cb_manager@cb.example",
        "--decline",
        "--reason",
        "no_competent_auditors",
        "--notes",
        "Nobody qualified",
    )
    assert declined.exit_code == 0, declined.output
    application.refresh_from_db()
    assert application.status == "declined" and application.decline_reasons == [
        "no_competent_auditors"
    ]
    shown = run("show", application.reference, "--org", "cb", "--format", "json")
    data = json.loads(shown.output)
    assert data["status"] == "declined" and data["checks"]["accreditation"]["accredited"] is True
    assert run("show", "APP-NONE", "--org", "cb").exit_code == 1
    assert run("list", "--org", "org-a").exit_code == 1


def test_cli_create_refusals_name_the_field(personas):
    client_obj = make_client(personas.cb, 1)
    bad = run(
        "create",
        "--org",
        "cb",
        "--as",
        "cb_manager@cb.example",
        "--client",
        client_obj.reference,
        "--standard",
        "iso14001-2015",
        "--scope",
        "Pumps",
        "--personnel",
        "40",
    )
    assert bad.exit_code == 1 and "complexity" in bad.output
    assert (
        run(
            "create",
            "--org",
            "cb",
            "--as",
            "cb_manager@cb.example",
            "--client",
            "C-NONE",
            "--standard",
            "iso9001-2015",
            "--scope",
            "x",
            "--personnel",
            "4",
        ).exit_code
        == 1
    )
    assert (
        run(
            "create",
            "--org",
            "cb",
            "--as",
            "cb_manager@cb.example",
            "--client",
            client_obj.reference,
            "--standard",
            "iso0000",
            "--scope",
            "x",
            "--personnel",
            "4",
        ).exit_code
        == 1
    )
    denied = run(
        "create",
        "--org",
        "cb",
        "--as",
        "auditor@cb.example",
        "--client",
        client_obj.reference,
        "--standard",
        "iso9001-2015",
        "--scope",
        "x",
        "--personnel",
        "4",
    )
    assert denied.exit_code == 1
    assert not Application.objects.exists()
