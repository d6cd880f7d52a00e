"""No lost update, no silent overwrite (core.concurrency): versions as ETags, `If-Match` and the
`_version` of pages, row locks and writing only the changed fields. The threaded PostgreSQL
runs are in test_concurrency_postgres.py."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from pdca.core import concurrency
from pdca.core.concurrency import (
    PreconditionFailed,
    etag_for,
    lock_for_update,
    precondition,
    save_changed,
    version_token,
)
from pdca.core.models import ActivityEntry
from pdca.core.registers.services import update_entry
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import Nonconformity
from tests.improvement.test_nonconformity_register import make_nc

pytestmark = pytest.mark.django_db

API = "/api/v1/nonconformities"


def spec_of_nc():
    from pdca.improvement.registers import NONCONFORMITIES

    return NONCONFORMITIES


def entries_of(obj) -> int:
    return ActivityEntry.objects.filter(
        object_id=str(obj.pk), object_type=obj._meta.label_lower
    ).count()


def patch(client, url, data, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.patch(url, data, content_type="application/json", **headers)


# --- versions --------------------------------------------------------------------------------


def test_an_etag_names_the_object_and_its_version(personas):
    nc = make_nc(personas.org)
    tag = etag_for(nc)
    assert re.fullmatch(rf'"improvement\.nonconformity-{nc.pk}-\d{{16,}}"', tag)
    assert version_token(nc) == tag.strip('"')


def test_a_model_without_updated_at_is_versioned_by_its_values(personas):
    user = personas.manager
    before = etag_for(user)
    user.full_name = "Someone Else"
    assert etag_for(user) != before
    assert etag_for(user).startswith(f'"accounts.user-{user.pk}-')


def test_if_match_values_that_are_not_our_etags_are_refused():
    assert concurrency.parse_tags('"a.b-1-2", W/"c.d-3-4"') == ({"a.b-1": "2", "c.d-3": "4"}, False)
    assert concurrency.parse_tags("*") == ({}, True)
    assert concurrency.parse_tags('"nonsense"') is None


# --- the service layer -----------------------------------------------------------------------


def test_an_update_reads_under_the_lock_and_keeps_what_others_changed(personas):
    nc = make_nc(personas.org)
    stale = Nonconformity.objects.get(pk=nc.pk)
    update_entry(spec_of_nc(), nc, actor=personas.manager, title="Changed by the first")
    update_entry(spec_of_nc(), stale, actor=personas.manager, severity="major")
    nc.refresh_from_db()
    assert (nc.title, nc.severity) == ("Changed by the first", "major")
    last = (
        ActivityEntry.objects.filter(
            object_type="improvement.nonconformity", object_id=str(nc.pk), action="update"
        )
        .order_by("-seq")
        .first()
    )
    # The before-values are the ones read under the lock, and only the changed field is named.
    assert list(last.changes) == ["severity"]
    assert last.changes["severity"][1] == "major"


def test_save_changed_writes_only_the_changed_fields(personas, django_assert_num_queries):
    nc = make_nc(personas.org)
    with transaction.atomic():
        lock_for_update(nc)
        nc.title = "New title"
        assert save_changed(nc) == ["title"]
    with transaction.atomic():
        lock_for_update(nc)
        assert save_changed(nc) == []


def test_a_stale_version_is_refused_naming_fields_who_and_when(personas):
    nc = make_nc(personas.org)
    old = version_token(nc)
    update_entry(spec_of_nc(), nc, actor=personas.manager, title="Theirs", severity="minor")
    stale = Nonconformity.objects.get(pk=nc.pk)
    with precondition(old), pytest.raises(PreconditionFailed) as refused:
        update_entry(spec_of_nc(), stale, actor=personas.manager, description="Mine")
    message = refused.value.message
    assert "severity, title" in message
    assert personas.manager.email in message
    assert "UTC" in message
    assert refused.value.status == 412 and refused.value.code == "stale_version"
    assert refused.value.current == etag_for(Nonconformity.objects.get(pk=nc.pk))
    nc.refresh_from_db()
    assert nc.description != "Mine"


def test_the_current_version_is_accepted(personas):
    nc = make_nc(personas.org)
    with precondition(version_token(nc)):
        update_entry(spec_of_nc(), nc, actor=personas.manager, title="Fine")
        # A second write of the same record in the same request is no conflict.
        update_entry(spec_of_nc(), nc, actor=personas.manager, severity="minor")
    nc.refresh_from_db()
    assert (nc.title, nc.severity) == ("Fine", "minor")


# --- the API ---------------------------------------------------------------------------------


def test_reads_and_writes_carry_an_etag_that_changes_with_each_write(client, personas):
    nc = make_nc(personas.org)
    login(client, personas.manager)
    read = client.get(f"{API}/{nc.pk}/")
    assert read["ETag"] == etag_for(nc)
    written = patch(client, f"{API}/{nc.pk}/", {"title": "Renamed"}, read["ETag"])
    assert written.status_code == 200
    assert written["ETag"] != read["ETag"]
    assert written["ETag"] == client.get(f"{API}/{nc.pk}/")["ETag"]


def test_a_stale_if_match_gets_412_and_writes_nothing(client, personas):
    nc = make_nc(personas.org)
    login(client, personas.manager)
    etag = client.get(f"{API}/{nc.pk}/")["ETag"]
    other = personas.users[Role.CONSULTANT]
    update_entry(spec_of_nc(), nc, actor=other, title="Changed meanwhile")
    count = entries_of(nc)
    response = patch(client, f"{API}/{nc.pk}/", {"description": "Mine"}, etag)
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "stale_version"
    assert "title" in body["detail"] and other.email in body["detail"]
    assert response["ETag"] == etag_for(Nonconformity.objects.get(pk=nc.pk))
    assert entries_of(nc) == count
    assert Nonconformity.objects.get(pk=nc.pk).description != "Mine"


def test_a_patch_without_if_match_still_works(client, personas):
    nc = make_nc(personas.org)
    login(client, personas.manager)
    assert patch(client, f"{API}/{nc.pk}/", {"severity": "minor"}).status_code == 200


def test_if_match_star_and_unknown_values(client, personas):
    nc = make_nc(personas.org)
    login(client, personas.manager)
    assert patch(client, f"{API}/{nc.pk}/", {"severity": "minor"}, "*").status_code == 200
    bad = patch(client, f"{API}/{nc.pk}/", {"severity": "major"}, "yesterday")
    assert bad.status_code == 412 and bad.json()["code"] == "bad_precondition"


def test_412_is_documented_on_write_operations():
    from pdca.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/nonconformities/{entry_id}/"]["patch"]
    assert 412 in operation["responses"]


# --- pages -----------------------------------------------------------------------------------


def _edit_data(nc, **changes):
    return {
        "reference": nc.reference,
        "title": nc.title,
        "description": nc.description,
        "source": nc.source,
        **changes,
    }


def test_the_register_form_carries_the_version(client, personas):
    nc = make_nc(personas.org)
    login(client, personas.manager)
    page = client.get(f"/nonconformities/{nc.pk}/edit/")
    assert f'name="_version" value="{version_token(nc)}"' in page.content.decode()


def test_a_stale_form_shows_who_changed_what_and_writes_nothing(client, personas):
    nc = make_nc(personas.org)
    login(client, personas.manager)
    shown = version_token(nc)
    other = personas.users[Role.CONSULTANT]
    update_entry(spec_of_nc(), nc, actor=other, title="Their title")
    count = entries_of(nc)
    data = _edit_data(nc, title="My title", _version=shown)
    response = client.post(f"/nonconformities/{nc.pk}/edit/", data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Someone else changed this" in text and other.email in text and "title" in text
    nc.refresh_from_db()
    assert nc.title == "Their title"
    assert entries_of(nc) == count
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert f'name="_version" value="{version_token(nc)}"' in text


def test_a_current_form_saves(client, personas):
    nc = make_nc(personas.org)
    login(client, personas.manager)
    data = _edit_data(nc, title="My title", _version=version_token(nc))
    response = client.post(f"/nonconformities/{nc.pk}/edit/", data)
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.title == "My title"
