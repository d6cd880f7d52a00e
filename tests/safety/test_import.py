"""A bad workbook writes nothing; a good one round-trips."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from pdca.core.exceptions import ValidationFailed
from pdca.core.registers.spreadsheet import export_entries, import_entries
from pdca.safety.models import Hazard
from pdca.safety.registers import HAZARDS
from tests.safety.factories import make_hazard

pytestmark = pytest.mark.django_db


def _workbook(personas):
    make_hazard(personas.org, 1)
    data = export_entries(
        HAZARDS, Hazard.objects.filter(organization=personas.org), organization=personas.org
    )
    return load_workbook(io.BytesIO(data))


def _save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_bad_import_writes_nothing(personas):
    workbook = _workbook(personas)
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    row = [None] * len(headers)
    row[headers.index("Title")] = "Noise at the saw"
    row[headers.index("Activity")] = "Cutting"
    row[headers.index("Hazard type")] = "physical"
    row[headers.index("Likelihood before")] = 9  # off the scale
    sheet.append(row)
    second = list(row)
    second[headers.index("Title")] = "Good row"
    second[headers.index("Likelihood before")] = None
    sheet.append(second)
    before = Hazard.objects.count()
    with pytest.raises(ValidationFailed):
        import_entries(HAZARDS, personas.org, _save(workbook), actor=personas.manager)
    assert Hazard.objects.count() == before


def test_the_export_imports_back_unchanged(personas):
    workbook = _workbook(personas)
    summary = import_entries(HAZARDS, personas.org, _save(workbook), actor=personas.manager)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)


def test_incidents_export_their_time_locally_and_import_it_back_unchanged(personas):
    from django.utils import timezone

    from pdca.safety.models import Incident
    from pdca.safety.registers import INCIDENTS
    from tests.safety.factories import make_incident

    when = timezone.now().replace(second=0, microsecond=0)
    incident = make_incident(personas.org, 1, occurred_at=when)
    data = export_entries(
        INCIDENTS, Incident.objects.filter(pk=incident.pk), organization=personas.org
    )
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    column = next(i for i, h in enumerate(headers) if h and "happen" in h.lower())
    cell = sheet[2][column]
    assert cell.value == timezone.localtime(when).replace(tzinfo=None)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    summary = import_entries(INCIDENTS, personas.org, data, actor=personas.manager)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    incident.refresh_from_db()
    assert incident.occurred_at == when
