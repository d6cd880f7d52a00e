"""Organization rules: creating organizations, keeping sites, managing members."""

import pytest

from pdca.accounts.models import User
from pdca.core.activity import snapshot
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityChainHead, ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing.personas import PASSWORD
from pdca.tenancy import services
from pdca.tenancy.invitations.services import invite_member
from pdca.tenancy.models import Invitation, Membership, Organization, Site
from tests.tenancy.factories import make_member, make_site


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@example.com", PASSWORD, full_name="Root Admin")


def fields_of(exc_info) -> list[str]:
    return [e.field for e in exc_info.value.errors]


def log_state():
    """Everything the activity log holds, to show a refusal wrote nothing."""
    return (
        list(ActivityEntry.objects.order_by("pk").values_list("pk", flat=True)),
        sorted(ActivityChainHead.objects.values_list("chain", "seq", "hash")),
    )


def org_log(org) -> list[tuple[str, str]]:
    entries = ActivityEntry.objects.filter(organization=org).order_by("seq")
    return [(e.action, e.object_type) for e in entries]


# --- creating organizations ---------------------------------------------------------------


def test_superuser_creates_an_organization_and_becomes_its_admin(root):
    org = services.create_organization(
        name="  Acme Widgets GmbH ", country="DE", legal_name="Acme Widgets GmbH", actor=root
    )
    org.refresh_from_db()
    assert (org.name, org.slug, org.kind, org.country) == (
        "Acme Widgets GmbH",
        "acme-widgets-gmbh",
        "organization",
        "DE",
    )
    assert list(Membership.objects.filter(organization=org).values_list("user", "role")) == [
        (root.pk, "admin")
    ]
    assert org_log(org) == [
        ("create", "tenancy.organization"),
        ("create", "tenancy.membership"),
    ]
    created = ActivityEntry.objects.get(organization=org, seq=1)
    assert created.actor == root
    assert created.changes == {
        "name": [None, "Acme Widgets GmbH"],
        "slug": [None, "acme-widgets-gmbh"],
        "kind": [None, "organization"],
        "legal_name": [None, "Acme Widgets GmbH"],
        "country": [None, "DE"],
        "is_active": [None, True],
    }


def test_a_named_first_admin_becomes_admin_instead_of_the_creator(root, personas):
    org = services.create_organization(name="Newco", first_admin=personas.employee, actor=root)
    assert list(Membership.objects.filter(organization=org).values_list("user", "role")) == [
        (personas.employee.pk, "admin")
    ]


def test_the_operator_creates_an_organization_without_an_actor(db):
    org = services.create_organization(name="Newco", actor=None)
    assert not Membership.objects.filter(organization=org).exists()
    entry = ActivityEntry.objects.get(organization=org)
    assert (entry.action, entry.actor_id, entry.actor_label) == ("create", None, "system")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SYSTEM_MANAGER, Role.EMPLOYEE])
def test_only_superusers_create_organizations(personas, role):
    count, log = Organization.objects.count(), log_state()
    with pytest.raises(PermissionDenied) as exc_info:
        services.create_organization(name="Newco", actor=personas.users[role])
    assert exc_info.value.message == "Only platform administrators may create organizations."
    assert Organization.objects.count() == count
    assert log_state() == log


def test_slug_is_derived_from_the_name_and_made_unique(root):
    slugs = [services.create_organization(name="Acme & Co.", actor=root).slug for _ in range(3)]
    assert slugs == ["acme-co", "acme-co-2", "acme-co-3"]


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Ünïcode Äpfel", "unicode-apfel"),
        ("!!!", "org"),
        ("x" * 80, "x" * 50),
    ],
)
def test_slug_of_unusual_names(root, name, slug):
    assert services.create_organization(name=name, actor=root).slug == slug


def test_an_explicit_free_slug_is_kept(root):
    org = services.create_organization(name="Acme", slug="acme-uk", actor=root)
    assert org.slug == "acme-uk"


def test_an_explicit_taken_slug_is_a_conflict(root, personas):
    count, log = Organization.objects.count(), log_state()
    with pytest.raises(Conflict) as exc_info:
        services.create_organization(name="Another A", slug="org-a", actor=root)
    assert (exc_info.value.code, exc_info.value.message) == (
        "duplicate",
        "The short name 'org-a' is taken.",
    )
    assert Organization.objects.count() == count
    assert log_state() == log


@pytest.mark.parametrize("country", ["de", "DEU", "D", "D1", "1D", "Dé", "ÄÖ", "ΔΕ"])
def test_country_must_be_two_upper_case_letters(root, country):
    count, log = Organization.objects.count(), log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_organization(name="Newco", country=country, actor=root)
    # Regression: "ÄÖ" and "ΔΕ" passed as two upper-case letters.
    assert fields_of(exc_info) == ["country"]
    assert exc_info.value.errors[0].message == "Use a two-letter ISO 3166 code such as DE or FR."
    assert Organization.objects.count() == count
    assert log_state() == log


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "   "}, "name"),
        ({"name": "Newco", "kind": "government"}, "kind"),
        ({"name": "Newco", "is_active": False}, "is_active"),
        ({"name": "Newco", "colour": "red"}, "colour"),
    ],
)
def test_invalid_organization_input_names_the_field(root, data, field):
    count, log = Organization.objects.count(), log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_organization(actor=root, **data)
    assert fields_of(exc_info) == [field]
    assert Organization.objects.count() == count
    assert log_state() == log


# --- roles must fit the kind of organization ----------------------------------------------


def test_a_certification_body_has_no_employee(personas):
    cb_admin = Membership.objects.get(organization=personas.cb, role=Role.ADMIN).user
    users, log = User.objects.count(), log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        invite_member(personas.cb, email="new@cb.example", role=Role.EMPLOYEE, actor=cb_admin)
    assert fields_of(exc_info) == ["role"]
    assert not Invitation.objects.exists()
    assert exc_info.value.errors[0].message == (
        "A certification body has no role 'employee'; choose one of: admin, auditor, "
        "cb_manager, certification_decision_maker, lead_auditor, technical_expert."
    )
    assert User.objects.count() == users
    assert log_state() == log


def test_an_organization_has_no_lead_auditor(personas):
    users, log = User.objects.count(), log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        invite_member(
            personas.org, email="new@a.example", role=Role.LEAD_AUDITOR, actor=personas.manager
        )
    assert fields_of(exc_info) == ["role"]
    assert not Invitation.objects.exists()
    # Regression: given the Role member the API passes, it read "A organization has no role
    # Role.LEAD_AUDITOR".
    assert exc_info.value.errors[0].message == (
        "An organization has no role 'lead_auditor'; choose one of: admin, consultant, "
        "employee, internal_auditor, process_owner, system_manager, top_management."
    )
    assert User.objects.count() == users
    assert log_state() == log


def test_a_role_change_must_fit_the_kind_too(personas):
    membership = Membership.objects.get(user=personas.employee)
    log = log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.change_member_role(membership, role=Role.AUDITOR, actor=personas.manager)
    assert fields_of(exc_info) == ["role"]
    membership.refresh_from_db()
    assert membership.role == Role.EMPLOYEE
    assert log_state() == log


def test_creating_an_organization_with_a_certification_body_kind_gives_its_admin_role(root):
    org = services.create_organization(
        name="Certify Ltd", kind=Organization.Kind.CERTIFICATION_BODY, actor=root
    )
    assert Membership.objects.get(organization=org).role == Role.ADMIN


# --- keeping a manager --------------------------------------------------------------------


@pytest.fixture
def sole_manager(personas):
    """Org B, where the outsider is the one member who can manage it."""
    return Membership.objects.get(organization=personas.other)


def test_the_last_manager_cannot_be_demoted(personas, sole_manager):
    log = log_state()
    with pytest.raises(Conflict) as exc_info:
        services.change_member_role(sole_manager, role=Role.EMPLOYEE, actor=personas.outsider)
    assert exc_info.value.code == "last_manager"
    assert exc_info.value.message == (
        "This is the last member who can manage the organization; give someone else a "
        "managing role first."
    )
    sole_manager.refresh_from_db()
    assert sole_manager.role == Role.SYSTEM_MANAGER
    assert log_state() == log


def test_the_last_manager_cannot_be_removed(personas, sole_manager):
    log = log_state()
    with pytest.raises(Conflict) as exc_info:
        services.remove_member(sole_manager, actor=personas.outsider)
    assert exc_info.value.code == "last_manager"
    assert Membership.objects.filter(pk=sole_manager.pk).exists()
    assert log_state() == log


def test_an_inactive_manager_does_not_count_as_another_manager(personas, sole_manager):
    second = make_member(personas.other, Role.ADMIN)
    User.objects.filter(pk=second.user_id).update(is_active=False)
    log = log_state()
    with pytest.raises(Conflict) as exc_info:
        services.change_member_role(sole_manager, role=Role.EMPLOYEE, actor=personas.outsider)
    assert exc_info.value.code == "last_manager"
    sole_manager.refresh_from_db()
    assert sole_manager.role == Role.SYSTEM_MANAGER
    assert log_state() == log


def test_colleagues_without_a_managing_role_and_managers_elsewhere_do_not_count(
    personas, sole_manager
):
    make_member(personas.other, Role.EMPLOYEE)
    make_member(personas.other, Role.TOP_MANAGEMENT, 1)
    log = log_state()
    with pytest.raises(Conflict) as exc_info:
        services.remove_member(sole_manager, actor=personas.outsider)
    assert exc_info.value.code == "last_manager"
    assert Membership.objects.filter(pk=sole_manager.pk).exists()
    assert log_state() == log


def test_the_last_manager_may_move_to_another_managing_role(personas, sole_manager):
    services.change_member_role(sole_manager, role=Role.CONSULTANT, actor=personas.outsider)
    sole_manager.refresh_from_db()
    assert sole_manager.role == Role.CONSULTANT
    entry = ActivityEntry.objects.get(organization=personas.other)
    assert entry.changes == {"role": ["system_manager", "consultant"]}


def test_with_a_second_manager_the_first_may_step_down(personas, sole_manager):
    make_member(personas.other, Role.ADMIN)
    services.change_member_role(sole_manager, role=Role.EMPLOYEE, actor=personas.outsider)
    sole_manager.refresh_from_db()
    assert sole_manager.role == Role.EMPLOYEE
    assert org_log(personas.other) == [("update", "tenancy.membership")]


def test_with_a_second_manager_the_first_may_be_removed(personas, sole_manager):
    make_member(personas.other, Role.ADMIN)
    services.remove_member(sole_manager, actor=personas.outsider)
    assert not Membership.objects.filter(pk=sole_manager.pk).exists()
    assert org_log(personas.other) == [("delete", "tenancy.membership")]
    assert User.objects.filter(pk=personas.outsider.pk).exists()


# --- sites --------------------------------------------------------------------------------


def test_marking_a_second_site_headquarters_clears_the_first(personas):
    # Regression: the first site lost its mark by a bulk update, with no entry in its history.
    first = services.create_site(
        personas.org, name="Leeds", is_headquarters=True, actor=personas.manager
    )
    second = services.create_site(
        personas.org, name="York", is_headquarters=True, actor=personas.manager
    )
    elsewhere = make_site(personas.other, is_headquarters=True)
    first.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (first.is_headquarters, second.is_headquarters) == (False, True)
    assert elsewhere.is_headquarters is True
    moved = ActivityEntry.objects.get(object_id=str(first.pk), action="update")
    assert (moved.action, moved.changes, moved.message) == (
        "update",
        {"is_headquarters": [True, False]},
        "Headquarters moved to York.",
    )


def test_moving_headquarters_by_update_clears_the_old_one(personas):
    first = make_site(personas.org, 1, is_headquarters=True)
    second = make_site(personas.org, 2)
    services.update_site(second, is_headquarters=True, actor=personas.manager)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_headquarters, second.is_headquarters) == (False, True)
    assert list(Site.objects.filter(organization=personas.org, is_headquarters=True)) == [second]
    assert org_log(personas.org) == [("update", "tenancy.site"), ("update", "tenancy.site")]


def test_saving_the_headquarters_again_keeps_it(personas):
    hq = make_site(personas.org, is_headquarters=True)
    services.update_site(hq, is_headquarters=True, city="Hull", actor=personas.manager)
    hq.refresh_from_db()
    assert (hq.is_headquarters, hq.city) == (True, "Hull")


def test_delete_site_records_an_activity_entry(personas):
    site = make_site(personas.org, name="Depot", city="Hull", country="GB")
    site_id = site.pk
    services.delete_site(site, actor=personas.manager)
    assert not Site.objects.filter(pk=site_id).exists()
    entry = ActivityEntry.objects.get(organization=personas.org)
    assert (entry.action, entry.object_type, entry.object_id, entry.actor) == (
        "delete",
        "tenancy.site",
        str(site_id),
        personas.manager,
    )
    assert entry.changes == {
        "name": ["Depot", None],
        "city": ["Hull", None],
        "country": ["GB", None],
        "is_headquarters": [False, None],
    }


def test_a_duplicate_site_name_is_refused_in_any_case(personas):
    make_site(personas.org, name="Depot")
    log = log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_site(personas.org, name="DEPOT", actor=personas.manager)
    assert fields_of(exc_info) == ["name"]
    assert exc_info.value.errors[0].message == "This organization already has a site of this name."
    assert Site.objects.filter(organization=personas.org).count() == 1
    assert log_state() == log


# --- every refusal writes nothing ---------------------------------------------------------


def _refusals(p):
    site = make_site(p.org, 1, is_headquarters=True)
    employee_membership = Membership.objects.get(user=p.employee)
    return {
        "employee creates a site": lambda: services.create_site(
            p.org, name="X", is_headquarters=True, actor=p.employee
        ),
        "employee changes a site": lambda: services.update_site(site, city="X", actor=p.employee),
        "employee deletes a site": lambda: services.delete_site(site, actor=p.employee),
        "outsider deletes a site": lambda: services.delete_site(site, actor=p.outsider),
        "site with a bad country": lambda: services.update_site(
            site, country="gb", actor=p.manager
        ),
        "employee changes the organization": lambda: services.update_organization(
            p.org, name="X", actor=p.employee
        ),
        "organization with a bad country": lambda: services.update_organization(
            p.org, country="Germany", actor=p.manager
        ),
        "employee changes a role": lambda: services.change_member_role(
            employee_membership, role=Role.ADMIN, actor=p.employee
        ),
        "employee removes a member": lambda: services.remove_member(
            employee_membership, actor=p.employee
        ),
        "outsider removes a member": lambda: services.remove_member(
            employee_membership, actor=p.outsider
        ),
    }


REFUSALS = [
    "employee creates a site",
    "employee changes a site",
    "employee deletes a site",
    "outsider deletes a site",
    "site with a bad country",
    "employee changes the organization",
    "organization with a bad country",
    "employee changes a role",
    "employee removes a member",
    "outsider removes a member",
]


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refusal_writes_nothing(personas, refusal):
    call = _refusals(personas)[refusal]
    sites = [snapshot(s) for s in Site.objects.order_by("pk")]
    members = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    org = snapshot(Organization.objects.get(pk=personas.org.pk))
    log = log_state()
    with pytest.raises((PermissionDenied, ValidationFailed)):
        call()
    assert [snapshot(s) for s in Site.objects.order_by("pk")] == sites
    assert list(Membership.objects.order_by("pk").values_list("pk", "role")) == members
    assert snapshot(Organization.objects.get(pk=personas.org.pk)) == org
    assert log_state() == log
