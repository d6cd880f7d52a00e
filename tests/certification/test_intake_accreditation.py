"""Whether the body's accredited scopes cover standards and sectors on a day
(`check_accreditation`), and sector codes as people type them (`split_codes`)."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.certification.services.accreditation import check_accreditation, split_codes
from tests.certification.factories import TODAY, make_cb_personas, make_scope, standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(db):
    return make_cb_personas()


@pytest.mark.parametrize(
    ("text", "codes"),
    [("17, 19 ;28", ["17", "19", "28"]), ("", []), (" ; , ", []), ("EA 28", ["EA 28"])],
)
def test_split_codes(text, codes):
    assert split_codes(text) == codes


def test_a_scope_without_sectors_covers_every_sector(personas):
    make_scope(personas.cb, "iso9001-2015")
    check = check_accreditation(personas.cb, [standard("iso9001-2015")], "17, 28", TODAY)
    assert check.accredited
    assert check.reason == "Covered by the accredited scopes"


def test_sectors_outside_the_scope_are_named(personas):
    make_scope(personas.cb, "iso9001-2015", sector_codes="17, 19")
    check = check_accreditation(personas.cb, [standard("iso9001-2015")], "17, 28", TODAY)
    assert not check.accredited
    assert check.missing == ("ISO 9001:2015, sector 28",)
    assert "sector 28" in check.reason


def test_a_standard_without_scope_is_named(personas):
    make_scope(personas.cb, "iso9001-2015")
    check = check_accreditation(
        personas.cb, [standard("iso9001-2015"), standard("iso14001-2015")], "", TODAY
    )
    assert check.missing == ("ISO 14001:2015",)


def test_validity_dates_and_archived_scopes_count(personas):
    iso9001 = standard("iso9001-2015")
    make_scope(
        personas.cb,
        iso9001,
        valid_from=TODAY - dt.timedelta(days=100),
        valid_until=TODAY - dt.timedelta(days=1),
    )
    assert not check_accreditation(personas.cb, [iso9001], "", TODAY).accredited
    assert check_accreditation(personas.cb, [iso9001], "", TODAY - dt.timedelta(days=1)).accredited
    scope = make_scope(personas.cb, iso9001)
    assert check_accreditation(personas.cb, [iso9001], "", TODAY).accredited
    scope.archived_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    scope.save()
    assert not check_accreditation(personas.cb, [iso9001], "", TODAY).accredited


def test_another_bodys_scope_does_not_count(personas):
    make_scope(personas.other, "iso9001-2015")
    assert not check_accreditation(personas.cb, [standard("iso9001-2015")], "", TODAY).accredited
