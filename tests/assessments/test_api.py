"""The gap assessment API: assessments, items (one by one and in bulk), readiness, the plan
and comparisons, with the permission matrix (process owners edit their own items) and
constant query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from pdca.assessments import services as gap
from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.activity import snapshot
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement, Standard
from pdca.system.models import AdoptedStandard, ManagementSystem
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.usefixtures("catalog")

API = "/api/v1"
ENV = "iso14001-2015"
QMS = "iso9001-2015"
ISMS = "iso27001-2022"
ALL_STANDARDS = [
    "iso14001-2015",
    "iso22000-2018",
    "iso22301-2019",
    "iso27001-2022",
    "iso42001-2023",
    "iso45001-2018",
    "iso9001-2015",
]
OUTSIDERS = [*sorted(ALL_ROLES - ORGANIZATION_ROLES), "outsider"]
TODAY = timezone.localdate()


def std(code: str) -> Standard:
    return Standard.objects.get(code=code)


def make_system(org, codes=(ENV,), name="System 0") -> ManagementSystem:
    """A system inserted directly, adopting `codes` today (one per name and organization)."""
    system = ManagementSystem.objects.filter(organization=org, name=name).first()
    if system is None:
        system = ManagementSystem.objects.create(organization=org, name=name)
        for code in codes:
            AdoptedStandard.objects.create(
                organization=org, system=system, standard=std(code), adopted_on=TODAY
            )
    return system


def assess(personas, codes=(ENV,), name="EMS", started_on=None) -> GapAssessment:
    """An assessment built by the service, as the system manager would start it."""
    system = make_system(personas.org, codes, name=name)
    return gap.create_assessment(
        system, title=f"{name} baseline", started_on=started_on, actor=personas.manager
    )


def item_of(assessment, number: str, code: str = ENV) -> GapItem:
    return assessment.items.get(covers__standard__code=code, covers__number=number)


def body(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def problem_fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {e["field"] for e in response.json()["errors"]}


def state(assessment) -> tuple:
    """Everything a refused write must leave as it was."""
    return (
        [snapshot(i) for i in assessment.items.order_by("pk")],
        ActivityEntry.objects.count(),
    )


def patch(client, url, payload):
    return client.patch(url, payload, content_type="application/json")


# --- the generic matrix -------------------------------------------------------------------


class TestGapAssessmentApi(ApiBundle):
    model = GapAssessment
    url = f"{API}/assessments/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"title": "Baseline (after the workshop)", "notes": "Scope agreed"}
    invalid_payloads = [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"status": "archived"}, "status"),
        ({"notes": None}, "notes"),
        ({"started_on": "2026-01-01"}, "started_on"),
    ]

    def make(self, org, index=0):
        return GapAssessment.objects.create(
            organization=org,
            system=make_system(org),
            title=f"Assessment {index}",
            started_on=dt.date(2026, 1, 1) + dt.timedelta(days=index),
        )

    def create_payload(self, org):
        return {"system": make_system(org).pk, "title": "Baseline"}


class TestGapItemApi(ApiBundle):
    model = GapItem
    url = f"{API}/gap-items/"
    view_roles = ORGANIZATION_ROLES
    change_roles = IMPLEMENTERS
    creates = deletes = False
    update_payload = {"status": "planned", "notes": "Workshop in March"}
    invalid_payloads = [
        ({"status": "done"}, "status"),
        ({"status": None}, "status"),
        ({"status": "not_applicable"}, "justification"),
        ({"owner": "nobody@a.example"}, "owner"),
        ({"owner": "manager@b.example"}, "owner"),
        ({"target_date": "next week"}, "target_date"),
        ({"notes": None}, "notes"),
        ({"sort_key": "0"}, "sort_key"),
    ]

    def make(self, org, index=0):
        assessment = GapAssessment.objects.filter(organization=org).first()
        if assessment is None:
            assessment = GapAssessment.objects.create(
                organization=org, system=make_system(org), title="Baseline", started_on=TODAY
            )
        requirement = (
            Requirement.objects.filter(standard__code=ENV)
            .exclude(pk__in=assessment.items.values("requirement_id"))
            .order_by("sort_key")
            .first()
        )
        item = GapItem.objects.create(
            organization=org,
            assessment=assessment,
            requirement=requirement,
            sort_key=requirement.sort_key,
        )
        item.covers.set([requirement])
        return item


# --- who may do what ------------------------------------------------------------------------


def test_a_process_owner_edits_their_own_items_only(client, personas):
    owner = personas.users["process_owner"]
    assessment = assess(personas)
    own, others, unassigned = (item_of(assessment, n) for n in ("4.1", "4.2", "4.3"))
    GapItem.objects.filter(pk=own.pk).update(owner=owner)
    GapItem.objects.filter(pk=others.pk).update(owner=personas.manager)
    login(client, owner)

    data = body(
        patch(
            client,
            f"{API}/gap-items/{own.pk}/",
            {
                "status": "partial",
                "target_date": "2027-03-31",
                "notes": "Context workshop held",
                "evidence": "https://intranet.example/context",
            },
        )
    )
    assert (data["status"], data["target_date"], data["owner"]) == (
        "partial",
        "2027-03-31",
        owner.email,
    )
    assert ActivityEntry.objects.get(object_id=str(own.pk), action="update").changes == {
        "status": ["not_started", "partial"],
        "target_date": [None, "2027-03-31"],
        "notes": ["", "Context workshop held"],
        "evidence": ["", "https://intranet.example/context"],
    }
    # Keeping themselves as owner is no reassignment.
    body(patch(client, f"{API}/gap-items/{own.pk}/", {"owner": owner.email, "notes": "Done"}))

    before = state(assessment)
    for item in (others, unassigned):
        response = patch(client, f"{API}/gap-items/{item.pk}/", {"status": "implemented"})
        assert response.status_code == 403, response.content
    for new_owner in ("employee@a.example", None):
        response = patch(client, f"{API}/gap-items/{own.pk}/", {"owner": new_owner})
        assert problem_fields(response) == {"owner"}
    response = patch(
        client,
        f"{API}/assessments/{assessment.pk}/items/bulk/",
        {"items": [{"id": own.pk, "status": "implemented"}, {"id": others.pk, "notes": "x"}]},
    )
    assert response.status_code == 403
    assert client.post(f"{API}/gap-items/{own.pk}/split/").status_code == 403
    assert state(assessment) == before


def test_employees_read_but_change_nothing(client, personas):
    assessment = assess(personas)
    item = item_of(assessment, "4.1")
    GapItem.objects.filter(pk=item.pk).update(owner=personas.employee)
    login(client, personas.employee)
    base = f"{API}/assessments/{assessment.pk}/"
    for url in ("", "items/", "readiness/", "plan/", "history/"):
        body(client.get(base + url))
    body(client.get(f"{API}/gap-items/{item.pk}/"))
    before = state(assessment), snapshot(assessment)
    # Even an item assigned to them: only process owners edit their own items.
    assert patch(client, f"{API}/gap-items/{item.pk}/", {"status": "planned"}).status_code == 403
    response = patch(client, f"{base}items/bulk/", {"items": [{"id": item.pk, "notes": "x"}]})
    assert response.status_code == 403
    assert patch(client, base, {"title": "Mine now"}).status_code == 403
    assert client.delete(base).status_code == 403
    assessment.refresh_from_db()
    assert (state(assessment), snapshot(assessment)) == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_certification_body_roles_and_outsiders_get_404_everywhere(client, personas, who):
    assessment = assess(personas)
    later = assess(personas)
    item = item_of(assessment, "4.1")
    login(client, personas.outsider if who == "outsider" else personas.users[who])
    base = f"{API}/assessments/{assessment.pk}/"
    reads = [
        base,
        f"{base}history/",
        f"{base}readiness/",
        f"{base}plan/",
        f"{base}items/",
        f"{base}compare/{later.pk}/",
        f"{API}/gap-items/{item.pk}/",
        f"{API}/gap-items/{item.pk}/history/",
    ]
    for url in reads:
        assert client.get(url).status_code == 404, url
    before = state(assessment)
    assert patch(client, base, {"title": "x"}).status_code == 404
    assert client.delete(base).status_code == 404
    response = patch(client, f"{base}items/bulk/", {"items": [{"id": item.pk, "notes": "x"}]})
    assert response.status_code == 404
    assert patch(client, f"{API}/gap-items/{item.pk}/", {"notes": "x"}).status_code == 404
    assert client.post(f"{API}/gap-items/{item.pk}/split/").status_code == 404
    response = client.post(
        f"{API}/assessments/",
        {"system": assessment.system_id, "title": "Mine"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert body(client.get(f"{API}/assessments/"))["count"] == 0
    assert body(client.get(f"{API}/gap-items/"))["count"] == 0
    assert state(assessment) == before
    assert GapAssessment.objects.count() == 2


# --- creating assessments -------------------------------------------------------------------


def test_create_builds_every_item_and_a_copy_carries_the_values_over(client, personas):
    first = assess(personas, started_on=dt.date(2026, 1, 5))
    gap.update_item(
        item_of(first, "6.1.2"),
        status="implemented",
        owner=personas.users["process_owner"],
        evidence="Aspects register",
        actor=personas.manager,
    )
    login(client, personas.users["consultant"])
    data = body(
        client.post(
            f"{API}/assessments/",
            {
                "system": first.system_id,
                "title": "Second look",
                "started_on": "2026-04-01",
                "copy_from": first.pk,
            },
            content_type="application/json",
        ),
        201,
    )
    assert (data["title"], data["started_on"], data["status"]) == (
        "Second look",
        "2026-04-01",
        "open",
    )
    assert (data["copied_from"], data["system"]) == (first.pk, first.system_id)
    assert data["item_count"] == first.items.count()
    copied = item_of(GapAssessment.objects.get(pk=data["id"]), "6.1.2")
    assert (copied.status, copied.owner, copied.evidence) == (
        "implemented",
        personas.users["process_owner"],
        "Aspects register",
    )


def test_bad_assessments_name_the_field_and_write_nothing(client, personas):
    first = assess(personas)
    elsewhere = assess(personas, codes=(QMS,), name="QMS")
    empty = ManagementSystem.objects.create(organization=personas.org, name="Empty")
    login(client, personas.manager)
    cases = [
        ({"system": first.system_id, "title": ""}, "title"),
        ({"system": first.system_id, "title": "  "}, "title"),
        ({"system": first.system_id, "title": "x", "copy_from": elsewhere.pk}, "copy_from"),
        ({"system": first.system_id, "title": "x", "copy_from": 999_999}, "copy_from"),
        ({"system": first.system_id, "title": "x", "started_on": "soon"}, "started_on"),
        ({"system": first.system_id, "title": "x", "status": "closed"}, "status"),
        ({"system": empty.pk, "title": "x"}, "system"),
    ]
    entries = ActivityEntry.objects.count()
    for payload, field in cases:
        response = client.post(f"{API}/assessments/", payload, content_type="application/json")
        assert field in problem_fields(response), payload
    other_system = make_system(personas.other)
    response = client.post(
        f"{API}/assessments/",
        {"system": other_system.pk, "title": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert GapAssessment.objects.count() == 2
    assert ActivityEntry.objects.count() == entries


# --- items ----------------------------------------------------------------------------------


def numbers(response) -> list[str]:
    return [row["requirement"]["number"] for row in body(response)["items"]]


def test_items_filter_by_status_owner_clause_text_and_overdue(client, personas):
    assessment = assess(personas)
    owner = personas.users["process_owner"]
    yesterday, tomorrow = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
    late = item_of(assessment, "4.1")
    GapItem.objects.filter(pk=late.pk).update(status="planned", target_date=yesterday, owner=owner)
    GapItem.objects.filter(pk=item_of(assessment, "4.2").pk).update(
        status="implemented", target_date=yesterday
    )
    GapItem.objects.filter(pk=item_of(assessment, "4.3").pk).update(target_date=tomorrow)
    login(client, personas.employee)
    url = f"{API}/assessments/{assessment.pk}/items/"
    assert numbers(client.get(f"{url}?status=implemented")) == ["4.2"]
    assert numbers(client.get(f"{url}?owner=PROCESS_OWNER@a.example")) == ["4.1"]
    assert numbers(client.get(f"{url}?overdue=true")) == ["4.1"]
    assert len(numbers(client.get(f"{url}?overdue=false&limit=500"))) == 31
    assert numbers(client.get(f"{url}?clause=7")) == [
        "7.1",
        "7.2",
        "7.3",
        "7.4.1",
        "7.4.2",
        "7.4.3",
        "7.5.1",
        "7.5.2",
        "7.5.3",
    ]
    assert numbers(client.get(f"{url}?q=7.4")) == ["7.4.1", "7.4.2", "7.4.3"]
    assert numbers(client.get(f"{url}?q=EMERGENCY")) == ["8.2"]
    assert numbers(client.get(f"{url}?clause=8&status=not_started")) == ["8.1", "8.2"]
    page = body(client.get(f"{url}?limit=3&offset=3"))
    assert (page["count"], [r["requirement"]["number"] for r in page["items"]]) == (
        32,
        ["4.4", "5.1", "5.2"],
    )
    row = body(client.get(f"{url}?overdue=true"))["items"][0]
    assert row == {
        "id": late.pk,
        "assessment": assessment.pk,
        "requirement": {
            "id": late.requirement_id,
            "standard": ENV,
            "number": "4.1",
            "title": late.requirement.title,
        },
        "covers": [{"standard": ENV, "number": "4.1"}],
        "shared": False,
        "status": "planned",
        "owner": owner.email,
        "target_date": yesterday.isoformat(),
        "overdue": True,
        "notes": "",
        "justification": "",
        "evidence": "",
        "updated_at": row["updated_at"],
    }
    assert problem_fields(client.get(f"{url}?status=done")) == {"status"}
    assert problem_fields(client.get(f"{url}?overdue=perhaps")) == {"overdue"}
    assert problem_fields(client.get(f"{url}?q=%00")) == {"q"}


def test_items_of_an_integrated_system_filter_by_standard_and_annex_group(client, personas):
    assessment = assess(personas, codes=(ENV, ISMS), name="IMS")
    login(client, personas.employee)
    url = f"{API}/assessments/{assessment.pk}/items/?limit=500"
    isms_leaves = Requirement.objects.filter(standard__code=ISMS, children__isnull=True).count()
    assert body(client.get(f"{url}&standard={ISMS}"))["count"] == isms_leaves
    group = numbers(client.get(f"{url}&clause=A.5"))
    assert group == [f"A.5.{n}" for n in range(1, 38)]
    shared = [row for row in body(client.get(url))["items"] if row["shared"]]
    assert shared
    for row in shared:
        assert [c["standard"] for c in row["covers"]] == [ENV, ISMS]
        assert row["requirement"]["standard"] == ENV


def test_bulk_update_changes_every_row_and_records_each(client, personas):
    assessment = assess(personas)
    a, b, c = (item_of(assessment, n) for n in ("5.1", "5.2", "5.3"))
    login(client, personas.manager)
    data = body(
        patch(
            client,
            f"{API}/assessments/{assessment.pk}/items/bulk/",
            {
                "items": [
                    {"id": a.pk, "status": "implemented", "evidence": "Policy v2"},
                    {"id": b.pk, "owner": "process_owner@a.example", "target_date": "2027-01-31"},
                    {"id": c.pk, "status": "not_applicable", "justification": "Roles are in 5.1"},
                    {"id": a.pk},
                ]
            },
        )
    )
    assert data["updated"] == 3
    assert [(r["id"], r["status"], r["owner"], r["target_date"]) for r in data["items"]] == [
        (a.pk, "implemented", None, None),
        (b.pk, "not_started", "process_owner@a.example", "2027-01-31"),
        (c.pk, "not_applicable", None, None),
    ]
    entries = ActivityEntry.objects.filter(action="update", object_type="assessments.gapitem")
    assert sorted((int(e.object_id), e.via) for e in entries) == [
        (a.pk, "api"),
        (b.pk, "api"),
        (c.pk, "api"),
    ]
    a.refresh_from_db()
    assert (a.status, a.evidence) == ("implemented", "Policy v2")


@pytest.mark.parametrize(
    "bad_row, field",
    [
        ({"status": "done"}, "status"),
        ({"status": None}, "status"),
        ({"target_date": "31/01/2027"}, "target_date"),
        ({"owner": "nobody@a.example"}, "owner"),
        ({"owner": "manager@b.example"}, "owner"),
        ({"status": "not_applicable"}, "justification"),
        ({"colour": "red"}, "colour"),
        ({"id": 999_999}, "id"),
        ({"id": 2**63}, "id"),
        ({"notes": "nul\x00"}, "notes"),
        ({"id": "other assessment"}, "id"),
    ],
)
def test_one_bad_row_refuses_the_whole_bulk_update(client, personas, bad_row, field):
    assessment = assess(personas)
    good, bad = item_of(assessment, "5.1"), item_of(assessment, "5.2")
    if bad_row.get("id") == "other assessment":
        bad_row = {"id": item_of(assess(personas, name="Other"), "5.2").pk, "notes": "x"}
    login(client, personas.manager)
    before = state(assessment)
    response = patch(
        client,
        f"{API}/assessments/{assessment.pk}/items/bulk/",
        {
            "items": [
                {"id": good.pk, "status": "implemented", "owner": "process_owner@a.example"},
                {"id": bad.pk, **bad_row},
            ]
        },
    )
    assert problem_fields(response) == {f"items.1.{field}"}
    assert state(assessment) == before


def test_bulk_update_needs_rows(client, personas):
    assessment = assess(personas)
    login(client, personas.manager)
    url = f"{API}/assessments/{assessment.pk}/items/bulk/"
    assert problem_fields(patch(client, url, {"items": []})) == {"items"}
    assert problem_fields(patch(client, url, [{"id": 1}])) == {""}


def test_split_gives_each_standard_its_own_item(client, personas):
    assessment = assess(personas, codes=(QMS, ENV), name="IMS")
    shared = assessment.items.filter(core__isnull=False).first()
    GapItem.objects.filter(pk=shared.pk).update(status="partial", notes="Shared work")
    count = assessment.items.count()
    login(client, personas.manager)
    rows = body(client.post(f"{API}/gap-items/{shared.pk}/split/"), 201)
    assert shared.pk in {r["id"] for r in rows}
    assert sorted(r["covers"][0]["standard"] for r in rows) == [ENV, QMS]
    assert [(len(r["covers"]), r["shared"], r["status"], r["notes"]) for r in rows] == [
        (1, False, "partial", "Shared work")
    ] * 2
    assert assessment.items.count() == count + 1
    response = client.post(f"{API}/gap-items/{shared.pk}/split/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_shared"
    assert assessment.items.count() == count + 1
    history = body(client.get(f"{API}/gap-items/{shared.pk}/history/"))["items"]
    assert history[0]["action"] == "split"


# --- readiness, plan, comparison ------------------------------------------------------------


def test_readiness_counts_implemented_one_partial_half_and_leaves_out_not_applicable(
    client, personas
):
    assessment = assess(personas)
    n = assessment.items.count()
    login(client, personas.manager)
    changes = [
        ("6.1.1", {"status": "implemented"}),
        ("6.1.2", {"status": "implemented"}),
        ("7.1", {"status": "partial"}),
        ("7.2", {"status": "partial"}),
        ("8.2", {"status": "not_applicable", "justification": "No hazardous substances"}),
    ]
    rows = [{"id": item_of(assessment, number).pk, **change} for number, change in changes]
    body(patch(client, f"{API}/assessments/{assessment.pk}/items/bulk/", {"items": rows}))
    data = body(client.get(f"{API}/assessments/{assessment.pk}/readiness/"))
    assert data["assessment"] == assessment.pk
    counts = {
        "not_started": n - 5,
        "planned": 0,
        "partial": 2,
        "implemented": 2,
        "not_applicable": 1,
    }
    expected = {
        "percent": round((2 + 1) / (n - 1) * 100, 1),
        "applicable": n - 1,
        "points": 3.0,
        "counts": counts,
    }
    assert data["overall"] == expected
    assert [(s["standard"], s["percent"]) for s in data["by_standard"]] == [
        (ENV, expected["percent"])
    ]
    clauses = {c["clause"]: c for c in data["by_clause"]}
    assert list(clauses) == ["4", "5", "6", "7", "8", "9", "10"]
    in_clause = {
        k: assessment.items.filter(requirement__number__startswith=f"{k}.").count() for k in "678"
    }
    # Clause 6: two implemented; clause 7: two halves; clause 8: 8.2 leaves the denominator.
    assert (clauses["6"]["percent"], clauses["6"]["title"]) == (
        round(200 / in_clause["6"], 1),
        "Planning",
    )
    assert clauses["7"]["percent"] == round(100 / in_clause["7"], 1)
    assert (clauses["8"]["percent"], clauses["8"]["applicable"]) == (0.0, in_clause["8"] - 1)
    assert clauses["4"]["percent"] == 0.0


def test_plan_lists_open_items_overdue_first(client, personas):
    assessment = assess(personas)
    owner = personas.users["process_owner"]
    days = dt.timedelta(days=1)
    dates = {
        "4.1": ("planned", TODAY + 30 * days, personas.manager),
        "4.2": ("partial", TODAY - 10 * days, None),
        "4.3": ("not_started", TODAY - 40 * days, owner),
        "4.4": ("implemented", TODAY - 50 * days, owner),
        "5.1": ("planned", TODAY + 30 * days, owner),
    }
    for number, (status, target, who) in dates.items():
        GapItem.objects.filter(pk=item_of(assessment, number).pk).update(
            status=status, target_date=target, owner=who
        )
    login(client, personas.employee)
    rows = body(client.get(f"{API}/assessments/{assessment.pk}/plan/"))
    assert len(rows) == assessment.items.count() - 1
    head = [
        (r["requirement"]["number"], r["overdue"], r["owner"], r["standards"]) for r in rows[:5]
    ]
    assert head == [
        ("4.3", True, owner.email, [ENV]),
        ("4.2", True, None, [ENV]),
        # Same date: by owner e-mail (process_owner@ before system_manager@).
        ("5.1", False, owner.email, [ENV]),
        ("4.1", False, personas.manager.email, [ENV]),
        ("5.2", False, None, [ENV]),
    ]
    assert "4.4" not in {r["requirement"]["number"] for r in rows}
    assert all(r["target_date"] is None for r in rows[4:])


def test_compare_counts_what_improved_and_what_slipped(client, personas):
    first = assess(personas, started_on=dt.date(2026, 1, 5))
    for number, status, target in (
        ("4.1", "partial", None),
        ("4.2", "partial", dt.date(2026, 3, 1)),
        ("4.4", "implemented", None),
    ):
        GapItem.objects.filter(pk=item_of(first, number).pk).update(
            status=status, target_date=target
        )
    second = gap.create_assessment(
        first.system,
        title="Q2",
        started_on=dt.date(2026, 4, 1),
        copy_from=first,
        actor=personas.manager,
    )
    login(client, personas.manager)
    rows = [
        {"id": item_of(second, "4.1").pk, "status": "implemented"},
        {"id": item_of(second, "4.3").pk, "status": "planned"},
        {"id": item_of(second, "4.2").pk, "target_date": "2026-06-01"},
        {"id": item_of(second, "4.4").pk, "status": "partial"},
    ]
    body(patch(client, f"{API}/assessments/{second.pk}/items/bulk/", {"items": rows}))
    data = body(client.get(f"{API}/assessments/{second.pk}/compare/{first.pk}/"))
    n = first.items.count()
    assert (data["earlier"], data["later"]) == (first.pk, second.pk)
    assert data["counts"] == {"improved": 2, "slipped": 2, "unchanged": n - 4, "new": 0, "gone": 0}
    moved = {m["number"]: m for m in data["movements"] if m["change"] != "unchanged"}
    assert {k: (m["before"], m["after"], m["change"]) for k, m in moved.items()} == {
        "4.1": ("partial", "implemented", "improved"),
        "4.2": ("partial", "partial", "slipped"),
        "4.3": ("not_started", "planned", "improved"),
        "4.4": ("implemented", "partial", "slipped"),
    }
    assert (moved["4.2"]["before_target_date"], moved["4.2"]["after_target_date"]) == (
        "2026-03-01",
        "2026-06-01",
    )
    assert moved["4.1"]["standard"] == ENV
    # Named the other way round, it still reads from the earlier to the later.
    assert body(client.get(f"{API}/assessments/{first.pk}/compare/{second.pk}/")) == data
    other = assess(personas, codes=(QMS,), name="QMS")
    response = client.get(f"{API}/assessments/{first.pk}/compare/{other.pk}/")
    assert problem_fields(response) == {"with"}


def test_query_counts_do_not_grow_from_one_standard_to_seven(client, personas):
    login(client, personas.manager)
    counts = {}
    for size, codes in (("one", [ENV]), ("seven", ALL_STANDARDS)):
        first = assess(personas, codes=codes, name=size, started_on=dt.date(2026, 1, 1))
        first.items.update(
            status="planned", owner=personas.manager, target_date=dt.date(2026, 2, 1)
        )
        second = gap.create_assessment(
            first.system, title="Again", copy_from=first, actor=personas.manager
        )
        base = f"{API}/assessments/{second.pk}/"
        urls = {
            "detail": base,
            "items": f"{base}items/?limit=500",
            "filtered items": f"{base}items/?limit=500&clause=7&overdue=true",
            "readiness": f"{base}readiness/",
            "plan": f"{base}plan/",
            "compare": f"{base}compare/{first.pk}/",
            "all items": f"{API}/gap-items/?assessment={second.pk}&limit=500",
        }
        for name, url in urls.items():
            n, response = count_queries(lambda url=url: client.get(url))
            assert response.status_code == 200, (url, response.content)
            counts.setdefault(name, {})[size] = n
        assert body(client.get(urls["items"]))["count"] == second.items.count()
    assert {name: c["one"] for name, c in counts.items()} == {
        name: c["seven"] for name, c in counts.items()
    }, counts
