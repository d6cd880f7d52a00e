"""The page test bundle: a model's page tests declare data, and inherit the permission matrix.

Subclass it in a `Test…` class and set `model`, the role sets (as in ApiBundle), `make(org)`,
the URL names (`list_url`, `create_url`; `detail_url(obj)`, `edit_url(obj)`,
`delete_url(obj)`), `form_data(org)` (a valid create form), `edit_data(obj)` (a valid edit form
that changes something) and `invalid_form_data` ((data or callable(org), field) pairs).
Pages work in the user's current organization: another organization's rows answer 404.

When the create page depends on the organization's data (`/assessments/new/?system=4`),
override `create_url_for(org)`; when rows are listed on their parent's page rather than on
`list_url`, override `list_url_for(obj)` (`list_url` stays the organization-wide page the
outsider test reads).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from django.db import models

from pdca.core.activity import object_label, snapshot
from pdca.core.models import ActivityEntry, OrgOwned
from pdca.core.records.rules import record_reason
from pdca.core.testing.api_bundle import ROLES, login
from pdca.core.testing.personas import Personas
from pdca.core.testing.queries import count_queries


class ViewBundle:
    model: ClassVar[type[OrgOwned]]
    list_url: ClassVar[str]
    create_url: ClassVar[str | None] = None
    view_roles: ClassVar[frozenset[str]] = frozenset()
    add_roles: ClassVar[frozenset[str]] = frozenset()
    change_roles: ClassVar[frozenset[str]] = frozenset()
    delete_roles: ClassVar[frozenset[str]] = frozenset()
    invalid_form_data: ClassVar[list[tuple[dict[str, Any] | Callable[[Any], dict], str]]] = []
    query_rows: ClassVar[tuple[int, int]] = (2, 12)

    def make(self, org, index: int = 0) -> OrgOwned:
        raise NotImplementedError

    def form_data(self, org) -> dict[str, Any]:
        raise NotImplementedError

    def edit_data(self, obj) -> dict[str, Any]:
        raise NotImplementedError

    def create_url_for(self, org) -> str | None:
        """The create page for rows of `org` (`create_url` unless overridden)."""
        return self.create_url

    def list_url_for(self, obj) -> str:
        """The page that lists `obj` (`list_url` unless overridden)."""
        return self.list_url

    def detail_url(self, obj) -> str | None:
        return None

    def list_text(self, obj) -> str:
        """Text by which the list page shows `obj`."""
        return str(obj)

    def edit_url(self, obj) -> str | None:
        return None

    def delete_url(self, obj) -> str | None:
        return None

    def rows(self, org) -> models.QuerySet:
        return self.model.objects.filter(organization=org)

    def writer(self, personas: Personas, roles: frozenset[str] | None = None):
        role = sorted(roles or self.add_roles or self.view_roles)[0]
        return personas.users[role], personas.org_for(role)

    def entries(self, obj, action: str, user) -> models.QuerySet:
        return ActivityEntry.objects.filter(
            object_type=object_label(obj), object_id=str(obj.pk), action=action, actor=user
        )

    def urls(self, obj) -> list[str]:
        candidates = [
            self.list_url_for(obj),
            self.create_url_for(obj.organization),
            self.detail_url(obj),
            self.edit_url(obj),
            self.delete_url(obj),
        ]
        return [u for u in candidates if u]

    # --- the inherited tests ----------------------------------------------------------------

    def test_anonymous_is_sent_to_sign_in(self, client, personas):
        obj = self.make(personas.org)
        for url in self.urls(obj):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url

    @pytest.mark.parametrize("role", ROLES)
    def test_pages_by_role(self, client, personas, role):
        obj = self.make(personas.org_for(role))
        login(client, personas.users[role])
        allowed = role in self.view_roles
        list_url = self.list_url_for(obj)
        response = client.get(list_url)
        assert response.status_code == (
            200 if allowed else 403 if list_url == self.list_url else 404
        )
        if allowed:
            assert self.list_text(obj) in response.content.decode()
        if self.detail_url(obj):
            response = client.get(self.detail_url(obj))
            assert response.status_code == (200 if allowed else 404)
        create_url = self.create_url_for(obj.organization)
        for url, roles in (
            (create_url, self.add_roles),
            (self.edit_url(obj), self.change_roles),
            (self.delete_url(obj), self.delete_roles),
        ):
            if url:
                expected = 200 if role in roles else (403 if allowed or url == create_url else 404)
                assert client.get(url).status_code == expected, url

    @pytest.mark.parametrize("role", ROLES)
    def test_create_by_role(self, client, personas, role):
        org = personas.org_for(role)
        create_url = self.create_url_for(org)
        if not create_url:
            pytest.skip("no create page")
        user = personas.users[role]
        before = set(self.rows(org).values_list("pk", flat=True))
        login(client, user)
        response = client.post(create_url, self.form_data(org))
        created = self.rows(org).exclude(pk__in=before)
        if role in self.add_roles:
            assert response.status_code == 302, response.content.decode()[:2000]
            obj = created.get()
            assert self.entries(obj, "create", user).get().via == "web"
        else:
            assert response.status_code == 403
            assert not created.exists()

    @pytest.mark.parametrize("role", ROLES)
    def test_edit_by_role(self, client, personas, role):
        obj = self.make(personas.org_for(role))
        if not self.edit_url(obj):
            pytest.skip("no edit page")
        user = personas.users[role]
        before = snapshot(obj)
        login(client, user)
        response = client.post(self.edit_url(obj), self.edit_data(obj))
        obj.refresh_from_db()
        if role in self.change_roles:
            assert response.status_code == 302, response.content.decode()[:2000]
            assert snapshot(obj) != before
            assert self.entries(obj, "update", user).get().changes
        else:
            assert response.status_code == (403 if role in self.view_roles else 404)
            assert snapshot(obj) == before

    @pytest.mark.parametrize("role", ROLES)
    def test_delete_by_role(self, client, personas, role):
        obj = self.make(personas.org_for(role))
        if not self.delete_url(obj):
            pytest.skip("no delete page")
        login(client, personas.users[role])
        response = client.post(self.delete_url(obj))
        exists = self.model.objects.filter(pk=obj.pk).exists()
        if role in self.delete_roles and record_reason(obj):
            # A record is never deleted: the page refuses with the reason.
            assert response.status_code in (302, 409)
            assert exists
        elif role in self.delete_roles:
            assert response.status_code == 302
            assert not exists
        else:
            assert response.status_code == (403 if role in self.view_roles else 404)
            assert exists

    def test_outsider_gets_404(self, client, personas):
        obj = self.make(personas.org)
        before = snapshot(obj)
        login(client, personas.outsider)
        response = client.get(self.list_url)
        assert response.status_code == 200
        assert self.list_text(obj) not in response.content.decode()
        parent_page = self.list_url_for(obj) if self.list_url_for(obj) != self.list_url else None
        for url in (parent_page, self.detail_url(obj), self.edit_url(obj), self.delete_url(obj)):
            if url:
                assert client.get(url).status_code == 404, url
                assert client.post(url, {}).status_code == 404, url
        obj.refresh_from_db()
        assert snapshot(obj) == before

    def test_invalid_form_shows_errors_and_writes_nothing(self, client, personas):
        user, org = self.writer(personas)
        create_url = self.create_url_for(org)
        if not self.invalid_form_data or not create_url:
            pytest.skip("no invalid form data declared")
        login(client, user)
        for data, field in self.invalid_form_data:
            body = data(org) if callable(data) else data
            rows_before = self.rows(org).count()
            entries_before = ActivityEntry.objects.count()
            response = client.post(create_url, body)
            assert response.status_code == 200, field
            form = response.context["form"]
            assert field in form.errors or (field == "" and form.non_field_errors()), (
                field,
                form.errors,
            )
            assert self.rows(org).count() == rows_before
            assert ActivityEntry.objects.count() == entries_before

    def test_list_query_count_does_not_grow_with_rows(self, client, personas):
        user, org = self.writer(personas, self.view_roles)
        login(client, user)
        small, large = self.query_rows
        made = [self.make(org, index=i) for i in range(small)]
        list_url = self.list_url_for(made[0])
        n_small, response = count_queries(lambda: client.get(list_url))
        assert response.status_code == 200
        for i in range(small, large):
            self.make(org, index=i)
        n_large, _ = count_queries(lambda: client.get(list_url))
        assert n_large == n_small, f"{n_small} queries with {small} rows, {n_large} with {large}"

    def test_history_is_shown_on_the_detail_page(self, client, personas):
        user, org = self.writer(personas, self.change_roles or self.view_roles)
        obj = self.make(org)
        if not self.detail_url(obj) or not self.edit_url(obj):
            pytest.skip("no detail and edit pages")
        login(client, user)
        client.post(self.edit_url(obj), self.edit_data(obj))
        response = client.get(self.detail_url(obj))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="history"' in html
        # Look inside the history section only: the e-mail also stands in the user menu.
        history = html.split('id="history"', 1)[1].split("</section>", 1)[0]
        assert user.email in history
        assert "<td>update</td>" in history
        assert "<ins>" in history, "the changed value is shown"
