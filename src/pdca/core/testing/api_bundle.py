"""The API test bundle: a model's API tests declare data, and inherit the permission matrix.

Subclass it in a `Test…` class and set:

- `model`, `url` (the list endpoint, e.g. "/api/v1/sites/");
- `view_roles`, `add_roles`, `change_roles`, `delete_roles`: who may do what, written out
  explicitly, so a change to the registered rules fails here until the test agrees;
- `make(org)`: create one row in `org` directly (a factory, not the service);
- `create_payload(org)`: a valid body for POST, or leave `creates = False`;
- `update_payload`: a valid PATCH body that changes something;
- `invalid_payloads`: (body or callable(org) giving one, field the error must name) pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from django.db import models

from pdca.core.activity import object_label, snapshot
from pdca.core.models import ActivityEntry, Archivable, OrgOwned
from pdca.core.records.rules import record_reason
from pdca.core.roles import ALL_ROLES
from pdca.core.testing.personas import Personas
from pdca.core.testing.queries import count_queries

ROLES = sorted(ALL_ROLES)
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, user) -> None:
    client.force_login(user, backend=LOGIN_BACKEND)


class ApiBundle:
    model: ClassVar[type[OrgOwned]]
    url: ClassVar[str]
    view_roles: ClassVar[frozenset[str]] = frozenset()
    add_roles: ClassVar[frozenset[str]] = frozenset()
    change_roles: ClassVar[frozenset[str]] = frozenset()
    delete_roles: ClassVar[frozenset[str]] = frozenset()
    creates: ClassVar[bool] = True
    updates: ClassVar[bool] = True
    deletes: ClassVar[bool] = True
    update_payload: ClassVar[dict[str, Any]] = {}
    invalid_payloads: ClassVar[list[tuple[dict[str, Any] | Callable[[Any], dict], str]]] = []
    #: Rows made for the second measurement of the query count.
    query_rows: ClassVar[tuple[int, int]] = (2, 12)

    # --- what a subclass provides -----------------------------------------------------------

    def make(self, org, index: int = 0) -> OrgOwned:
        raise NotImplementedError

    def create_payload(self, org) -> dict[str, Any]:
        raise NotImplementedError

    def detail_url(self, obj: models.Model) -> str:
        return f"{self.url}{obj.pk}/"

    # --- helpers ----------------------------------------------------------------------------

    def rows(self, org) -> models.QuerySet:
        return self.model.objects.filter(organization=org)

    def writer(self, personas: Personas, roles: frozenset[str] | None = None):
        role = sorted(roles or self.add_roles or self.change_roles or self.view_roles)[0]
        return personas.users[role], personas.org_for(role)

    def entries(self, obj, action: str, user) -> models.QuerySet:
        return ActivityEntry.objects.filter(
            object_type=object_label(obj), object_id=str(obj.pk), action=action, actor=user
        )

    def ids(self, response) -> set[int]:
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    # --- the inherited tests ----------------------------------------------------------------

    def test_registered_rules_match_the_declared_roles(self):
        from pdca.core.permissions import roles_for

        assert roles_for(self.model, "view") == self.view_roles
        if self.creates:
            assert roles_for(self.model, "add") == self.add_roles
        if self.updates:
            assert roles_for(self.model, "change") == self.change_roles
        if self.deletes:
            assert roles_for(self.model, "delete") == self.delete_roles

    def test_anonymous_is_refused(self, client, personas):
        obj = self.make(personas.org)
        assert client.get(self.url).status_code == 401
        assert client.get(self.detail_url(obj)).status_code == 401
        if self.creates:
            before = self.rows(personas.org).count()
            response = client.post(
                self.url, self.create_payload(personas.org), content_type="application/json"
            )
            assert response.status_code == 401
            assert response["Content-Type"] == "application/problem+json"
            assert self.rows(personas.org).count() == before

    @pytest.mark.parametrize("role", ROLES)
    def test_list_shows_own_rows_to_readers_only(self, client, personas, role):
        org = personas.org_for(role)
        mine = self.make(org)
        theirs = self.make(personas.other)
        login(client, personas.users[role])
        ids = self.ids(client.get(self.url))
        assert theirs.pk not in ids
        assert (mine.pk in ids) is (role in self.view_roles)

    @pytest.mark.parametrize("role", ROLES)
    def test_detail_by_role(self, client, personas, role):
        obj = self.make(personas.org_for(role))
        login(client, personas.users[role])
        response = client.get(self.detail_url(obj))
        if role in self.view_roles:
            assert response.status_code == 200, response.content
            assert response.json()["id"] == obj.pk
        else:
            assert response.status_code == 404

    @pytest.mark.parametrize("role", ROLES)
    def test_create_by_role(self, client, personas, role):
        if not self.creates:
            pytest.skip("this model is not created through its API endpoint")
        org = personas.org_for(role)
        user = personas.users[role]
        before = set(self.rows(org).values_list("pk", flat=True))
        login(client, user)
        response = client.post(self.url, self.create_payload(org), content_type="application/json")
        created = self.rows(org).exclude(pk__in=before)
        if role in self.add_roles:
            assert response.status_code == 201, response.content
            obj = created.get()
            assert response.json()["id"] == obj.pk
            entry = self.entries(obj, "create", user).get()
            assert entry.via == "api"
            assert entry.organization_id == org.pk
        else:
            assert response.status_code == 403, response.content
            assert response["Content-Type"] == "application/problem+json"
            assert not created.exists()

    @pytest.mark.parametrize("role", ROLES)
    def test_update_by_role(self, client, personas, role):
        if not self.updates:
            pytest.skip("this model is not updated through its API endpoint")
        obj = self.make(personas.org_for(role))
        user = personas.users[role]
        before = snapshot(obj)
        login(client, user)
        response = client.patch(
            self.detail_url(obj), self.update_payload, content_type="application/json"
        )
        obj.refresh_from_db()
        if role in self.change_roles:
            assert response.status_code == 200, response.content
            assert snapshot(obj) != before
            assert self.entries(obj, "update", user).get().changes
        else:
            assert response.status_code == (403 if role in self.view_roles else 404)
            assert snapshot(obj) == before
            assert not self.entries(obj, "update", user).exists()

    @pytest.mark.parametrize("role", ROLES)
    def test_delete_by_role(self, client, personas, role):
        if not self.deletes:
            pytest.skip("this model is not deleted through its API endpoint")
        obj = self.make(personas.org_for(role))
        user = personas.users[role]
        login(client, user)
        response = client.delete(self.detail_url(obj))
        still_there = self.model.objects.filter(pk=obj.pk).exists()
        if role in self.delete_roles and record_reason(obj):
            assert response.status_code == 409, response.content
            assert response.json()["code"] == "is_record"
            assert still_there
            assert not self.entries(obj, "delete", user).exists()
        elif role in self.delete_roles:
            assert response.status_code == 204, response.content
            assert not still_there
            assert self.entries(obj, "delete", user).exists()
        else:
            assert response.status_code == (403 if role in self.view_roles else 404)
            assert still_there

    def test_outsider_gets_404_and_changes_nothing(self, client, personas):
        obj = self.make(personas.org)
        before = snapshot(obj)
        login(client, personas.outsider)
        assert obj.pk not in self.ids(client.get(self.url))
        assert client.get(self.detail_url(obj)).status_code == 404
        if self.updates:
            response = client.patch(
                self.detail_url(obj), self.update_payload, content_type="application/json"
            )
            assert response.status_code == 404
        if self.deletes:
            assert client.delete(self.detail_url(obj)).status_code == 404
        if self.creates:
            count = self.rows(personas.org).count()
            response = client.post(
                self.url, self.create_payload(personas.org), content_type="application/json"
            )
            assert response.status_code == 404
            assert self.rows(personas.org).count() == count
        obj.refresh_from_db()
        assert snapshot(obj) == before

    def test_invalid_input_names_the_field_and_writes_nothing(self, client, personas):
        if not self.invalid_payloads:
            pytest.skip("no invalid payloads declared")
        user, org = self.writer(personas)
        login(client, user)
        obj = self.make(org)
        for payload, field in self.invalid_payloads:
            body = payload(org) if callable(payload) else payload
            entries_before = ActivityEntry.objects.count()
            rows_before = self.rows(org).count()
            before = snapshot(obj)
            if self.creates and "organization" in body:
                response = client.post(self.url, body, content_type="application/json")
            else:
                response = client.patch(self.detail_url(obj), body, content_type="application/json")
            assert response.status_code == 422, (body, response.content)
            problem = response.json()
            assert response["Content-Type"] == "application/problem+json"
            assert field in {e["field"] for e in problem["errors"]}, (body, problem)
            assert self.rows(org).count() == rows_before
            assert ActivityEntry.objects.count() == entries_before
            obj.refresh_from_db()
            assert snapshot(obj) == before

    def test_list_query_count_does_not_grow_with_rows(self, client, personas):
        user, org = self.writer(personas, self.view_roles)
        login(client, user)
        small, large = self.query_rows
        for i in range(small):
            self.make(org, index=i)
        n_small, response = count_queries(lambda: client.get(self.url))
        assert response.status_code == 200
        for i in range(small, large):
            self.make(org, index=i)
        n_large, response = count_queries(lambda: client.get(self.url))
        assert len(response.json()["items"]) >= large
        assert n_large == n_small, f"{n_small} queries with {small} rows, {n_large} with {large}"

    def test_history_lists_recorded_changes(self, client, personas):
        if not self.updates:
            pytest.skip("no update to record")
        user, org = self.writer(personas, self.change_roles)
        obj = self.make(org)
        login(client, user)
        client.patch(self.detail_url(obj), self.update_payload, content_type="application/json")
        response = client.get(f"{self.detail_url(obj)}history/")
        assert response.status_code == 200, response.content
        actions = [item["action"] for item in response.json()["items"]]
        assert actions[0] == "update"
        login(client, personas.outsider)
        assert client.get(f"{self.detail_url(obj)}history/").status_code == 404

    # --- archiving: every register's entries are archived, restored and disposed of --------

    def _archive_url(self, obj, step: str) -> str:
        from pdca.core.registers.archive import is_archivable
        from pdca.core.registers.spec import spec_of_model

        if spec_of_model(self.model) is None or not is_archivable(self.model):
            pytest.skip("entries of this model are not archived through a register")
        return f"{self.detail_url(obj)}{step}/"

    @pytest.mark.parametrize("role", ROLES)
    def test_archive_by_role(self, client, personas, role):
        obj = self.make(personas.org_for(role))
        url = self._archive_url(obj, "archive")
        assert isinstance(obj, Archivable)
        user = personas.users[role]
        login(client, user)
        response = client.post(
            url, {"reason": "Withdrawn: replaced"}, content_type="application/json"
        )
        obj.refresh_from_db()
        if role in self.change_roles:
            assert response.status_code == 200, response.content
            assert response.json()["archive_reason"] == "Withdrawn: replaced"
            assert obj.archived_at is not None and obj.archived_by == user
            entry = self.entries(obj, "archive", user).get()
            assert entry.message == "Withdrawn: replaced"
        else:
            assert response.status_code == (403 if role in self.view_roles else 404)
            assert obj.archived_at is None

    def test_archived_entries_leave_the_list_until_restored(self, client, personas):
        user, org = self.writer(personas, self.change_roles)
        obj = self.make(org)
        login(client, user)
        archive_url = self._archive_url(obj, "archive")
        missing = client.post(archive_url, {"reason": "  "}, content_type="application/json")
        assert missing.status_code == 422
        assert "reason" in {e["field"] for e in missing.json()["errors"]}
        assert (
            client.post(
                archive_url, {"reason": "Obsolete"}, content_type="application/json"
            ).status_code
            == 200
        )
        again = client.post(archive_url, {"reason": "Twice"}, content_type="application/json")
        assert again.status_code == 409
        assert obj.pk not in self.ids(client.get(self.url))
        assert obj.pk in self.ids(client.get(f"{self.url}?archived=yes"))
        assert obj.pk in self.ids(client.get(f"{self.url}?archived=all"))
        assert client.get(self.detail_url(obj)).status_code == 200
        restored = client.post(
            self._archive_url(obj, "restore"), {}, content_type="application/json"
        )
        assert restored.status_code == 200, restored.content
        assert restored.json()["archived_at"] is None
        assert obj.pk in self.ids(client.get(self.url))
        assert self.entries(obj, "restore", user).exists()

    def test_disposal_waits_for_the_retention_period(self, client, personas):
        import datetime as dt

        from django.utils import timezone

        roles = self.delete_roles & self.change_roles
        if not roles:
            pytest.skip("nobody both archives and disposes of these entries")
        user, org = self.writer(personas, roles)
        obj = self.make(org)
        login(client, user)
        dispose_url = self._archive_url(obj, "dispose")
        body = {"reason": "Retention period over"}
        not_archived = client.post(dispose_url, body, content_type="application/json")
        assert not_archived.status_code == 409
        assert not_archived.json()["code"] == "not_archived"
        archive_url = self._archive_url(obj, "archive")
        client.post(archive_url, {"reason": "Obsolete"}, content_type="application/json")
        early = client.post(dispose_url, body, content_type="application/json")
        assert early.status_code == 409, early.content
        assert early.json()["code"] == "retention_not_over"
        assert self.model.objects.filter(pk=obj.pk).exists()
        long_ago = timezone.now() - dt.timedelta(days=365 * 10)
        self.model.objects.filter(pk=obj.pk).update(archived_at=long_ago)
        login(client, personas.outsider)
        assert client.post(dispose_url, body, content_type="application/json").status_code == 404
        login(client, user)
        response = client.post(dispose_url, body, content_type="application/json")
        assert response.status_code == 204, response.content
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert self.entries(obj, "dispose", user).get().message == "Retention period over"
