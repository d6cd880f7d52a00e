"""Management system rules: creating a system, adopting and dropping standards, exclusions."""

import datetime as dt

import pytest
from django.utils import timezone

from pdca.assessments import services as gap
from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityChainHead, ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.standards.models import Requirement, Standard
from pdca.system import services
from pdca.system.models import AdoptedStandard, Exclusion, ManagementSystem
from tests.tenancy.factories import make_member, make_site

IMPLEMENTER_ROLES = [Role.SYSTEM_MANAGER, Role.CONSULTANT]
OTHER_ROLES = sorted(ORGANIZATION_ROLES - set(IMPLEMENTER_ROLES))


def std(code: str) -> Standard:
    return Standard.objects.get(code=code)


def req(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def fields_of(exc_info) -> list[str]:
    return [e.field for e in exc_info.value.errors]


def log_state():
    """Everything the activity log holds, to show a refusal wrote nothing."""
    return (
        list(ActivityEntry.objects.order_by("pk").values_list("pk", flat=True)),
        sorted(ActivityChainHead.objects.values_list("chain", "seq", "hash")),
    )


def org_log(org, since: int = 0) -> list[tuple[str, str]]:
    entries = ActivityEntry.objects.filter(organization=org, seq__gt=since).order_by("seq")
    return [(e.action, e.object_type) for e in entries]


def last_seq(org) -> int:
    return ActivityEntry.objects.filter(organization=org).order_by("-seq").first().seq


@pytest.fixture
def system(personas, catalog):
    return services.create_system(
        personas.org,
        name="Integrated system",
        standards=[std("iso9001-2015"), std("iso27001-2022")],
        owner=personas.manager,
        actor=personas.manager,
    )


# --- creating a system ----------------------------------------------------------------------


def test_a_system_manager_creates_a_system_adopting_standards(personas, catalog):
    site = make_site(personas.org)
    target = dt.date(2027, 9, 30)
    system = services.create_system(
        personas.org,
        name="  Integrated system ",
        standards=[std("iso9001-2015"), std("iso27001-2022"), std("iso42001-2023")],
        sites=[site],
        owner=personas.manager,
        scope_statement="Design-free precision machining at the Leeds plant",
        status="implementing",
        certification_target_date=target,
        actor=personas.manager,
    )
    system.refresh_from_db()
    assert (system.name, system.status, system.certification_target_date, system.owner) == (
        "Integrated system",
        "implementing",
        target,
        personas.manager,
    )
    assert list(system.sites.all()) == [site]
    assert [s.code for s in services.active_standards(system)] == [
        "iso9001-2015",
        "iso27001-2022",
        "iso42001-2023",
    ]
    assert set(system.adoptions.values_list("adopted_on", flat=True)) == {timezone.localdate()}
    assert org_log(personas.org) == [
        ("create", "system.managementsystem"),
        ("create", "system.adoptedstandard"),
        ("create", "system.adoptedstandard"),
        ("create", "system.adoptedstandard"),
    ]
    created = ActivityEntry.objects.get(organization=personas.org, seq=1)
    assert created.actor == personas.manager
    assert created.changes["name"] == [None, "Integrated system"]
    assert created.changes["owner"] == [None, personas.manager.pk]


@pytest.mark.parametrize("role", IMPLEMENTER_ROLES)
def test_implementers_may_create_a_system(personas, catalog, role):
    system = services.create_system(personas.org, name="QMS", actor=personas.users[role])
    assert ManagementSystem.objects.filter(pk=system.pk, organization=personas.org).exists()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_may_not_create_a_system(personas, catalog, role):
    log = log_state()
    with pytest.raises(PermissionDenied):
        services.create_system(
            personas.org, name="QMS", standards=[std("iso9001-2015")], actor=personas.users[role]
        )
    assert not ManagementSystem.objects.exists()
    assert not AdoptedStandard.objects.exists()
    assert log_state() == log


def test_an_outsider_may_not_create_a_system_in_our_organization(personas, catalog):
    with pytest.raises(PermissionDenied) as exc_info:
        services.create_system(personas.org, name="QMS", actor=personas.outsider)
    assert "not a member" in exc_info.value.message
    assert not ManagementSystem.objects.exists()


@pytest.mark.parametrize(
    "owner_of",
    [
        lambda p: p.users[Role.PROCESS_OWNER],
        lambda p: p.users[Role.EMPLOYEE],
        lambda p: p.users[Role.ADMIN],
        lambda p: p.outsider,
    ],
    ids=["process_owner", "employee", "admin", "outsider"],
)
def test_the_owner_must_be_a_system_manager_or_consultant_of_the_organization(
    personas, catalog, owner_of
):
    log = log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_system(
            personas.org,
            name="QMS",
            standards=[std("iso9001-2015")],
            owner=owner_of(personas),
            actor=personas.manager,
        )
    assert fields_of(exc_info) == ["owner"]
    assert not ManagementSystem.objects.exists()
    assert log_state() == log


def test_a_consultant_may_own_the_system(personas, catalog):
    consultant = personas.users[Role.CONSULTANT]
    system = services.create_system(
        personas.org, name="QMS", owner=consultant, actor=personas.manager
    )
    system.refresh_from_db()
    assert system.owner == consultant


def test_names_are_unique_in_an_organization_ignoring_case(personas, catalog, system):
    log = log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_system(personas.org, name="INTEGRATED system", actor=personas.manager)
    assert fields_of(exc_info) == ["name"]
    assert ManagementSystem.objects.count() == 1
    assert log_state() == log


def test_another_organization_may_use_the_same_name(personas, catalog, system):
    other = services.create_system(
        personas.other, name="Integrated system", actor=personas.outsider
    )
    assert other.organization == personas.other


@pytest.mark.parametrize("name", ["", "   "])
def test_a_name_is_required(personas, catalog, name):
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_system(personas.org, name=name, actor=personas.manager)
    assert fields_of(exc_info) == ["name"]


def test_an_unknown_status_is_refused(personas, catalog):
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_system(personas.org, name="QMS", status="done", actor=personas.manager)
    assert fields_of(exc_info) == ["status"]
    assert not ManagementSystem.objects.exists()


def test_sites_of_another_organization_are_refused(personas, catalog):
    ours, theirs = make_site(personas.org), make_site(personas.other)
    log = log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_system(
            personas.org,
            name="QMS",
            standards=[std("iso9001-2015")],
            sites=[ours, theirs],
            actor=personas.manager,
        )
    assert fields_of(exc_info) == ["sites"]
    assert not ManagementSystem.objects.exists()
    assert log_state() == log


def test_unknown_fields_are_refused_not_ignored(personas, catalog):
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_system(personas.org, name="QMS", colour="red", actor=personas.manager)
    assert fields_of(exc_info) == ["colour"]


# --- updating -------------------------------------------------------------------------------


def test_updating_records_only_what_changed(personas, system):
    site = make_site(personas.org)
    since = last_seq(personas.org)
    services.update_system(system, status="operating", sites=[site], actor=personas.manager)
    entry = ActivityEntry.objects.get(organization=personas.org, seq__gt=since)
    assert entry.action == "update"
    assert entry.changes == {"status": ["planning", "operating"], "sites": [[], [site.pk]]}
    services.update_system(system, status="operating", actor=personas.manager)
    assert last_seq(personas.org) == since + 1


def test_updating_checks_the_owner(personas, system):
    with pytest.raises(ValidationFailed) as exc_info:
        services.update_system(system, owner=personas.employee, actor=personas.manager)
    assert fields_of(exc_info) == ["owner"]
    system.refresh_from_db()
    assert system.owner == personas.manager


def test_an_employee_may_not_update_a_system(personas, system):
    with pytest.raises(PermissionDenied):
        services.update_system(system, name="Renamed", actor=personas.employee)
    system.refresh_from_db()
    assert system.name == "Integrated system"


# --- adopting and dropping standards ----------------------------------------------------


def test_adopting_a_standard_adds_an_adoption_and_an_entry(personas, system):
    since = last_seq(personas.org)
    adoption = services.adopt_standard(system, std("iso14001-2015"), actor=personas.manager)
    assert (adoption.adopted_on, adoption.dropped_on, adoption.active) == (
        timezone.localdate(),
        None,
        True,
    )
    assert "iso14001-2015" in [s.code for s in services.active_standards(system)]
    assert org_log(personas.org, since) == [("create", "system.adoptedstandard")]


def test_adopting_an_adopted_standard_is_a_conflict(personas, system):
    log = log_state()
    with pytest.raises(Conflict) as exc_info:
        services.adopt_standard(system, std("iso9001-2015"), actor=personas.manager)
    assert exc_info.value.code == "duplicate"
    assert system.adoptions.count() == 2
    assert log_state() == log


def test_dropping_keeps_the_adoption_with_the_date(personas, system):
    since = last_seq(personas.org)
    adoption = services.drop_standard(
        system, std("iso27001-2022"), on=dt.date(2026, 3, 31), actor=personas.manager
    )
    adoption.refresh_from_db()
    assert adoption.dropped_on == dt.date(2026, 3, 31)
    assert not adoption.active
    assert system.adoptions.count() == 2
    assert [s.code for s in services.active_standards(system)] == ["iso9001-2015"]
    entry = ActivityEntry.objects.get(organization=personas.org, seq__gt=since)
    assert (entry.action, entry.object_type) == ("drop", "system.adoptedstandard")
    assert entry.changes == {"dropped_on": [None, "2026-03-31"]}


def test_dropping_defaults_to_today(personas, system):
    adoption = services.drop_standard(system, std("iso27001-2022"), actor=personas.manager)
    assert adoption.dropped_on == timezone.localdate()


def test_dropping_a_standard_not_adopted_is_a_conflict(personas, system):
    log = log_state()
    with pytest.raises(Conflict) as exc_info:
        services.drop_standard(system, std("iso14001-2015"), actor=personas.manager)
    assert exc_info.value.code == "not_adopted"
    services.drop_standard(system, std("iso27001-2022"), actor=personas.manager)
    log = log_state()
    with pytest.raises(Conflict):
        services.drop_standard(system, std("iso27001-2022"), actor=personas.manager)
    assert log_state() == log


def test_readopting_reuses_the_row_and_clears_the_drop(personas, system):
    first = services.drop_standard(
        system, std("iso27001-2022"), on=dt.date(2026, 1, 2), actor=personas.manager
    )
    since = last_seq(personas.org)
    again = services.adopt_standard(system, std("iso27001-2022"), actor=personas.manager)
    again.refresh_from_db()
    assert again.pk == first.pk
    assert (again.dropped_on, again.adopted_on) == (None, timezone.localdate())
    assert system.adoptions.count() == 2
    entry = ActivityEntry.objects.get(organization=personas.org, seq__gt=since)
    assert (entry.action, entry.object_type) == ("readopt", "system.adoptedstandard")
    assert entry.changes["dropped_on"] == ["2026-01-02", None]


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.PROCESS_OWNER, Role.TOP_MANAGEMENT])
def test_only_implementers_adopt_and_drop(personas, system, role):
    log = log_state()
    with pytest.raises(PermissionDenied):
        services.adopt_standard(system, std("iso14001-2015"), actor=personas.users[role])
    with pytest.raises(PermissionDenied):
        services.drop_standard(system, std("iso9001-2015"), actor=personas.users[role])
    assert system.adoptions.filter(dropped_on__isnull=True).count() == 2
    assert log_state() == log


def test_an_outsider_may_not_adopt(personas, system):
    with pytest.raises(PermissionDenied):
        services.adopt_standard(system, std("iso14001-2015"), actor=personas.outsider)
    assert system.adoptions.count() == 2


# --- exclusions -----------------------------------------------------------------------------


@pytest.mark.parametrize("justification", ["", "   \n "])
def test_an_exclusion_needs_a_justification(personas, system, justification):
    log = log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.add_exclusion(
            system,
            req("iso9001-2015", "8.3.1"),
            justification=justification,
            actor=personas.manager,
        )
    assert fields_of(exc_info) == ["justification"]
    assert not Exclusion.objects.exists()
    assert log_state() == log


def test_an_exclusion_is_recorded_with_its_justification(personas, system):
    since = last_seq(personas.org)
    exclusion = services.add_exclusion(
        system,
        req("iso9001-2015", "8.3.1"),
        justification="  We make parts to customer drawings.  ",
        actor=personas.manager,
    )
    exclusion.refresh_from_db()
    assert exclusion.justification == "We make parts to customer drawings."
    assert org_log(personas.org, since) == [("create", "system.exclusion")]


def test_the_requirement_must_belong_to_an_adopted_standard(personas, system):
    with pytest.raises(ValidationFailed) as exc_info:
        services.add_exclusion(
            system, req("iso14001-2015", "8.2"), justification="No", actor=personas.manager
        )
    assert fields_of(exc_info) == ["requirement"]
    services.drop_standard(system, std("iso27001-2022"), actor=personas.manager)
    log = log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.add_exclusion(
            system,
            req("iso27001-2022", "A.7.1"),
            justification="No premises",
            actor=personas.manager,
        )
    assert fields_of(exc_info) == ["requirement"]
    assert not Exclusion.objects.exists()
    assert log_state() == log


def test_excluding_twice_is_a_conflict(personas, system):
    requirement = req("iso9001-2015", "8.3.1")
    services.add_exclusion(system, requirement, justification="Why", actor=personas.manager)
    log = log_state()
    with pytest.raises(Conflict) as exc_info:
        services.add_exclusion(system, requirement, justification="Why", actor=personas.manager)
    assert exc_info.value.code == "duplicate"
    assert log_state() == log


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.PROCESS_OWNER, Role.ADMIN])
def test_only_implementers_exclude(personas, system, role):
    requirement = req("iso9001-2015", "8.3.1")
    with pytest.raises(PermissionDenied):
        services.add_exclusion(system, requirement, justification="Why", actor=personas.users[role])
    exclusion = services.add_exclusion(
        system, requirement, justification="Why", actor=personas.manager
    )
    with pytest.raises(PermissionDenied):
        services.remove_exclusion(exclusion, actor=personas.users[role])
    assert Exclusion.objects.count() == 1


def test_removing_an_exclusion_deletes_it_and_records_it(personas, system):
    exclusion = services.add_exclusion(
        system, req("iso9001-2015", "8.3.1"), justification="Why", actor=personas.manager
    )
    since = last_seq(personas.org)
    services.remove_exclusion(exclusion, actor=personas.manager)
    assert not Exclusion.objects.exists()
    assert org_log(personas.org, since) == [("delete", "system.exclusion")]


def _item(assessment, code, number) -> GapItem:
    return assessment.items.get(covers=req(code, number))


def test_an_exclusion_marks_open_items_that_cover_only_excluded_requirements(personas, system):
    open_one = gap.create_assessment(system, title="Open", actor=personas.manager)
    closed = gap.create_assessment(system, title="Closed", actor=personas.manager)
    gap.update_assessment(closed, status="closed", actor=personas.manager)
    since = last_seq(personas.org)
    services.add_exclusion(
        system,
        req("iso9001-2015", "8.3.2"),
        justification="We machine to customer drawings; we design nothing.",
        actor=personas.manager,
    )
    item = _item(open_one, "iso9001-2015", "8.3.2")
    assert (item.status, item.justification) == (
        "not_applicable",
        "We machine to customer drawings; we design nothing.",
    )
    assert _item(closed, "iso9001-2015", "8.3.2").status == "not_started"
    assert open_one.items.filter(status="not_applicable").count() == 1
    entries = list(
        ActivityEntry.objects.filter(organization=personas.org, seq__gt=since).order_by("seq")
    )
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        ("create", "system.exclusion", str(Exclusion.objects.get().pk)),
        ("update", "assessments.gapitem", str(item.pk)),
    ]
    assert entries[1].message == (
        "Excluded from the system: We machine to customer drawings; we design nothing."
    )


def test_a_shared_item_stays_applicable_until_every_requirement_it_covers_is_excluded(
    personas, system
):
    assessment = gap.create_assessment(system, title="Open", actor=personas.manager)
    shared = _item(assessment, "iso9001-2015", "7.4")
    assert shared.covers.count() == 2
    services.add_exclusion(
        system, req("iso9001-2015", "7.4"), justification="First", actor=personas.manager
    )
    shared.refresh_from_db()
    assert shared.status == "not_started"
    services.add_exclusion(
        system, req("iso27001-2022", "7.4"), justification="Second", actor=personas.manager
    )
    shared.refresh_from_db()
    assert (shared.status, shared.justification) == ("not_applicable", "Second")


def test_excluding_a_clause_with_sub_clauses_marks_the_items_of_all_of_them(personas, system):
    """Regression: excluding 9001 8.3 (which has 8.3.1 to 8.3.6) left its items applicable,
    because items cover only the sub-clauses."""
    assessment = gap.create_assessment(system, title="Open", actor=personas.manager)
    services.add_exclusion(
        system, req("iso9001-2015", "8.3"), justification="No design", actor=personas.manager
    )
    marked = assessment.items.filter(status="not_applicable")
    assert sorted(marked.values_list("requirement__number", flat=True)) == [
        "8.3.1",
        "8.3.2",
        "8.3.3",
        "8.3.4",
        "8.3.5",
        "8.3.6",
    ]
    assert set(marked.values_list("justification", flat=True)) == {"No design"}
    later = gap.create_assessment(system, title="Later", actor=personas.manager)
    assert later.items.filter(status="not_applicable").count() == 6


def test_a_new_assessment_starts_with_excluded_items_not_applicable(personas, system):
    services.add_exclusion(
        system, req("iso9001-2015", "8.3.2"), justification="No design", actor=personas.manager
    )
    assessment = gap.create_assessment(system, title="Open", actor=personas.manager)
    item = _item(assessment, "iso9001-2015", "8.3.2")
    assert (item.status, item.justification) == ("not_applicable", "No design")
    assert assessment.items.filter(status="not_applicable").count() == 1
    assert GapAssessment.objects.count() == 1


def test_dropping_a_standard_keeps_the_items_of_its_requirements(personas, system):
    assessment = gap.create_assessment(system, title="Open", actor=personas.manager)
    count = assessment.items.count()
    services.drop_standard(system, std("iso27001-2022"), actor=personas.manager)
    assert assessment.items.count() == count
    assert assessment.items.filter(covers__standard__code="iso27001-2022").exists()


def test_a_member_with_a_narrow_role_still_sees_nothing_change_when_refused(personas, system):
    member = make_member(personas.org, Role.EMPLOYEE, index=7).user
    with pytest.raises(PermissionDenied):
        services.add_exclusion(
            system, req("iso9001-2015", "8.3.1"), justification="Why", actor=member
        )
    assert not Exclusion.objects.exists()
