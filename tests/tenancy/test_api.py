from pdca.core.roles import ALL_ROLES, MANAGERS, Role
from pdca.core.testing import ApiBundle
from pdca.tenancy.models import Membership, Site
from tests.tenancy.factories import make_member, make_site


class TestSiteApi(ApiBundle):
    model = Site
    url = "/api/v1/sites/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = MANAGERS
    update_payload = {"city": "Bristol", "headcount": 12}
    invalid_payloads = [
        (lambda org: {"organization": org.slug, "name": ""}, "name"),
        (lambda org: {"organization": org.slug, "name": "X", "headcount": -1}, "headcount"),
        (lambda org: {"organization": org.slug, "name": "X", "country": "gb"}, "country"),
        (lambda org: {"organization": org.slug, "name": "X", "colour": "red"}, "colour"),
        ({"name": ""}, "name"),
        ({"is_headquarters": "perhaps"}, "is_headquarters"),
    ]

    def make(self, org, index=0):
        return make_site(org, index)

    def create_payload(self, org):
        return {"organization": org.slug, "name": "Warehouse", "city": "Leeds", "country": "GB"}


class TestMembershipApi(ApiBundle):
    """Memberships are made by accepting an invitation (tests/tenancy/test_invitations_api.py),
    never posted directly."""

    model = Membership
    url = "/api/v1/memberships/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = MANAGERS
    creates = False
    update_payload = {"job_title": "Shift lead"}
    invalid_payloads = [({"role": "chief"}, "role"), ({"job_title": "x" * 151}, "job_title")]

    def make(self, org, index=0):
        role = Role.EMPLOYEE if org.kind == "organization" else Role.AUDITOR
        return make_member(org, role, index)


def test_members_cannot_be_added_directly(client, personas):
    from pdca.core.testing.api_bundle import login

    login(client, personas.manager)
    before = Membership.objects.count()
    response = client.post(
        "/api/v1/memberships/",
        {"organization": "org-a", "email": "new.person@example.com", "role": "employee"},
        content_type="application/json",
    )
    assert response.status_code == 405
    assert Membership.objects.count() == before
