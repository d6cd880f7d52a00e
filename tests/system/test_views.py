"""The management-system pages: the list, the form, the system's home with readiness at a glance,
adopting and dropping standards, and exclusions.

AdoptedStandard has no page of its own (tests/test_meta.py exempts it): adopting and dropping
are tested here, through the system's page.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import NoReverseMatch, reverse

from pdca.assessments.models import GapItem
from pdca.assessments.services import create_assessment
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ViewBundle, count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement, Standard
from pdca.system import services
from pdca.system.models import AdoptedStandard, Exclusion, ManagementSystem
from pdca.system.permissions import IMPLEMENTERS
from pdca.tenancy.models import Membership
from tests.tenancy.factories import make_site

ISO9001 = "iso9001-2015"
ISO14001 = "iso14001-2015"
READERS = sorted(ORGANIZATION_ROLES - IMPLEMENTERS)
ADOPTED_ON = dt.date(2026, 1, 5)


def standard(code: str) -> Standard:
    return Standard.objects.get(code=code)


def make_system(org, name: str = "Integrated management system", codes=(ISO9001,), **fields):
    """A system adopting `codes`, inserted directly (the services are under test elsewhere)."""
    system = ManagementSystem.objects.create(organization=org, name=name, **fields)
    for code in codes:
        AdoptedStandard.objects.create(
            organization=org, system=system, standard=standard(code), adopted_on=ADOPTED_ON
        )
    return system


def host_system(org) -> ManagementSystem:
    """The system that holds the exclusions of the Exclusion page tests."""
    return ManagementSystem.objects.filter(organization=org, name="Host system").first() or (
        make_system(org, "Host system")
    )


def leaves(code: str = ISO9001) -> list[Requirement]:
    return list(
        Requirement.objects.filter(standard__code=code, children__isnull=True, retired=False)
        .select_related("standard")
        .order_by("sort_key")
    )


def user_with_role(org, role: str):
    return Membership.objects.select_related("user").get(organization=org, role=role).user


def assessment_url(name: str, *args) -> str | None:
    try:
        return reverse(f"assessments:{name}", args=args)
    except NoReverseMatch:
        return None


def system_url(name: str, *args) -> str:
    return reverse(f"system:{name}", args=args)


# --- the generic page bundles ---------------------------------------------------------------


def _duplicate_name(org):
    make_system(org, "Existing system")
    return {"name": "existing SYSTEM", "status": "planning"}


def _employee_as_owner(org):
    employee = user_with_role(org, Role.EMPLOYEE)
    return {"name": "New system", "status": "planning", "owner": employee.pk}


class TestManagementSystemPages(ViewBundle):
    model = ManagementSystem
    list_url = "/systems/"
    create_url = "/systems/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = IMPLEMENTERS
    invalid_form_data = [
        ({"name": "", "status": "planning"}, "name"),
        (_duplicate_name, "name"),
        (_employee_as_owner, "owner"),
        ({"name": "New system", "status": "retired"}, "status"),
    ]

    def make(self, org, index=0):
        return make_system(org, f"System {index:02d}")

    def form_data(self, org):
        data = {
            "name": "Acme IMS",
            "standards": [standard(ISO9001).pk, standard(ISO14001).pk],
            "scope_statement": "Design and machining of precision parts",
            "status": "implementing",
            "certification_target_date": "2026-11-30",
        }
        manager = Membership.objects.filter(organization=org, role=Role.SYSTEM_MANAGER).first()
        if manager:
            data["owner"] = manager.user_id
        return data

    def edit_data(self, obj):
        return {"name": obj.name, "status": "operating", "boundaries": "Excludes the canteen"}

    def detail_url(self, obj):
        return system_url("system_detail", obj.pk)

    def edit_url(self, obj):
        return system_url("system_edit", obj.pk)


def _no_justification(org):
    return {"requirement": leaves()[0].pk, "justification": "   "}


def _not_adopted(org):
    return {"requirement": leaves(ISO14001)[0].pk, "justification": "We do not do this."}


def _already_excluded(org):
    exclusion = TestExclusionPages().make(org, index=3)
    return {"requirement": exclusion.requirement_id, "justification": "Again."}


class TestExclusionPages(ViewBundle):
    """Exclusions are listed on their system's page and added on /systems/<pk>/exclusions/new/."""

    model = Exclusion
    list_url = "/systems/"  # what the outsider reads; rows are listed on the system's page
    view_roles = ORGANIZATION_ROLES
    add_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (_no_justification, "justification"),
        (_not_adopted, "requirement"),
        (_already_excluded, ""),
    ]

    def make(self, org, index=0):
        system = host_system(org)
        return Exclusion.objects.create(
            organization=org,
            system=system,
            requirement=leaves()[index],
            justification=f"Reason number {index:02d}: no such activity here.",
        )

    def list_text(self, obj):
        return obj.justification

    def list_url_for(self, obj):
        return system_url("system_detail", obj.system_id)

    def create_url_for(self, org):
        return system_url("exclusion_add", host_system(org).pk)

    def form_data(self, org):
        return {"requirement": leaves()[-1].pk, "justification": "We design nothing ourselves."}

    def delete_url(self, obj):
        return system_url("exclusion_remove", obj.system_id, obj.pk)


# --- the list and the form ------------------------------------------------------------------


def test_the_list_shows_status_standards_owner_and_target(client, personas):
    make_system(
        personas.org,
        "Acme IMS",
        codes=(ISO9001, ISO14001),
        status="implementing",
        owner=personas.manager,
        certification_target_date=dt.date(2026, 11, 30),
    )
    login(client, personas.employee)
    html = client.get("/systems/").content.decode()
    row = html[html.index("Acme IMS") : html.index("</tr>", html.index("Acme IMS"))]
    for text in (
        "Implementing",
        "ISO 9001:2015",
        "ISO 14001:2015",
        "System Manager A",
        "2026-11-30",
    ):
        assert text in row
    assert "New system" not in html  # an employee creates nothing


def test_creating_a_system_adopts_the_chosen_standards_with_its_sites_and_owner(client, personas):
    site = make_site(personas.org)
    login(client, personas.users[Role.CONSULTANT])
    response = client.post(
        "/systems/new/",
        {
            "name": "Acme IMS",
            "standards": [standard(ISO9001).pk, standard("iso27001-2022").pk],
            "sites": [site.pk],
            "owner": personas.manager.pk,
            "status": "planning",
        },
    )
    system = ManagementSystem.objects.get(organization=personas.org)
    assert response.status_code == 302
    assert response["Location"] == system_url("system_detail", system.pk)
    assert sorted(s.code for s in services.active_standards(system)) == [
        "iso27001-2022",
        ISO9001,
    ]
    assert list(system.sites.all()) == [site]
    assert system.owner == personas.manager
    adoptions = ActivityEntry.objects.filter(object_type="system.adoptedstandard", action="create")
    assert adoptions.count() == 2


def test_the_form_offers_only_system_managers_and_consultants_as_owner(client, personas):
    login(client, personas.manager)
    form = client.get("/systems/new/").context["form"]
    offered = {value for value, _ in form.fields["owner"].widget.choices if value}
    assert offered == {personas.manager.pk, personas.users[Role.CONSULTANT].pk}


def test_the_form_offers_every_standard_and_only_the_organizations_sites(client, personas):
    mine = make_site(personas.org)
    theirs = make_site(personas.other)
    login(client, personas.manager)
    form = client.get("/systems/new/").context["form"]
    assert list(form.fields["sites"].queryset) == [mine]
    assert form.fields["standards"].queryset.count() == Standard.objects.count()

    response = client.post("/systems/new/", {"name": "X", "status": "planning", "sites": theirs.pk})
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors
    assert not ManagementSystem.objects.exists()


def test_editing_offers_no_standards_and_keeps_the_adopted_ones(client, personas):
    system = make_system(personas.org, codes=(ISO9001, ISO14001))
    login(client, personas.manager)
    response = client.get(system_url("system_edit", system.pk))
    assert "standards" not in response.context["form"].fields
    assert response.context["form"]["name"].value() == system.name
    response = client.post(
        system_url("system_edit", system.pk), {"name": "Renamed", "status": "planning"}
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.name == "Renamed"
    assert len(services.active_standards(system)) == 2


def test_renaming_to_another_systems_name_shows_the_error_and_changes_nothing(client, personas):
    make_system(personas.org, "Quality system")
    system = make_system(personas.org, "Security system")
    login(client, personas.manager)
    entries = ActivityEntry.objects.count()
    response = client.post(
        system_url("system_edit", system.pk), {"name": "quality system", "status": "operating"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "This organization already has a system of this name."
    ]
    assert "<h1>Edit Security system</h1>" in response.content.decode()
    system.refresh_from_db()
    assert (system.name, system.status) == ("Security system", "planning")
    assert ActivityEntry.objects.count() == entries


def test_an_employee_as_owner_is_refused_with_the_services_reason(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/systems/new/", {"name": "X", "status": "planning", "owner": personas.employee.pk}
    )
    assert response.context["form"].errors["owner"] == [
        "The owner must be a system manager or consultant of this organization."
    ]
    assert not ManagementSystem.objects.exists()


# --- the system's home ----------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_controls_are_shown_to_implementers_only(client, personas, role):
    system = make_system(personas.org)
    Exclusion.objects.create(
        organization=personas.org, system=system, requirement=leaves()[0], justification="None."
    )
    login(client, personas.users[role])
    html = client.get(system_url("system_detail", system.pk)).content.decode()
    controls = [
        system_url("system_edit", system.pk),
        system_url("standard_adopt", system.pk),
        system_url("standard_drop", system.pk, system.adoptions.get().pk),
        system_url("exclusion_add", system.pk),
        system_url("exclusion_remove", system.pk, system.exclusions.get().pk),
    ]
    shown = [url for url in controls if f'"{url}"' in html]
    assert shown == (controls if role in IMPLEMENTERS else [])
    assert "None." in html and "ISO 9001:2015" in html


def test_without_an_assessment_implementers_are_invited_to_start_one(client, personas):
    system = make_system(personas.org)
    login(client, personas.manager)
    html = client.get(system_url("system_detail", system.pk)).content.decode()
    assert "No assessment yet" in html
    start = assessment_url("assessment_create")
    if start is None:
        pytest.skip("the assessment pages are not mounted yet")
    assert f'href="{start}?system={system.pk}"' in html

    login(client, personas.employee)
    html = client.get(system_url("system_detail", system.pk)).content.decode()
    assert "No assessment yet" in html and start not in html


def test_the_page_shows_scope_boundaries_sites_and_history(client, personas):
    site = make_site(personas.org, name="Machining plant")
    system = services.create_system(
        personas.org,
        name="Acme IMS",
        standards=[standard(ISO9001)],
        sites=[site],
        scope_statement="Machining of parts",
        boundaries="The canteen is out",
        actor=personas.manager,
    )
    services.update_system(system, status="implementing", actor=personas.manager)
    login(client, personas.employee)
    html = client.get(system_url("system_detail", system.pk)).content.decode()
    for text in ("Machining of parts", "The canteen is out", "Machining plant", 'id="history"'):
        assert text in html
    history = html[html.index('id="history"') :]
    assert history.count(personas.manager.email) == 2  # created, then updated


def _set(items, status):
    GapItem.objects.filter(pk__in=[i.pk for i in items]).update(status=status)


def test_readiness_at_a_glance_shows_each_standard_and_overall(client, personas):
    """Everything not applicable but six items: one shared by 9001 and 14001 (implemented),
    two of 9001 only (partial, not started), three of 14001 only (implemented, implemented,
    planned). 9001: 1.5 of 3 = 50%; 14001: 3 of 4 = 75%; overall 3.5 of 6 = 58.3%."""
    system = services.create_system(
        personas.org,
        name="Acme IMS",
        standards=[standard(ISO9001), standard(ISO14001)],
        actor=personas.manager,
    )
    assessment = create_assessment(system, title="First look", actor=personas.manager)
    items = list(assessment.items.prefetch_related("covers__standard"))
    by_codes: dict[frozenset, list[GapItem]] = {}
    for item in items:
        by_codes.setdefault(frozenset(r.standard.code for r in item.covers.all()), []).append(item)
    shared = by_codes[frozenset({ISO9001, ISO14001})]
    only_9001 = by_codes[frozenset({ISO9001})]
    only_14001 = by_codes[frozenset({ISO14001})]
    _set(items, GapItem.Status.NOT_APPLICABLE)
    _set(shared[:1], GapItem.Status.IMPLEMENTED)
    _set(only_9001[:1], GapItem.Status.PARTIAL)
    _set(only_9001[1:2], GapItem.Status.NOT_STARTED)
    _set(only_14001[:2], GapItem.Status.IMPLEMENTED)
    _set(only_14001[2:3], GapItem.Status.PLANNED)

    login(client, personas.employee)
    html = client.get(system_url("system_detail", system.pk)).content.decode()
    assert re.search(r'id="overall-readiness">\s*58\.3%', html)
    table = html[html.index('id="readiness-by-standard"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td[^>]*>(ISO [^<]+)</td>\s*<td[^>]*>([^<]+)</td>", table)
    assert rows == [("ISO 14001:2015", "75%"), ("ISO 9001:2015", "50%")]
    assert "<svg" in html and "ISO 9001:2015: 50%" in html and "ISO 14001:2015: 75%" in html
    listed = html[html.index('id="assessments"') :]
    assert "First look" in listed and "58.3%" in listed


def test_readiness_uses_the_latest_open_assessment(client, personas):
    system = services.create_system(
        personas.org, name="Acme IMS", standards=[standard(ISO14001)], actor=personas.manager
    )
    old = create_assessment(
        system, title="Last year", started_on=dt.date(2025, 3, 1), actor=personas.manager
    )
    old.items.update(status=GapItem.Status.IMPLEMENTED)
    old.status = "closed"
    old.save()
    create_assessment(system, title="This year", actor=personas.manager)
    login(client, personas.manager)
    html = client.get(system_url("system_detail", system.pk)).content.decode()
    glance = html[html.index('id="readiness"') : html.index('id="scope-heading"')]
    assert "This year" in glance and re.search(r'id="overall-readiness">\s*0%', glance)
    listed = html[html.index('id="assessments"') :]
    assert listed.index("This year") < listed.index("Last year")
    assert "100%" in listed


def test_the_system_home_query_count_does_not_grow_with_assessment_items(client, personas):
    small = services.create_system(
        personas.org, name="Environment", standards=[standard(ISO14001)], actor=personas.manager
    )
    large = services.create_system(
        personas.org,
        name="Everything",
        standards=list(Standard.objects.all()),
        actor=personas.manager,
    )
    for system in (small, large):
        create_assessment(system, title=f"Gap of {system.name}", actor=personas.manager)
    assert Standard.objects.count() == 9
    n_items = [GapItem.objects.filter(assessment__system=s).count() for s in (small, large)]
    assert n_items[1] > 5 * n_items[0] > 0
    login(client, personas.manager)
    counts = []
    for system in (small, large):
        n, response = count_queries(lambda s=system: client.get(system_url("system_detail", s.pk)))
        assert response.status_code == 200
        counts.append(n)
    assert counts[0] == counts[1], (
        f"{counts[0]} queries for {n_items[0]} items, {counts[1]} for {n_items[1]}"
    )


# --- adopting and dropping standards --------------------------------------------------------


def test_adopting_a_standard_adds_its_items_to_the_open_assessment(client, personas):
    system = services.create_system(
        personas.org, name="Acme IMS", standards=[standard(ISO9001)], actor=personas.manager
    )
    assessment = create_assessment(system, title="Gap", actor=personas.manager)
    covering_14001 = GapItem.objects.filter(assessment=assessment, covers__standard__code=ISO14001)
    assert not covering_14001.exists()
    login(client, personas.users[Role.CONSULTANT])
    response = client.post(system_url("standard_adopt", system.pk), {"standard": ISO14001})
    assert response.status_code == 302
    assert response["Location"] == system_url("system_detail", system.pk)
    assert [s.code for s in services.active_standards(system)] == [ISO14001, ISO9001]
    covered = set(
        GapItem.covers.through.objects.filter(
            gapitem__assessment=assessment, requirement__standard__code=ISO14001
        ).values_list("requirement_id", flat=True)
    )
    assert covered == {r.pk for r in leaves(ISO14001)}
    adoption = system.adoptions.get(standard__code=ISO14001)
    entry = ActivityEntry.objects.get(object_type="system.adoptedstandard", object_id=adoption.pk)
    assert (entry.action, entry.via, entry.actor) == ("create", "web", personas.users["consultant"])
    html = client.get(response["Location"]).content.decode()
    assert "ISO 14001:2015 adopted" in html


def test_adopting_a_standard_already_adopted_says_so_and_changes_nothing(client, personas):
    system = make_system(personas.org)
    login(client, personas.manager)
    entries = ActivityEntry.objects.count()
    response = client.post(
        system_url("standard_adopt", system.pk), {"standard": ISO9001}, follow=True
    )
    assert "is already adopted by" in response.content.decode()
    assert system.adoptions.count() == 1
    assert ActivityEntry.objects.count() == entries


def test_adopting_an_unknown_standard_says_so(client, personas):
    system = make_system(personas.org)
    login(client, personas.manager)
    response = client.post(
        system_url("standard_adopt", system.pk), {"standard": "iso0000-1900"}, follow=True
    )
    assert "Choose a standard to adopt." in response.content.decode()
    assert system.adoptions.count() == 1


def test_dropping_asks_first_then_keeps_the_adoption_as_history(client, personas):
    system = make_system(personas.org, codes=(ISO9001, ISO14001))
    adoption = system.adoptions.get(standard__code=ISO14001)
    url = system_url("standard_drop", system.pk, adoption.pk)
    login(client, personas.manager)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Drop ISO 14001:2015 from Integrated management system?" in confirm.content.decode()
    adoption.refresh_from_db()
    assert adoption.dropped_on is None

    response = client.post(url)
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert adoption.dropped_on is not None
    assert [s.code for s in services.active_standards(system)] == [ISO9001]
    html = client.get(system_url("system_detail", system.pk)).content.decode()
    dropped = html[html.index('id="dropped-standards"') :]
    dropped = dropped[: dropped.index("</ul>")]
    assert f"ISO 14001:2015: adopted 2026-01-05, dropped {adoption.dropped_on:%Y-%m-%d}" in dropped
    # Dropped, it can be adopted again, and is offered for that.
    assert f'<option value="{ISO14001}">' in html
    # A dropped adoption cannot be dropped twice.
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_readers_may_not_adopt_or_drop(client, personas, role):
    system = make_system(personas.org)
    adoption = system.adoptions.get()
    login(client, personas.users[role])
    entries = ActivityEntry.objects.count()
    assert (
        client.post(system_url("standard_adopt", system.pk), {"standard": ISO14001}).status_code
        == 403
    )
    drop = system_url("standard_drop", system.pk, adoption.pk)
    assert client.get(drop).status_code == 403
    assert client.post(drop).status_code == 403
    assert [a.standard.code for a in system.adoptions.filter(dropped_on__isnull=True)] == [ISO9001]
    assert ActivityEntry.objects.count() == entries


def test_another_organization_cannot_adopt_or_drop(client, personas):
    system = make_system(personas.org)
    adoption = system.adoptions.get()
    login(client, personas.outsider)
    assert (
        client.post(system_url("standard_adopt", system.pk), {"standard": ISO14001}).status_code
        == 404
    )
    drop = system_url("standard_drop", system.pk, adoption.pk)
    assert client.get(drop).status_code == 404
    assert client.post(drop).status_code == 404
    assert system.adoptions.filter(dropped_on__isnull=True).count() == 1


def test_adopting_needs_a_post(client, personas):
    system = make_system(personas.org)
    login(client, personas.manager)
    assert client.get(system_url("standard_adopt", system.pk)).status_code == 405


def test_an_adoption_of_another_system_is_not_found_under_this_one(client, personas):
    system = make_system(personas.org)
    other = make_system(personas.org, "Other system", codes=(ISO14001,))
    login(client, personas.manager)
    url = system_url("standard_drop", system.pk, other.adoptions.get().pk)
    assert client.post(url).status_code == 404
    assert other.adoptions.get().dropped_on is None


# --- exclusions -----------------------------------------------------------------------------


def test_the_requirement_choice_lists_the_adopted_standards_grouped(client, personas):
    system = make_system(personas.org, codes=(ISO9001, ISO14001))
    login(client, personas.manager)
    response = client.get(system_url("exclusion_add", system.pk))
    field = response.context["form"].fields["requirement"]
    groups = [label for label, choices in field.widget.choices if isinstance(choices, list)]
    assert groups == ["ISO 14001:2015", "ISO 9001:2015"]
    assert set(field.queryset.values_list("standard__code", flat=True)) == {ISO9001, ISO14001}
    html = response.content.decode()
    assert '<optgroup label="ISO 9001:2015">' in html


def test_an_exclusion_marks_the_open_assessments_items_not_applicable(client, personas):
    system = services.create_system(
        personas.org, name="Acme IMS", standards=[standard(ISO9001)], actor=personas.manager
    )
    assessment = create_assessment(system, title="Gap", actor=personas.manager)
    requirement = Requirement.objects.get(standard__code=ISO9001, number="8.3.1")
    login(client, personas.manager)
    response = client.post(
        system_url("exclusion_add", system.pk),
        {"requirement": requirement.pk, "justification": "We build to customer drawings."},
    )
    assert response.status_code == 302
    item = assessment.items.get(covers=requirement)
    assert (item.status, item.justification) == (
        GapItem.Status.NOT_APPLICABLE,
        "We build to customer drawings.",
    )
    html = client.get(system_url("system_detail", system.pk)).content.decode()
    excluded = html[html.index('id="exclusions"') : html.index('id="assessments"')]
    assert "ISO 9001 8.3.1" in excluded and "We build to customer drawings." in excluded


def test_removing_an_exclusion_asks_first(client, personas):
    system = make_system(personas.org)
    exclusion = Exclusion.objects.create(
        organization=personas.org, system=system, requirement=leaves()[2], justification="No."
    )
    url = system_url("exclusion_remove", system.pk, exclusion.pk)
    login(client, personas.manager)
    response = client.get(url)
    assert response.status_code == 200
    assert f"Remove the exclusion of {exclusion.requirement.label}?" in response.content.decode()
    assert Exclusion.objects.filter(pk=exclusion.pk).exists()
    response = client.post(url)
    assert response["Location"] == system_url("system_detail", system.pk)
    assert not Exclusion.objects.filter(pk=exclusion.pk).exists()
    assert ActivityEntry.objects.filter(
        object_type="system.exclusion", object_id=exclusion.pk, action="delete"
    ).exists()


def test_an_exclusion_of_another_system_is_not_found_under_this_one(client, personas):
    system = make_system(personas.org)
    other = make_system(personas.org, "Other system")
    exclusion = Exclusion.objects.create(
        organization=personas.org, system=other, requirement=leaves()[0], justification="No."
    )
    login(client, personas.manager)
    assert client.post(system_url("exclusion_remove", system.pk, exclusion.pk)).status_code == 404
    assert Exclusion.objects.filter(pk=exclusion.pk).exists()
