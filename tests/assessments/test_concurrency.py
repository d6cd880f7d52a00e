"""Gap items edited by several people at once: the row carries its version, a stale row save
or API change is refused naming who changed what, and nothing is written (see
docs/concurrency.md; the threaded PostgreSQL run is in tests/core/test_concurrency_postgres.py)."""

from __future__ import annotations

from pdca.assessments.models import GapItem
from pdca.assessments.services import update_item
from pdca.core.concurrency import etag_for, version_token
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from tests.assessments.test_views import (  # noqa: F401  (the fixture is used by name)
    HTMX,
    assessment,
    detail,
    item_edit,
    row_values,
)


def test_each_row_carries_its_version(client, personas, assessment):  # noqa: F811
    item = assessment.items.order_by("sort_key").first()
    login(client, personas.manager)
    html = client.get(detail(assessment)).content.decode()
    assert f'name="_version" value="{version_token(item)}"' in html


def test_a_stale_row_save_is_refused_naming_the_change(client, personas, assessment):  # noqa: F811
    item = assessment.items.order_by("sort_key").first()
    login(client, personas.manager)
    shown = version_token(item)
    other = personas.users[Role.CONSULTANT]
    update_item(item, notes="Written by the consultant", actor=other)
    entries = ActivityEntry.objects.count()
    stale = GapItem.objects.get(pk=item.pk)
    stale.notes = ""  # what the page still shows
    data = {**row_values(stale, status="implemented"), "_version": shown}

    response = client.post(item_edit(item), data, **HTMX)

    row = response.content.decode().split("</tr>")[0]
    assert "Someone else changed this" in row and other.email in row and "notes" in row
    item.refresh_from_db()
    assert (item.status, item.notes) == ("not_started", "Written by the consultant")
    assert ActivityEntry.objects.count() == entries
    # The row shown again carries the current version: the next change is deliberate.
    assert f'name="_version" value="{version_token(item)}"' in row


def test_a_row_saved_again_before_its_first_save_came_back_is_not_a_conflict(
    client,
    personas,
    assessment,  # noqa: F811
):
    # Autosave: the owner's second field is sent with the version the row had before the
    # answer to the first save arrived. Their own change is no conflict; someone else's is.
    item = assessment.items.order_by("sort_key").first()
    login(client, personas.manager)
    shown = version_token(item)
    first = {**row_values(item, status="partial"), "_version": shown}
    assert client.post(item_edit(item), first, **HTMX).status_code == 200
    item.refresh_from_db()
    second = {**row_values(item, notes="Procedure drafted"), "_version": shown}
    response = client.post(item_edit(item), second, **HTMX)
    assert "Someone else changed this" not in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.notes) == ("partial", "Procedure drafted")
    update_item(item, notes="The consultant's", actor=personas.users[Role.CONSULTANT])
    third = {**row_values(item, status="implemented"), "_version": shown}
    refused = client.post(item_edit(item), third, **HTMX).content.decode()
    assert "Someone else changed this" in refused
    item.refresh_from_db()
    assert item.status == "partial"


def test_a_current_row_save_is_accepted(client, personas, assessment):  # noqa: F811
    item = assessment.items.order_by("sort_key").first()
    login(client, personas.manager)
    data = {**row_values(item, status="implemented"), "_version": version_token(item)}
    assert client.post(item_edit(item), data, **HTMX).status_code == 200
    item.refresh_from_db()
    assert item.status == "implemented"


def test_the_api_sends_an_etag_and_refuses_a_stale_if_match(client, personas, assessment):  # noqa: F811
    item = assessment.items.order_by("sort_key").first()
    login(client, personas.manager)
    url = f"/api/v1/gap-items/{item.pk}/"
    etag = client.get(url)["ETag"]
    assert etag == etag_for(item)
    first = client.patch(
        url, {"notes": "Mine"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200 and first["ETag"] != etag
    second = client.patch(
        url, {"evidence": "Late"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert second.status_code == 412
    assert "notes" in second.json()["detail"] and personas.manager.email in second.json()["detail"]
    item.refresh_from_db()
    assert (item.notes, item.evidence) == ("Mine", "")
