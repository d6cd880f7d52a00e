"""The management system API: systems, adopted standards (adopt, drop, history) and
exclusions, with the permission matrix and constant query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from pdca.assessments import services as gap
from pdca.assessments.models import GapItem
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement, Standard
from pdca.system import services
from pdca.system.models import AdoptedStandard, Exclusion, ManagementSystem
from pdca.system.permissions import IMPLEMENTERS
from tests.tenancy.factories import make_site

pytestmark = pytest.mark.usefixtures("catalog")

API = "/api/v1"
ENV = "iso14001-2015"
QMS = "iso9001-2015"
ALL_STANDARDS = [
    "iso14001-2015",
    "iso22000-2018",
    "iso22301-2019",
    "iso27001-2022",
    "iso42001-2023",
    "iso45001-2018",
    "iso9001-2015",
]
#: Requirements the exclusion factory declares not applicable, one per index.
EXCLUDABLE = ["6.1.3", "7.4.2", "7.4.3", "8.1", "9.1.2", "10.3", "4.4", "5.3", "7.3", "9.3"]


def std(code: str) -> Standard:
    return Standard.objects.get(code=code)


def req(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def make_system(org, index=0, codes=(ENV,), **fields) -> ManagementSystem:
    """A system inserted directly (not through the service), adopting `codes` today."""
    system = ManagementSystem.objects.create(organization=org, name=f"System {index}", **fields)
    for code in codes:
        AdoptedStandard.objects.create(
            organization=org, system=system, standard=std(code), adopted_on=timezone.localdate()
        )
    return system


def system_of(org) -> ManagementSystem:
    return ManagementSystem.objects.filter(organization=org, name="System 0").first() or (
        make_system(org)
    )


def body(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def problem_fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {e["field"] for e in response.json()["errors"]}


# --- the generic matrix -------------------------------------------------------------------


class TestManagementSystemApi(ApiBundle):
    model = ManagementSystem
    url = f"{API}/systems/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = IMPLEMENTERS
    deletes = False
    update_payload = {"scope_statement": "Design and assembly of pumps", "status": "implementing"}
    invalid_payloads = [
        (lambda org: {"organization": org.slug, "name": ""}, "name"),
        (lambda org: {"organization": org.slug, "name": "system 0"}, "name"),
        (lambda org: {"organization": org.slug, "name": "X", "status": "dormant"}, "status"),
        (lambda org: {"organization": org.slug, "name": "X", "standards": ["iso1-1"]}, "standards"),
        (lambda org: {"organization": org.slug, "name": "X", "sites": [999_999]}, "sites"),
        (lambda org: {"organization": org.slug, "name": "X", "owner": "no@b.example"}, "owner"),
        # A member, but the owner must be able to run the system.
        (
            lambda org: {"organization": org.slug, "name": "X", "owner": "employee@a.example"},
            "owner",
        ),
        ({"name": ""}, "name"),
        ({"name": "Pumps\x00"}, "name"),
        ({"sites": [2**63]}, "sites.0"),
        ({"scope_statement": None}, "scope_statement"),
        ({"certification_target_date": "soon"}, "certification_target_date"),
        ({"owner": "manager@b.example"}, "owner"),
        ({"colour": "green"}, "colour"),
    ]

    def make(self, org, index=0):
        return make_system(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "name": "Integrated management system",
            "standards": [QMS, ENV],
            "scope_statement": "Design and assembly of pumps",
            "status": "implementing",
        }


class TestExclusionApi(ApiBundle):
    model = Exclusion
    url = f"{API}/exclusions/"
    view_roles = ORGANIZATION_ROLES
    add_roles = delete_roles = IMPLEMENTERS
    updates = False

    def make(self, org, index=0):
        return Exclusion.objects.create(
            organization=org,
            system=system_of(org),
            requirement=req(ENV, EXCLUDABLE[index % len(EXCLUDABLE)]),
            justification="Out of scope",
        )

    def create_payload(self, org):
        return {
            "system": system_of(org).pk,
            "standard": ENV,
            "number": "8.2",
            "justification": "No hazardous substances on site",
        }

    def test_list_query_count_does_not_grow_with_rows(self, client, personas):
        # The factory excludes distinct requirements: ten is as many as it has.
        self.query_rows = (2, len(EXCLUDABLE))
        super().test_list_query_count_does_not_grow_with_rows(client, personas)


# --- systems ------------------------------------------------------------------------------


def test_create_adopts_the_standards_with_sites_and_owner(client, personas):
    site = make_site(personas.org)
    consultant = personas.users["consultant"]
    login(client, personas.manager)
    response = client.post(
        f"{API}/systems/",
        {
            "organization": "org-a",
            "name": "Integrated system",
            "standards": [QMS, ENV],
            "sites": [site.pk],
            "owner": consultant.email.upper(),
            "certification_target_date": "2027-06-30",
        },
        content_type="application/json",
    )
    data = body(response, 201)
    system = ManagementSystem.objects.get(pk=data["id"])
    assert data["standards"] == [ENV, QMS]
    assert data["sites"] == [site.pk]
    assert data["site_list"] == [{"id": site.pk, "name": site.name}]
    assert data["owner"] == consultant.email
    assert data["status"] == "planning"
    assert data["certification_target_date"] == "2027-06-30"
    assert data["exclusion_count"] == 0
    assert data["assessment"] is None
    assert data["readiness"] == []
    today = timezone.localdate().isoformat()
    assert [(a["standard"], a["adopted_on"], a["dropped_on"]) for a in data["adoptions"]] == [
        (ENV, today, None),
        (QMS, today, None),
    ]
    assert system.owner == consultant
    actions = ActivityEntry.objects.filter(organization=personas.org, via="api").values_list(
        "action", "object_type"
    )
    assert sorted(actions) == [
        ("create", "system.adoptedstandard"),
        ("create", "system.adoptedstandard"),
        ("create", "system.managementsystem"),
    ]


def test_list_filters_by_organization_status_and_text(client, personas):
    make_system(personas.org, 0, status="operating", scope_statement="Pumps")
    make_system(personas.org, 1, status="planning")
    make_system(personas.other, 2, status="operating")
    login(client, personas.manager)

    def names(query):
        return [row["name"] for row in body(client.get(f"{API}/systems/?{query}"))["items"]]

    assert names("") == ["System 0", "System 1"]
    assert names("status=operating") == ["System 0"]
    assert names("q=pump") == ["System 0"]
    assert names("q=system 1") == ["System 1"]
    assert names("organization=org-b") == []
    assert problem_fields(client.get(f"{API}/systems/?status=dormant")) == {"status"}


def test_patch_changes_sites_and_owner_and_clears_the_owner(client, personas):
    system = make_system(personas.org, owner=personas.manager)
    site = make_site(personas.org)
    other_site = make_site(personas.other)
    login(client, personas.manager)
    url = f"{API}/systems/{system.pk}/"
    response = client.patch(url, {"sites": [other_site.pk]}, content_type="application/json")
    assert problem_fields(response) == {"sites"}
    data = body(client.patch(url, {"sites": [site.pk], "owner": None}, "application/json"))
    assert data["sites"] == [site.pk]
    assert data["owner"] is None
    entry = ActivityEntry.objects.get(object_id=str(system.pk), action="update")
    assert entry.changes == {"owner": [personas.manager.pk, None], "sites": [[], [site.pk]]}


def test_detail_shows_dropped_standards_exclusions_and_readiness_of_the_open_assessment(
    client, personas
):
    manager = personas.manager
    system = services.create_system(
        personas.org, name="IMS", standards=[std(QMS), std(ENV)], actor=manager
    )
    gap.create_assessment(system, title="Old", started_on=dt.date(2025, 1, 1), actor=manager)
    latest = gap.create_assessment(system, title="New", actor=manager)
    item = latest.items.get(requirement=req(ENV, "8.2"))
    gap.update_item(item, status="implemented", actor=manager)
    services.add_exclusion(
        system, req(QMS, "8.3.1"), justification="We build to customer designs", actor=manager
    )
    login(client, manager)
    body(client.delete(f"{API}/systems/{system.pk}/standards/{QMS}/"))
    data = body(client.get(f"{API}/systems/{system.pk}/"))
    today = timezone.localdate().isoformat()
    assert [(a["standard"], a["active"], a["dropped_on"]) for a in data["adoptions"]] == [
        (ENV, True, None),
        (QMS, False, today),
    ]
    assert data["standards"] == [ENV]
    assert data["exclusion_count"] == 1
    assert data["assessment"]["id"] == latest.pk
    env_items = latest.items.filter(covers__standard__code=ENV).distinct().count()
    assert [(r["standard"], r["applicable"], r["points"]) for r in data["readiness"]] == [
        (ENV, env_items, 1.0)
    ]
    assert data["readiness"][0]["percent"] == round(100 / env_items, 1)


def test_detail_query_count_does_not_grow_with_standards_and_items(client, personas):
    manager = personas.manager
    login(client, manager)
    counts = []
    sites = [make_site(personas.org, i) for i in range(len(ALL_STANDARDS))]
    for name, codes in (("Small", [ENV]), ("Large", ALL_STANDARDS)):
        system = services.create_system(
            personas.org, name=name, standards=[std(c) for c in codes], actor=manager
        )
        system.sites.set(sites[: len(codes)])
        gap.create_assessment(system, title="Baseline", actor=manager)
        url = f"{API}/systems/{system.pk}/"
        n, response = count_queries(lambda url=url: client.get(url))
        assert len(body(response)["readiness"]) == len(codes)
        counts.append(n)
    assert counts[0] == counts[1], counts


def test_list_query_count_does_not_grow_with_standards_per_system(client, personas):
    login(client, personas.manager)
    make_system(personas.org, 0, codes=[ENV])
    n_small, _ = count_queries(lambda: client.get(f"{API}/systems/"))
    make_system(personas.org, 1, codes=ALL_STANDARDS)
    make_system(personas.org, 2, codes=[QMS, ENV])
    n_large, response = count_queries(lambda: client.get(f"{API}/systems/"))
    assert [len(row["standards"]) for row in body(response)["items"]] == [1, 7, 2]
    assert n_small == n_large


# --- adopting and dropping standards --------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_adopt_and_drop_by_role(client, personas, role):
    system = make_system(personas.org)
    login(client, personas.users[role])
    adopt = client.post(
        f"{API}/systems/{system.pk}/standards/", {"standard": QMS}, content_type="application/json"
    )
    drop = client.delete(f"{API}/systems/{system.pk}/standards/{ENV}/")
    adoptions = {(a.standard.code, a.dropped_on) for a in system.adoptions.all()}
    if role in IMPLEMENTERS:
        assert adopt.status_code == 201, adopt.content
        assert drop.status_code == 200, drop.content
        assert adoptions == {(QMS, None), (ENV, timezone.localdate())}
    else:
        expected = 403 if role in ORGANIZATION_ROLES else 404
        assert (adopt.status_code, drop.status_code) == (expected, expected)
        assert adoptions == {(ENV, None)}
        assert not ActivityEntry.objects.filter(object_type="system.adoptedstandard").exists()


def test_adopting_a_standard_adds_its_items_to_the_open_assessment(client, personas):
    manager = personas.manager
    system = services.create_system(personas.org, name="EMS", standards=[std(ENV)], actor=manager)
    assessment = gap.create_assessment(system, title="Baseline", actor=manager)
    env_items = assessment.items.count()
    login(client, manager)
    data = body(
        client.post(f"{API}/systems/{system.pk}/standards/", {"standard": QMS}, "application/json"),
        201,
    )
    assert (data["standard"], data["active"]) == (QMS, True)
    # Every leaf of 9001 is now covered, once; those sharing a core clause with 14001 joined
    # the 14001 items instead of adding new ones.
    qms_leaves = Requirement.objects.filter(standard__code=QMS, children__isnull=True)
    covered = GapItem.covers.through.objects.filter(
        gapitem__assessment=assessment, requirement__standard__code=QMS
    )
    assert covered.count() == qms_leaves.count()
    shared = assessment.items.filter(core__isnull=False).count()
    assert shared > 0
    assert assessment.items.count() == env_items + qms_leaves.count() - shared
    items = body(client.get(f"{API}/assessments/{assessment.pk}/items/?standard={QMS}"))
    assert items["count"] == qms_leaves.count()


def test_adopting_twice_is_a_conflict_and_an_unknown_code_names_the_field(client, personas):
    system = make_system(personas.org)
    login(client, personas.manager)
    url = f"{API}/systems/{system.pk}/standards/"
    before = ActivityEntry.objects.count()
    response = client.post(url, {"standard": ENV}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    response = client.post(url, {"standard": "iso9999-2030"}, content_type="application/json")
    assert problem_fields(response) == {"standard"}
    response = client.delete(f"{url}{QMS}/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_adopted"
    assert client.delete(f"{url}nothing-like-it/").status_code == 404
    assert ActivityEntry.objects.count() == before
    assert system.adoptions.count() == 1


def test_dropping_keeps_the_items_but_takes_the_standard_out_of_readiness(client, personas):
    manager = personas.manager
    system = services.create_system(
        personas.org, name="IMS", standards=[std(QMS), std(ENV)], actor=manager
    )
    assessment = gap.create_assessment(system, title="Baseline", actor=manager)
    items = assessment.items.count()
    login(client, manager)
    readiness = f"{API}/assessments/{assessment.pk}/readiness/"
    before = body(client.get(readiness))
    assert [s["standard"] for s in before["by_standard"]] == [ENV, QMS]
    body(client.delete(f"{API}/systems/{system.pk}/standards/{QMS}/"))
    after = body(client.get(readiness))
    assert [s["standard"] for s in after["by_standard"]] == [ENV]
    env_items = assessment.items.filter(covers__standard__code=ENV).distinct().count()
    assert after["overall"]["applicable"] == env_items < before["overall"]["applicable"]
    assert assessment.items.count() == items
    history = body(client.get(f"{API}/systems/{system.pk}/standards/"))
    assert [(a["standard"], a["active"]) for a in history] == [(ENV, True), (QMS, False)]
    # Adopting it again revives the row instead of adding one.
    body(
        client.post(f"{API}/systems/{system.pk}/standards/", {"standard": QMS}, "application/json"),
        201,
    )
    assert AdoptedStandard.objects.filter(system=system, standard__code=QMS).count() == 1


# --- exclusions -----------------------------------------------------------------------------


def test_exclusion_by_number_marks_the_open_assessment_items_not_applicable(client, personas):
    manager = personas.manager
    system = services.create_system(personas.org, name="EMS", standards=[std(ENV)], actor=manager)
    assessment = gap.create_assessment(system, title="Baseline", actor=manager)
    login(client, manager)
    url = f"{API}/systems/{system.pk}/exclusions/"
    data = body(
        client.post(
            url,
            {"standard": ENV, "number": "8.2", "justification": "No hazardous substances"},
            content_type="application/json",
        ),
        201,
    )
    assert data["requirement"]["number"] == "8.2"
    assert data["system"] == system.pk
    item = assessment.items.get(requirement=req(ENV, "8.2"))
    assert (item.status, item.justification) == ("not_applicable", "No hazardous substances")
    by_id = client.post(
        url,
        {"requirement": req(ENV, "7.4.3").pk, "justification": "No external communication"},
        content_type="application/json",
    )
    body(by_id, 201)
    listed = body(client.get(url))
    assert [row["requirement"]["number"] for row in listed["items"]] == ["7.4.3", "8.2"]
    assert client.delete(f"{API}/exclusions/{data['id']}/").status_code == 204
    assert [e.requirement.number for e in system.exclusions.all()] == ["7.4.3"]


def test_bad_exclusions_name_the_field_and_write_nothing(client, personas):
    system = make_system(personas.org)
    login(client, personas.manager)
    url = f"{API}/systems/{system.pk}/exclusions/"
    cases = [
        ({"standard": ENV, "number": "8.2", "justification": "  "}, "justification"),
        ({"standard": ENV, "number": "99.9", "justification": "x"}, "requirement"),
        ({"standard": ENV, "justification": "x"}, "requirement"),
        ({"standard": QMS, "number": "8.3", "justification": "x"}, "requirement"),
        ({"requirement": req(ENV, "8.2").pk}, "justification"),
        ({"standard": ENV, "number": "8.2", "justification": "x", "extra": 1}, "extra"),
    ]
    before = ActivityEntry.objects.count()
    for payload, field in cases:
        response = client.post(url, payload, content_type="application/json")
        assert field in problem_fields(response), payload
    Exclusion.objects.create(
        organization=personas.org, system=system, requirement=req(ENV, "8.2"), justification="x"
    )
    response = client.post(
        url, {"standard": ENV, "number": "8.2", "justification": "y"}, "application/json"
    )
    assert response.status_code == 409
    assert ActivityEntry.objects.count() == before
    assert system.exclusions.count() == 1


@pytest.mark.parametrize("role", sorted(ALL_ROLES - ORGANIZATION_ROLES))
def test_certification_body_roles_get_404_on_the_organizations_system(client, personas, role):
    system = make_system(personas.org)
    exclusion = Exclusion.objects.create(
        organization=personas.org, system=system, requirement=req(ENV, "8.2"), justification="x"
    )
    login(client, personas.users[role])
    urls = [
        f"{API}/systems/{system.pk}/",
        f"{API}/systems/{system.pk}/history/",
        f"{API}/systems/{system.pk}/standards/",
        f"{API}/systems/{system.pk}/exclusions/",
        f"{API}/exclusions/{exclusion.pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    payload = {"standard": ENV, "number": "8.1", "justification": "x"}
    assert client.post(urls[3], payload, "application/json").status_code == 404
    assert client.delete(urls[4]).status_code == 404
    assert client.delete(f"{urls[2]}{ENV}/").status_code == 404
    assert body(client.get(f"{API}/systems/"))["count"] == 0
