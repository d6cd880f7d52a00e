from django.urls import reverse

from pdca.core.roles import ALL_ROLES, MANAGERS, Role
from pdca.core.testing import ViewBundle
from pdca.tenancy.models import Membership, Site
from tests.tenancy.factories import make_member, make_site


class TestSitePages(ViewBundle):
    model = Site
    list_url = "/sites/"
    create_url = "/sites/new/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = MANAGERS
    invalid_form_data = [
        ({"name": ""}, "name"),
        ({"name": "Depot", "headcount": "-4"}, "headcount"),
        ({"name": "Depot", "country": "Germany"}, "country"),
    ]

    def make(self, org, index=0):
        return make_site(org, index)

    def form_data(self, org):
        return {"name": "Warehouse", "city": "Hull", "country": "GB", "headcount": "7"}

    def edit_data(self, obj):
        return {"name": obj.name, "city": "York", "country": "GB", "headcount": "9"}

    def detail_url(self, obj):
        return reverse("tenancy:site_detail", args=[obj.pk])

    def edit_url(self, obj):
        return reverse("tenancy:site_edit", args=[obj.pk])

    def delete_url(self, obj):
        return reverse("tenancy:site_delete", args=[obj.pk])

    def test_duplicate_name_is_refused(self, client, personas):
        from pdca.core.testing.api_bundle import login

        make_site(personas.org, name="Duplicate")
        login(client, personas.manager)
        response = client.post(self.create_url, {"name": "duplicate"})
        assert response.status_code == 200
        assert "already has a site of this name" in response.content.decode()
        assert personas.org and Site.objects.filter(organization=personas.org).count() == 1


class TestMemberPages(ViewBundle):
    """Nobody is added directly: people are invited (tests/tenancy/test_invitation_pages.py)."""

    model = Membership
    list_url = "/members/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = MANAGERS

    def make(self, org, index=0):
        return make_member(
            org, Role.EMPLOYEE if org.kind == "organization" else Role.AUDITOR, index
        )

    def edit_data(self, obj):
        return {"role": obj.role, "job_title": "Team lead"}

    def list_text(self, obj):
        return obj.user.email

    def edit_url(self, obj):
        return reverse("tenancy:member_edit", args=[obj.pk])

    def delete_url(self, obj):
        return reverse("tenancy:member_remove", args=[obj.pk])
