"""The one permission layer: may, require and scope, read through the rules of Site."""

import pytest
from django.contrib.auth.models import AnonymousUser

from pdca.accounts.models import User
from pdca.core import permissions
from pdca.core.exceptions import PermissionDenied
from pdca.core.permissions import (
    forget_memberships,
    may,
    memberships,
    register,
    registered_models,
    require,
    role_in,
    roles_for,
    rules_for,
    scope,
)
from pdca.core.roles import ALL_ROLES, MANAGERS, Role
from pdca.core.testing.api_bundle import ROLES
from pdca.tenancy.models import Membership, Organization, Site
from tests.tenancy.factories import make_member, make_site

ACTIONS = ("view", "add", "change", "delete")
#: The rules of Site written out, so a change to the registered rules fails here first.
SITE_MANAGERS = frozenset({Role.ADMIN, Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.CB_MANAGER})
SITE_RULES = {
    "view": ALL_ROLES,
    "add": SITE_MANAGERS,
    "change": SITE_MANAGERS,
    "delete": SITE_MANAGERS,
}


def fresh(user) -> User:
    """The same person as a new object, as each request gets one: nothing cached yet."""
    return User.objects.get(pk=user.pk)


def test_site_rules_are_registered_as_declared():
    assert {action: roles_for(Site, action) for action in ACTIONS} == SITE_RULES


def test_every_tenancy_model_and_the_activity_log_have_rules():
    assert {
        "core.activityentry",
        "tenancy.membership",
        "tenancy.organization",
        "tenancy.site",
    } <= set(registered_models())


def test_a_model_without_rules_is_an_error_naming_it():
    with pytest.raises(LookupError) as excinfo:
        rules_for(User)
    assert str(excinfo.value) == "no permission rules registered for accounts.user"


def test_an_unregistered_action_is_allowed_to_nobody(personas):
    site = make_site(personas.org)
    assert roles_for(Site, "approve") == frozenset()
    assert not may(personas.users[Role.ADMIN], "approve", site)


# --- may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_may_on_a_site_of_own_organization_follows_the_role(personas, role, action):
    site = make_site(personas.org_for(role))
    assert may(personas.users[role], action, site) is (role in SITE_RULES[action])


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_may_on_a_site_of_another_organization_is_always_false(personas, role, action):
    site = make_site(personas.other)
    assert may(personas.users[role], action, site) is False


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_may_on_the_site_model_in_an_organization_follows_the_role(personas, role, action):
    user, org = personas.users[role], personas.org_for(role)
    allowed = role in SITE_RULES[action]
    assert may(user, action, Site, organization=org) is allowed
    assert may(user, action, Site, organization=org.pk) is allowed
    assert may(user, action, Site, organization=personas.other) is False


def test_may_on_a_model_without_an_organization_is_false(personas):
    assert may(personas.users[Role.ADMIN], "add", Site) is False
    assert may(personas.users[Role.ADMIN], "add", Site, organization=None) is False


def test_may_on_an_organization_reads_its_own_rules(personas):
    assert may(personas.manager, "change", personas.org) is True
    assert may(personas.employee, "change", personas.org) is False
    assert may(personas.employee, "view", personas.org) is True
    assert may(personas.manager, "view", personas.other) is False


def test_anonymous_visitor_may_nothing(personas):
    site = make_site(personas.org)
    visitor = AnonymousUser()
    assert memberships(visitor) == {}
    assert may(visitor, "view", site) is False
    assert list(scope(Site.objects.all(), visitor)) == []


# --- require ------------------------------------------------------------------------------


def test_require_lets_an_allowed_action_through(personas):
    site = make_site(personas.org)
    assert require(personas.manager, "delete", site) is None
    assert require(personas.manager, "add", Site, organization=personas.org) is None


@pytest.mark.parametrize(
    "role, label",
    [
        (Role.EMPLOYEE, "Employee"),
        (Role.TOP_MANAGEMENT, "Top management"),
        (Role.PROCESS_OWNER, "Process owner"),
        (Role.INTERNAL_AUDITOR, "Internal auditor"),
        (Role.LEAD_AUDITOR, "Lead auditor"),
        (Role.CERTIFICATION_DECISION_MAKER, "Certification decision maker"),
    ],
)
def test_require_names_the_role_that_may_not(personas, role, label):
    site = make_site(personas.org_for(role))
    with pytest.raises(PermissionDenied) as excinfo:
        require(personas.users[role], "change", site)
    assert excinfo.value.message == (
        f"Your role ({label}) may not change a site in this organization."
    )
    assert excinfo.value.code == "permission_denied"
    assert excinfo.value.status == 403


def test_require_on_the_model_names_the_role(personas):
    with pytest.raises(PermissionDenied) as excinfo:
        require(personas.employee, "add", Site, organization=personas.org)
    assert excinfo.value.message == "Your role (Employee) may not add a site in this organization."


def test_require_tells_an_outsider_they_are_not_a_member(personas):
    site = make_site(personas.org)
    with pytest.raises(PermissionDenied) as excinfo:
        require(personas.outsider, "view", site)
    assert excinfo.value.message == (
        "You are not a member of the organization that owns this site."
    )
    with pytest.raises(PermissionDenied) as excinfo:
        require(personas.outsider, "add", Site, organization=personas.org)
    assert excinfo.value.message == (
        "You are not a member of the organization that owns this site."
    )


# --- scope --------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_scope_keeps_own_sites_for_allowed_roles_and_never_another_organizations(
    personas, role, action
):
    org = personas.org_for(role)
    mine = {make_site(org, i).pk for i in range(2)}
    make_site(personas.other)
    make_site(personas.cb if org == personas.org else personas.org)
    visible = set(
        scope(Site.objects.all(), personas.users[role], action).values_list("pk", flat=True)
    )
    assert visible == (mine if role in SITE_RULES[action] else set())


def test_scope_defaults_to_view(personas):
    mine = make_site(personas.org)
    make_site(personas.other)
    assert list(scope(Site.objects.all(), personas.employee)) == [mine]


def test_scope_of_organizations_keeps_the_users_own(personas):
    orgs = scope(Organization.objects.all(), personas.manager)
    assert list(orgs) == [personas.org]
    assert list(scope(Organization.objects.all(), personas.manager, "change")) == [personas.org]
    assert list(scope(Organization.objects.all(), personas.employee, "change")) == []


def test_scope_covers_every_organization_the_user_belongs_to(personas):
    user = personas.manager
    Membership.objects.create(organization=personas.other, user=user, role=Role.EMPLOYEE)
    forget_memberships(user)
    site_a, site_b = make_site(personas.org), make_site(personas.other)
    make_site(personas.cb)
    assert set(scope(Site.objects.all(), user)) == {site_a, site_b}
    assert set(scope(Site.objects.all(), user, "change")) == {site_a}


# --- the membership cache -----------------------------------------------------------------


def test_checking_many_objects_costs_one_query(personas, django_assert_num_queries):
    sites = [make_site(personas.org, i) for i in range(50)]
    user = fresh(personas.manager)
    with django_assert_num_queries(1):
        assert may(user, "change", sites[0]) is True
    with django_assert_num_queries(0):
        assert all(may(user, "change", site) for site in sites)
        assert all(may(user, "view", site) for site in sites)
        assert role_in(user, personas.org) == Role.SYSTEM_MANAGER


def test_scope_reuses_the_cached_memberships(personas, django_assert_num_queries):
    make_site(personas.org)
    user = fresh(personas.manager)
    memberships(user)
    with django_assert_num_queries(1):
        assert len(scope(Site.objects.all(), user)) == 1


def test_cached_roles_stay_until_forgotten(personas, django_assert_num_queries):
    site = make_site(personas.org)
    user = fresh(personas.employee)
    assert may(user, "change", site) is False
    Membership.objects.filter(user=user, organization=personas.org).update(role=Role.SYSTEM_MANAGER)
    assert may(user, "change", site) is False
    forget_memberships(user)
    with django_assert_num_queries(1):
        assert may(user, "change", site) is True
    assert memberships(user) == {personas.org.pk: Role.SYSTEM_MANAGER}


def test_forgetting_roles_that_were_never_read_is_harmless(personas):
    user = fresh(personas.employee)
    forget_memberships(user)
    assert memberships(user) == {personas.org.pk: Role.EMPLOYEE}


# --- inactive organizations and people ----------------------------------------------------


def test_members_of_an_inactive_organization_have_no_role_there(personas):
    site = make_site(personas.org)
    Organization.objects.filter(pk=personas.org.pk).update(is_active=False)
    user = fresh(personas.manager)
    assert memberships(user) == {}
    assert role_in(user, personas.org) is None
    assert may(user, "view", site) is False
    assert may(user, "add", Site, organization=personas.org) is False
    assert list(scope(Site.objects.all(), user)) == []


def test_an_inactive_organization_leaves_the_users_other_roles(personas):
    user = personas.manager
    Membership.objects.create(organization=personas.other, user=user, role=Role.EMPLOYEE)
    Organization.objects.filter(pk=personas.org.pk).update(is_active=False)
    assert memberships(fresh(user)) == {personas.other.pk: Role.EMPLOYEE}


def test_an_inactive_user_has_no_roles(personas, django_assert_num_queries):
    site = make_site(personas.org)
    User.objects.filter(pk=personas.manager.pk).update(is_active=False)
    user = fresh(personas.manager)
    with django_assert_num_queries(0):
        assert memberships(user) == {}
        assert may(user, "view", site) is False
    assert list(scope(Site.objects.all(), user)) == []
    with pytest.raises(PermissionDenied) as excinfo:
        require(user, "view", site)
    assert excinfo.value.message == (
        "You are not a member of the organization that owns this site."
    )


# --- owner rules --------------------------------------------------------------------------


@pytest.fixture
def process_owners_change_own_membership(monkeypatch):
    """Membership rules with an owner: a process owner may change their own membership.

    A test-only rule set: monkeypatch puts the registered rules back after the test.
    """
    label = Membership._meta.label_lower
    original = permissions._registry[label]
    monkeypatch.setitem(permissions._registry, label, original)
    register(
        Membership,
        view=ALL_ROLES,
        add=MANAGERS,
        change=MANAGERS,
        delete=MANAGERS,
        owner_field="user",
        owner_roles={Role.PROCESS_OWNER},
        owner_actions={"change"},
    )


def test_memberships_have_no_owner_rules_outside_these_tests():
    assert rules_for(Membership).owner_field is None
    assert rules_for(Membership).owner_actions == frozenset()


def test_an_owner_may_change_their_own_row(personas, process_owners_change_own_membership):
    owner = personas.users[Role.PROCESS_OWNER]
    own = Membership.objects.get(user=owner, organization=personas.org)
    assert may(owner, "change", own) is True


def test_an_owner_may_not_change_someone_elses_row(personas, process_owners_change_own_membership):
    owner = personas.users[Role.PROCESS_OWNER]
    colleague = Membership.objects.get(user=personas.employee, organization=personas.org)
    assert may(owner, "change", colleague) is False
    with pytest.raises(PermissionDenied) as excinfo:
        require(owner, "change", colleague)
    assert excinfo.value.message == (
        "Your role (Process owner) may not change a membership in this organization."
    )


def test_ownership_grants_only_the_owner_actions(personas, process_owners_change_own_membership):
    owner = personas.users[Role.PROCESS_OWNER]
    own = Membership.objects.get(user=owner, organization=personas.org)
    assert may(owner, "delete", own) is False
    assert may(owner, "change", Membership, organization=personas.org) is False


def test_ownership_helps_only_the_owner_roles(personas, process_owners_change_own_membership):
    employee = personas.employee
    own = Membership.objects.get(user=employee, organization=personas.org)
    assert may(employee, "change", own) is False


def test_ownership_does_not_reach_into_another_organization(
    personas, process_owners_change_own_membership
):
    owner = personas.users[Role.PROCESS_OWNER]
    elsewhere = Membership.objects.create(
        organization=personas.other, user=owner, role=Role.EMPLOYEE
    )
    forget_memberships(owner)
    assert may(owner, "change", elsewhere) is False


def test_scope_for_an_owner_keeps_only_their_own_rows(
    personas, process_owners_change_own_membership
):
    owner = personas.users[Role.PROCESS_OWNER]
    make_member(personas.other, Role.PROCESS_OWNER)
    own = Membership.objects.get(user=owner, organization=personas.org)
    assert list(scope(Membership.objects.all(), owner, "change")) == [own]
    assert list(scope(Membership.objects.all(), owner, "delete")) == []
    assert set(scope(Membership.objects.all(), owner, "view")) == set(
        Membership.objects.filter(organization=personas.org)
    )


def test_scope_for_a_manager_is_unchanged_by_owner_rules(
    personas, process_owners_change_own_membership
):
    in_a = set(Membership.objects.filter(organization=personas.org))
    assert set(scope(Membership.objects.all(), personas.manager, "change")) == in_a
    assert list(scope(Membership.objects.all(), personas.employee, "change")) == []
