"""The food registers' XLSX round trip: an export imports back unchanged, and a workbook with
one bad row writes nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from pdca.core.exceptions import ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.registers.spreadsheet import export_entries, import_entries
from pdca.food.models import HazardAnalysis, HazardControlPlan, PrerequisiteProgramme
from pdca.food.registers import CONTROL_PLAN, HAZARDS, PREREQUISITE_PROGRAMMES
from tests.food.factories import make_hazard, make_plan, make_programme

pytestmark = pytest.mark.django_db


def _workbook(spec, org) -> bytes:
    return export_entries(spec, spec.model.objects.filter(organization=org), organization=org)


def test_an_export_imports_back_unchanged(personas):
    org = personas.org
    make_programme(org)
    hazard = make_hazard(org)
    plan = make_plan(org)
    plan.hazards.add(hazard)
    for spec in (PREREQUISITE_PROGRAMMES, HAZARDS, CONTROL_PLAN):
        summary = import_entries(spec, org, _workbook(spec, org), actor=personas.manager)
        assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1), spec.slug


def _with_rows(spec, org, change_good, change_bad) -> bytes:
    book = load_workbook(io.BytesIO(_workbook(spec, org)))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    good = list(next(sheet.iter_rows(min_row=2, values_only=True)))
    good[0] = None  # a new row
    change_good(good, headers)
    bad = list(good)
    change_bad(bad, headers)
    sheet.append(good)
    sheet.append(bad)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("spec", "make", "model", "column", "value"),
    [
        (PREREQUISITE_PROGRAMMES, make_programme, PrerequisiteProgramme, "Category", "Astrology"),
        (HAZARDS, make_hazard, HazardAnalysis, "Likelihood", 9),
        (CONTROL_PLAN, make_plan, HazardControlPlan, "Lower limit", None),
    ],
)
def test_a_bad_import_writes_nothing(personas, spec, make, model, column, value):
    org = personas.org
    make(org, 1)

    def good(row, headers):
        key = spec.model_field(spec.key_field).verbose_name
        for i, h in enumerate(headers):
            if str(h).lower() == str(key).lower():
                row[i] = f"{row[i]} (copy)"[:20] if spec is CONTROL_PLAN else f"{row[i]} (copy)"

    def bad(row, headers):
        index = [str(h).lower() for h in headers].index(column.lower())
        row[index] = value
        good(row, headers)

    data = _with_rows(spec, org, good, bad)
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        import_entries(spec, org, data, actor=personas.manager)
    assert any("!" in e.field for e in caught.value.errors)
    assert model.objects.filter(organization=org).count() == 1
    assert ActivityEntry.objects.count() == entries
