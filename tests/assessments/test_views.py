"""The gap-assessment pages: the list, starting, editing and deleting an assessment, the
assessment page (readiness, filters, rows saved one by one with htmx, the bulk bar), item
pages, splitting, the plan and the comparison."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.services import create_assessment, update_item
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ViewBundle, count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement, Standard
from pdca.system.models import AdoptedStandard, ManagementSystem
from pdca.system.permissions import IMPLEMENTERS

ISO9001, ISO14001, ISO45001 = "iso9001-2015", "iso14001-2015", "iso45001-2018"
ALL_SEVEN = [
    ISO9001,
    ISO14001,
    ISO45001,
    "iso27001-2022",
    "iso42001-2023",
    "iso22000-2018",
    "iso22301-2019",
]
ADOPTED_ON = dt.date(2026, 1, 5)
HTMX = {"HTTP_HX_REQUEST": "true"}


def make_system(org, codes=(ISO14001,), name="Integrated system") -> ManagementSystem:
    """A system adopting `codes`, inserted directly (the system services are tested apart)."""
    system = ManagementSystem.objects.create(organization=org, name=name)
    for code in codes:
        AdoptedStandard.objects.create(
            organization=org,
            system=system,
            standard=Standard.objects.get(code=code),
            adopted_on=ADOPTED_ON,
        )
    return system


def bundle_system(org) -> ManagementSystem:
    return ManagementSystem.objects.filter(organization=org, name="Bundle system").first() or (
        make_system(org, name="Bundle system")
    )


def leaves(code: str) -> list[Requirement]:
    return list(
        Requirement.objects.filter(standard__code=code, children__isnull=True, retired=False)
        .select_related("standard")
        .order_by("sort_key")
    )


def item_state(assessment) -> list[tuple]:
    return list(
        assessment.items.order_by("pk").values_list(
            "pk", "status", "owner", "target_date", "notes", "justification", "evidence"
        )
    )


def row_values(item: GapItem, **changes) -> dict[str, str]:
    """What a table row posts: its fields as they stand, with `changes`."""
    values = {
        "status": item.status,
        "owner": str(item.owner_id or ""),
        "target_date": item.target_date.isoformat() if item.target_date else "",
        "notes": item.notes,
    }
    return {**values, **changes}


def overall(html: str) -> str:
    found = re.search(r'id="readiness-overall"[^>]*>([^<]+)<', html)
    assert found, "no overall readiness on the page"
    return found.group(1)


def detail(assessment) -> str:
    return reverse("assessments:assessment_detail", args=[assessment.pk])


def item_edit(item) -> str:
    return reverse("assessments:item_edit", args=[item.pk])


@pytest.fixture
def assessment(personas, catalog):
    """A 14001 assessment of Org A, started by its system manager."""
    system = make_system(personas.org)
    return create_assessment(system, title="Baseline", actor=personas.manager)


@pytest.fixture
def owned(personas, assessment):
    """The process owner of Org A owns the first item; the second is nobody's."""
    first, second = assessment.items.order_by("sort_key")[:2]
    update_item(first, owner=personas.users[Role.PROCESS_OWNER], actor=personas.manager)
    return first, second


# --- the permission matrix ----------------------------------------------------------------


class TestAssessmentPages(ViewBundle):
    model = GapAssessment
    list_url = "/assessments/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        ({"title": "", "started_on": "2026-03-01"}, "title"),
        ({"title": "Spring review", "started_on": "1 March"}, "started_on"),
        (
            lambda org: {
                "title": "Spring review",
                "started_on": "2026-03-01",
                "copy_from": GapAssessment.objects.create(
                    organization=org,
                    system=make_system(org, name="Another system"),
                    title="Elsewhere",
                    started_on=ADOPTED_ON,
                ).pk,
            },
            "copy_from",
        ),
    ]

    @pytest.fixture(autouse=True)
    def _catalog(self, catalog):
        pass

    def make(self, org, index=0):
        return GapAssessment.objects.create(
            organization=org,
            system=bundle_system(org),
            title=f"Assessment {index}",
            started_on=ADOPTED_ON + dt.timedelta(days=index),
        )

    def create_url_for(self, org):
        return f"/assessments/new/?system={bundle_system(org).pk}"

    def form_data(self, org):
        return {"title": "Spring review", "started_on": "2026-03-01", "copy_from": ""}

    def edit_data(self, obj):
        return {
            "title": obj.title,
            "started_on": obj.started_on.isoformat(),
            "status": "closed",
            "notes": "Closed after the stage 1 audit.",
        }

    def list_text(self, obj):
        return obj.title

    def detail_url(self, obj):
        return reverse("assessments:assessment_detail", args=[obj.pk])

    def edit_url(self, obj):
        return reverse("assessments:assessment_edit", args=[obj.pk])

    def delete_url(self, obj):
        return reverse("assessments:assessment_delete", args=[obj.pk])


class TestItemPages(ViewBundle):
    """Items are listed on their assessment's page; none is created or deleted by hand."""

    model = GapItem
    list_url = "/assessments/"
    view_roles = ORGANIZATION_ROLES
    change_roles = IMPLEMENTERS

    @pytest.fixture(autouse=True)
    def _catalog(self, catalog):
        pass

    def make(self, org, index=0):
        assessment = GapAssessment.objects.filter(organization=org).first() or (
            GapAssessment.objects.create(
                organization=org, system=bundle_system(org), title="Items", started_on=ADOPTED_ON
            )
        )
        requirement = leaves(ISO14001)[index]
        item = GapItem.objects.create(
            organization=org,
            assessment=assessment,
            requirement=requirement,
            sort_key=requirement.sort_key,
        )
        item.covers.set([requirement])
        return item

    def list_url_for(self, obj):
        return detail(obj.assessment)

    def list_text(self, obj):
        return escape(obj.requirement.title)

    def detail_url(self, obj):
        return reverse("assessments:item_detail", args=[obj.pk])

    def edit_url(self, obj):
        return item_edit(obj)

    def edit_data(self, obj):
        return {
            "status": "partial",
            "owner": "",
            "target_date": "2026-06-30",
            "notes": "Aspects register drafted.",
            "justification": "",
            "evidence": "",
        }


# --- the list and starting an assessment ---------------------------------------------------


def test_a_new_assessment_starts_as_a_copy_of_the_latest_by_default(client, personas, assessment):
    item = assessment.items.order_by("sort_key").first()
    update_item(item, status="implemented", actor=personas.manager)
    login(client, personas.manager)
    url = f"/assessments/new/?system={assessment.system_id}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"]["copy_from"].value() == assessment.pk

    response = client.post(
        url, {"title": "Second look", "started_on": "2026-04-01", "copy_from": assessment.pk}
    )

    second = GapAssessment.objects.get(title="Second look")
    assert response.status_code == 302
    assert response["Location"] == detail(second)
    assert second.copied_from == assessment
    assert second.items.get(requirement=item.requirement).status == "implemented"


def test_the_create_page_without_a_system_offers_the_systems(client, personas, assessment):
    login(client, personas.manager)
    response = client.get("/assessments/new/")
    assert response.status_code == 200
    assert f'href="?system={assessment.system_id}"' in response.content.decode()


def test_another_organizations_system_cannot_be_assessed(client, personas, catalog):
    foreign = make_system(personas.other, name="Theirs")
    login(client, personas.manager)
    url = f"/assessments/new/?system={foreign.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "x", "started_on": "2026-03-01"}).status_code == 404
    assert not GapAssessment.objects.filter(system=foreign).exists()


# --- the assessment page ------------------------------------------------------------------


def test_the_page_shows_readiness_by_clause_and_links_requirements(client, personas, assessment):
    login(client, personas.employee)
    response = client.get(detail(assessment))
    html = response.content.decode()
    assert response.status_code == 200
    assert overall(html) == "0%"
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="readiness-chart"' in html
    assert [line.key for line in response.context["clause_table"]] == [str(n) for n in range(4, 11)]
    first = assessment.items.order_by("sort_key").first().requirement
    assert f'href="/standards/{ISO14001}/{first.number}/"' in html
    assert len(response.context["rows"]) == assessment.items.count()


def test_shared_items_show_their_standards_and_a_split_button(client, personas, catalog):
    system = make_system(personas.org, codes=(ISO9001, ISO14001))
    assessment = create_assessment(system, title="Integrated", actor=personas.manager)
    shared = assessment.items.filter(core__isnull=False).order_by("sort_key").first()
    login(client, personas.manager)

    html = client.get(detail(assessment)).content.decode()

    row = re.search(rf'<tr id="item-{shared.pk}".*?</tr>', html, re.S).group(0)
    assert "Shared by" in row
    assert ">ISO 9001</a>" in row and ">ISO 14001</a>" in row
    assert reverse("assessments:item_split", args=[shared.pk]) in row


def test_filters_narrow_the_items_and_htmx_gets_only_the_table(client, personas, assessment):
    first, second, third = assessment.items.order_by("sort_key")[:3]
    update_item(first, status="implemented", actor=personas.manager)
    update_item(second, notes="Waiting for the legal register", actor=personas.manager)
    update_item(
        third, target_date=timezone.localdate() - dt.timedelta(days=3), actor=personas.manager
    )
    login(client, personas.employee)

    def shown(query: str, **headers) -> list[int]:
        response = client.get(f"{detail(assessment)}?{query}", **headers)
        assert response.status_code == 200
        return [row.pk for row in response.context["rows"]]

    assert shown("status=implemented") == [first.pk]
    assert shown("q=legal+REGISTER") == [second.pk]
    assert shown("overdue=1") == [third.pk]
    assert shown(f"owner=none&standard={ISO14001}") == list(
        assessment.items.order_by("sort_key").values_list("pk", flat=True)
    )
    assert shown("standard=iso9001-2015") == []
    clause_6 = shown("clause=6")
    assert clause_6 and all(
        GapItem.objects.get(pk=pk).requirement.number.startswith("6.") for pk in clause_6
    )

    fragment = client.get(
        f"{detail(assessment)}?status=implemented", **HTMX, HTTP_HX_TARGET="items"
    )
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="items"')
    assert "<html" not in html
    assert f'id="item-{first.pk}"' in html and f'id="item-{second.pk}"' not in html


def test_a_row_save_returns_the_row_and_moves_readiness(client, personas, assessment):
    item = assessment.items.order_by("sort_key").first()
    applicable = assessment.items.count()
    login(client, personas.manager)

    response = client.post(item_edit(item), row_values(item, status="implemented"), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="item-{item.pk}"')
    assert re.search(r'<section id="readiness" [^>]*hx-swap-oob="true">', html)
    assert '<template><section id="readiness"' in html  # kept whole after the <tr>
    assert overall(html) == f"{round(100 / applicable, 1):g}%"
    assert '<option value="implemented" selected>' in html
    item.refresh_from_db()
    assert item.status == "implemented"
    entry = ActivityEntry.objects.get(object_id=str(item.pk), action="update")
    assert (entry.via, entry.changes["status"]) == ("web", ["not_started", "implemented"])


def test_a_refused_row_save_keeps_the_entry_shows_the_error_and_writes_nothing(
    client, personas, assessment
):
    item = assessment.items.order_by("sort_key").first()
    before, entries = item_state(assessment), ActivityEntry.objects.count()
    login(client, personas.manager)

    response = client.post(
        item_edit(item), row_values(item, status="not_applicable", notes="Not ours"), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    row = html.split("</tr>")[0]
    assert "A not-applicable item needs a justification" in row
    assert '<option value="not_applicable" selected>' in row
    assert 'name="justification"' in row and "is-invalid" in row
    assert ">Not ours</textarea>" in row
    assert overall(html) == "0%"
    assert item_state(assessment) == before
    assert ActivityEntry.objects.count() == entries


def test_not_applicable_with_a_justification_leaves_the_denominator(client, personas, assessment):
    item = assessment.items.order_by("sort_key").first()
    login(client, personas.manager)

    response = client.post(
        item_edit(item),
        row_values(item, status="not_applicable", justification="No such activity on site."),
        **HTMX,
    )

    assert "is-invalid" not in response.content.decode().split("</tr>")[0]
    item.refresh_from_db()
    assert (item.status, item.justification) == ("not_applicable", "No such activity on site.")
    assert response.context["readiness"].overall.applicable == assessment.items.count() - 1


def test_the_item_page_form_saves_and_returns_to_the_row(client, personas, assessment):
    item = assessment.items.order_by("sort_key").first()
    login(client, personas.users[Role.CONSULTANT])
    response = client.post(
        item_edit(item),
        {
            "status": "planned",
            "owner": personas.manager.pk,
            "target_date": "2026-09-30",
            "notes": "",
            "justification": "",
            "evidence": "https://intranet.example/aspects",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail(assessment)}#item-{item.pk}"
    item.refresh_from_db()
    assert (item.status, item.owner, item.target_date, item.evidence) == (
        "planned",
        personas.manager,
        dt.date(2026, 9, 30),
        "https://intranet.example/aspects",
    )


# --- who may edit which row ---------------------------------------------------------------


def test_an_employee_sees_read_only_rows_and_may_not_save(client, personas, assessment):
    item = assessment.items.order_by("sort_key").first()
    login(client, personas.employee)

    html = client.get(detail(assessment)).content.decode()

    assert 'hx-post="/assessments/items/' not in html
    assert 'name="status" id="item-' not in html
    assert 'id="bulk-form"' not in html
    assert "Split" not in html
    before = item_state(assessment)
    response = client.post(item_edit(item), row_values(item, status="implemented"), **HTMX)
    assert response.status_code == 403
    assert item_state(assessment) == before


def test_a_process_owner_edits_only_their_own_items(client, personas, assessment, owned):
    mine, other = owned
    login(client, personas.users[Role.PROCESS_OWNER])

    html = client.get(detail(assessment)).content.decode()
    my_row = re.search(rf'<tr id="item-{mine.pk}".*?</tr>', html, re.S).group(0)
    other_row = re.search(rf'<tr id="item-{other.pk}".*?</tr>', html, re.S).group(0)
    assert 'name="status"' in my_row and 'name="target_date"' in my_row
    assert 'name="owner"' not in my_row  # they may not hand it on
    assert "hx-post" not in other_row and 'name="status"' not in other_row

    response = client.post(
        item_edit(mine),
        {"status": "partial", "target_date": "2026-05-31", "notes": "Started"},
        **HTMX,
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert (mine.status, mine.target_date, mine.notes) == (
        "partial",
        dt.date(2026, 5, 31),
        "Started",
    )

    before = item_state(assessment)
    assert client.post(item_edit(other), {"status": "partial"}, **HTMX).status_code == 403
    response = client.post(
        item_edit(mine), {"status": "partial", "owner": personas.manager.pk}, **HTMX
    )
    assert "Only implementers may reassign an item." in response.content.decode()
    assert item_state(assessment) == before


# --- the bulk bar -------------------------------------------------------------------------


def bulk_url(assessment) -> str:
    return reverse("assessments:items_bulk", args=[assessment.pk])


def test_bulk_update_sets_every_selected_item(client, personas, assessment):
    chosen = list(assessment.items.order_by("sort_key")[:3])
    owner = personas.users[Role.PROCESS_OWNER]
    login(client, personas.manager)

    response = client.post(
        bulk_url(assessment),
        {
            "ids": [i.pk for i in chosen],
            "set_status": "partial",
            "set_owner": owner.pk,
            "set_target_date": "2026-07-01",
        },
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 of 3 selected item(s) changed." in html
    assert 'hx-swap-oob="true"' in html
    assert overall(html) == f"{round(100 * 1.5 / assessment.items.count(), 1):g}%"
    assert set(
        assessment.items.filter(pk__in=[i.pk for i in chosen]).values_list(
            "status", "owner", "target_date"
        )
    ) == {("partial", owner.pk, dt.date(2026, 7, 1))}
    assert assessment.items.exclude(status="not_started").count() == 3


def test_bulk_update_is_all_or_nothing_and_names_the_bad_items(client, personas, assessment):
    first, second = assessment.items.order_by("sort_key")[:2]
    update_item(first, justification="Outsourced entirely.", actor=personas.manager)
    before, entries = item_state(assessment), ActivityEntry.objects.count()
    login(client, personas.manager)

    response = client.post(
        bulk_url(assessment),
        {"ids": [first.pk, second.pk], "set_status": "not_applicable"},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed." in html
    label = f"ISO 14001 {second.requirement.number}: A not-applicable item needs a justification"
    assert label in html
    assert f"ISO 14001 {first.requirement.number}:" not in html
    assert re.search(rf'value="{second.pk}" form="bulk-form"[^>]* checked', html)
    assert item_state(assessment) == before
    assert ActivityEntry.objects.count() == entries


def test_bulk_without_selection_or_values_explains_and_writes_nothing(client, personas, assessment):
    login(client, personas.manager)
    before = item_state(assessment)
    first = assessment.items.order_by("sort_key").first()
    no_items = client.post(bulk_url(assessment), {"set_status": "planned"}).content.decode()
    no_values = client.post(bulk_url(assessment), {"ids": [first.pk]}).content.decode()
    assert "Select the items to change first." in no_items
    assert "Choose a status, an owner or a target date to set." in no_values
    assert item_state(assessment) == before


def test_bulk_without_htmx_redirects_with_the_filters(client, personas, assessment):
    first = assessment.items.order_by("sort_key").first()
    login(client, personas.manager)
    response = client.post(
        bulk_url(assessment), {"ids": [first.pk], "set_status": "planned", "q": "context"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail(assessment)}?q=context"


def test_an_employee_may_not_use_the_bulk_bar(client, personas, assessment):
    first = assessment.items.order_by("sort_key").first()
    login(client, personas.employee)
    response = client.post(bulk_url(assessment), {"ids": [first.pk], "set_status": "planned"})
    assert response.status_code == 403
    assert assessment.items.filter(status="planned").count() == 0


# --- splitting ----------------------------------------------------------------------------


def test_an_implementer_splits_a_shared_item(client, personas, catalog):
    system = make_system(personas.org, codes=(ISO9001, ISO14001))
    assessment = create_assessment(system, title="Integrated", actor=personas.manager)
    shared = assessment.items.filter(core__isnull=False).order_by("sort_key").first()
    count = assessment.items.count()
    url = reverse("assessments:item_split", args=[shared.pk])

    login(client, personas.employee)
    assert client.post(url).status_code == 403
    assert assessment.items.count() == count

    login(client, personas.manager)
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"{detail(assessment)}#item-{shared.pk}"
    assert assessment.items.count() == count + 1
    shared.refresh_from_db()
    assert shared.covers.count() == 1


# --- plan and comparison ------------------------------------------------------------------


def test_the_plan_lists_open_items_overdue_first(client, personas, assessment):
    today = timezone.localdate()
    a, b, c, d = assessment.items.order_by("sort_key")[:4]
    update_item(a, target_date=today + dt.timedelta(days=10), actor=personas.manager)
    update_item(b, target_date=today - dt.timedelta(days=2), actor=personas.manager)
    update_item(c, status="implemented", actor=personas.manager)
    update_item(d, target_date=today - dt.timedelta(days=9), actor=personas.manager)
    login(client, personas.employee)

    response = client.get(reverse("assessments:assessment_plan", args=[assessment.pk]))

    lines = response.context["lines"]
    assert [line["item"].pk for line in lines[:3]] == [d.pk, b.pk, a.pk]
    assert [line["overdue"] for line in lines[:3]] == [True, True, False]
    assert c.pk not in [line["item"].pk for line in lines]
    assert len(lines) == assessment.items.count() - 1
    assert response.context["overdue_count"] == 2
    assert response.content.decode().count('class="row-overdue"') == 2


def test_compare_counts_what_moved_and_hides_the_unchanged(client, personas, assessment):
    a, b, c = assessment.items.order_by("sort_key")[:3]
    update_item(a, status="planned", actor=personas.manager)
    update_item(b, status="partial", actor=personas.manager)
    update_item(c, target_date=dt.date(2026, 6, 1), actor=personas.manager)
    later = create_assessment(
        assessment.system,
        title="Follow-up",
        started_on=assessment.started_on + dt.timedelta(days=90),
        copy_from=assessment,
        actor=personas.manager,
    )
    moved = {i.requirement_id: i for i in later.items.all()}
    update_item(moved[a.requirement_id], status="implemented", actor=personas.manager)
    update_item(moved[b.requirement_id], status="planned", actor=personas.manager)
    update_item(moved[c.requirement_id], target_date=dt.date(2026, 9, 1), actor=personas.manager)
    login(client, personas.employee)
    url = reverse("assessments:assessment_compare", args=[later.pk])

    response = client.get(f"{url}?with={assessment.pk}")

    total = later.items.count()
    assert response.context["counts"] == {
        "improved": 1,
        "slipped": 2,
        "new": 0,
        "gone": 0,
        "unchanged": total - 3,
    }
    assert len(response.context["movements"]) == 3
    html = response.content.decode()
    assert '<span class="badge text-bg-success" data-count="improved">1</span>' in html
    assert len(client.get(f"{url}?with={assessment.pk}&all=1").context["movements"]) == total
    # Without ?with, the page compares with the assessment it was copied from.
    assert client.get(url).context["other"] == assessment


def test_compare_refuses_an_assessment_of_another_system(client, personas, assessment):
    other = create_assessment(
        make_system(personas.org, name="Food safety"), title="Food", actor=personas.manager
    )
    login(client, personas.manager)
    url = reverse("assessments:assessment_compare", args=[assessment.pk])
    response = client.get(f"{url}?with={other.pk}")
    assert response.status_code == 200
    assert "Compare assessments of the same system." in response.content.decode()


# --- query counts -------------------------------------------------------------------------


def test_the_page_makes_as_many_queries_for_seven_standards_as_for_one(client, personas, catalog):
    small = create_assessment(make_system(personas.org), title="One", actor=personas.manager)
    large = create_assessment(
        make_system(personas.org, codes=ALL_SEVEN, name="Everything"),
        title="Seven",
        actor=personas.manager,
    )
    for assessment in (small, large):  # something to show in the history and owner columns
        first = assessment.items.order_by("sort_key").first()
        update_item(first, owner=personas.employee, actor=personas.manager)
    login(client, personas.manager)
    client.get(detail(small))  # warm the session and caches

    n_small, response = count_queries(lambda: client.get(detail(small)))
    assert response.status_code == 200
    n_large, response = count_queries(lambda: client.get(detail(large)))
    assert response.status_code == 200

    assert large.items.count() > 5 * small.items.count()
    assert n_large == n_small, f"{n_small} queries for one standard, {n_large} for seven"


def test_a_row_save_makes_as_many_queries_for_seven_standards_as_for_one(client, personas, catalog):
    small = create_assessment(make_system(personas.org), title="One", actor=personas.manager)
    large = create_assessment(
        make_system(personas.org, codes=ALL_SEVEN, name="Everything"),
        title="Seven",
        actor=personas.manager,
    )
    login(client, personas.manager)
    counts = []
    for assessment in (small, large):
        item = assessment.items.order_by("sort_key").first()
        n, response = count_queries(
            lambda item=item: client.post(
                item_edit(item), row_values(item, status="partial"), **HTMX
            )
        )
        assert response.status_code == 200
        counts.append(n)
    assert counts[0] == counts[1], counts


# --- links --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_no_link_on_the_assessment_pages_is_dead_or_refused(client, personas, assessment, role):
    """Every link a role is shown on the assessment's pages opens for that role (one link of
    each shape is followed: the items' links differ only by their ids)."""
    item = assessment.items.order_by("sort_key").first()
    update_item(item, owner=personas.users[Role.PROCESS_OWNER], actor=personas.manager)
    create_assessment(
        assessment.system, title="Follow-up", copy_from=assessment, actor=personas.manager
    )
    login(client, personas.users[role])
    pages = [
        detail(assessment),
        reverse("assessments:assessment_plan", args=[assessment.pk]),
        reverse("assessments:assessment_compare", args=[assessment.pk]),
        reverse("assessments:item_detail", args=[item.pk]),
        "/assessments/",
    ]
    shapes: dict[str, str] = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for href in re.findall(r'href="(/[^"#]*)', response.content.decode()):
            if href.startswith(("/static/", "/api/v1/docs")):
                continue
            shapes.setdefault(re.sub(r"\d+", "N", href), href)
    assert any("/assessments/items/" in href for href in shapes.values())
    refused = {}
    for href in shapes.values():
        status = client.get(href).status_code
        if status not in (200, 302):
            refused[href] = status
    assert refused == {}
