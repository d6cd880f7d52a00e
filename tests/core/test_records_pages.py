"""What people see of records on the register pages: no Delete for a record, no Edit or
"Raise a risk" for a closed one, archiving with a reason, the archived banner and the list
filter, restoring, and the records and retention page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pdca.core.models import ActivityEntry, RetentionPeriod
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.system.models import Process
from tests.improvement.factories import S, drive, make_cast

pytestmark = pytest.mark.django_db


def _detail(nc):
    return reverse("improvement:nonconformities-detail", args=[nc.pk])


def test_a_closed_nonconformity_offers_no_edit_delete_or_raise_a_risk(client, personas, catalog):
    cast = make_cast(personas)
    nc = drive(cast, S.CLOSED)
    login(client, cast.manager)
    page = client.get(_detail(nc)).content.decode()
    assert f"nonconformities/{nc.pk}/edit/" not in page
    assert f"nonconformities/{nc.pk}/delete/" not in page
    assert "Raise a risk from it" not in page
    assert "is a record (it is closed)" in page
    assert f"nonconformities/{nc.pk}/archive/" in page
    # The pages refuse what they no longer offer, and write nothing.
    entries = ActivityEntry.objects.count()
    edit = client.get(reverse("improvement:nonconformities-edit", args=[nc.pk]), follow=True)
    assert "cannot be changed: it is closed" in edit.content.decode()
    delete = client.post(reverse("improvement:nonconformities-delete", args=[nc.pk]), follow=True)
    assert "is a record" in delete.content.decode()
    risk = client.post(reverse("improvement:raise-risk", args=[nc.pk]), follow=True)
    assert risk.status_code in (200, 409)
    nc.refresh_from_db()
    assert nc.risk_id is None
    assert ActivityEntry.objects.count() == entries


def test_an_open_nonconformity_still_offers_edit_and_delete(client, personas, catalog):
    cast = make_cast(personas)
    nc = drive(cast, S.TRIAGED)
    login(client, cast.manager)
    page = client.get(_detail(nc)).content.decode()
    assert f"nonconformities/{nc.pk}/edit/" in page
    assert f"nonconformities/{nc.pk}/delete/" in page


def test_deleting_a_process_that_a_closed_nonconformity_names_is_refused(client, personas, catalog):
    cast = make_cast(personas)
    drive(cast, S.CLOSED)
    login(client, cast.manager)
    url = reverse("workspace:processes-delete", args=[cast.process.pk])
    response = client.post(url, follow=True)
    assert "a record" in response.content.decode()
    assert Process.objects.filter(pk=cast.process.pk).exists()
    api = client.delete(f"/api/v1/processes/{cast.process.pk}/")
    assert api.status_code == 409
    assert api.json()["code"] == "is_record"


def test_archiving_on_the_page_asks_a_reason_then_hides_the_entry_until_restored(client, personas):
    process = Process.objects.create(organization=personas.org, code="P-09", name="Old line")
    login(client, personas.manager)
    archive = reverse("workspace:processes-archive", args=[process.pk])
    assert client.get(archive).status_code == 200
    refused = client.post(archive, {"reason": " "})
    assert refused.status_code == 422
    assert "Say why" in refused.content.decode()
    process.refresh_from_db()
    assert process.archived_at is None
    response = client.post(archive, {"reason": "Line sold"}, follow=True)
    page = response.content.decode()
    assert "Archived" in page and "Line sold" in page
    assert "/edit/" not in page.split("</h1>")[1].split("</div>")[0]
    listing = reverse("workspace:processes-list")
    assert "Old line" not in client.get(listing).content.decode()
    assert "Old line" in client.get(listing, {"archived": "yes"}).content.decode()
    assert "Old line" in client.get(listing, {"archived": "all"}).content.decode()
    client.post(reverse("workspace:processes-restore", args=[process.pk]))
    process.refresh_from_db()
    assert process.archived_at is None
    assert "Old line" in client.get(listing).content.decode()


def test_an_employee_may_not_archive(client, personas):
    process = Process.objects.create(organization=personas.org, code="P-09", name="Old line")
    login(client, personas.employee)
    archive = reverse("workspace:processes-archive", args=[process.pk])
    assert client.post(archive, {"reason": "No"}).status_code in (403, 404)
    login(client, personas.outsider)
    assert client.post(archive, {"reason": "No"}).status_code == 404
    process.refresh_from_db()
    assert process.archived_at is None


def test_the_records_page_sets_retention_and_lists_what_may_be_disposed_of(client, personas):
    process = Process.objects.create(organization=personas.org, code="P-09", name="Old line")
    Process.objects.filter(pk=process.pk).update(
        archived_at=timezone.now() - dt.timedelta(days=365 * 5),
        archived_by=personas.manager,
        archive_reason="Line sold",
    )
    login(client, personas.manager)
    url = reverse("web:records")
    page = client.get(url).content.decode()
    assert "Old line" in page and "Processes and responsibilities" in page
    bad = client.post(url, {"record_type": "process", "years": "0"})
    assert bad.status_code == 422
    assert not RetentionPeriod.objects.exists()
    client.post(url, {"record_type": "process", "years": "10"})
    assert RetentionPeriod.objects.get(organization=personas.org, record_type="process").years == 10
    assert "Old line" not in client.get(url).content.decode()
    detail = client.get(reverse("workspace:processes-detail", args=[process.pk])).content.decode()
    assert "Kept until" in detail and "Dispose of" not in detail


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.PROCESS_OWNER])
def test_the_records_page_is_for_those_who_oversee_the_system(client, personas, role):
    login(client, personas.users[role])
    assert client.get(reverse("web:records")).status_code == 403
    login(client, personas.users[Role.TOP_MANAGEMENT])
    assert client.get(reverse("web:records")).status_code == 200
    response = client.post(reverse("web:records"), {"record_type": "process", "years": "9"})
    assert response.status_code == 403
    assert not RetentionPeriod.objects.exists()
