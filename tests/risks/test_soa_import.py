"""The SoA's XLSX import: the exported workbook edited and read back, all or nothing, with
every bad cell named; and the import page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.jobs.models import Job
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.risks.models import ControlApplicability
from pdca.risks.soa import export as soa_export
from pdca.risks.soa import services
from pdca.risks.soa.imports import import_soa
from tests.risks.test_soa_services import standard

pytestmark = pytest.mark.usefixtures("catalog")

#: Columns of the Lines sheet.
APPLICABLE, JUSTIFICATION, STATUS, OWNER, NOTES, CONTROL = "D", "E", "F", "G", "I", "A"


@pytest.fixture
def soa(personas):
    return services.create_soa(personas.org, standard(), actor=personas.manager)


def edited(soa, cells: dict[str, object]) -> bytes:
    """The draft export with `cells` (e.g. {"D10": "Yes"}) changed."""
    workbook = load_workbook(io.BytesIO(soa_export.soa_xlsx(soa)))
    sheet = workbook["Lines"]
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def state(soa) -> list[tuple]:
    return list(
        soa.lines.order_by("control__sort_key").values_list(
            "applicable", "justification", "implementation", "owner_id", "notes"
        )
    )


def test_an_edited_workbook_is_applied(personas, soa):
    owner = personas.users[Role.PROCESS_OWNER]
    data = edited(
        soa,
        {
            "D10": "Yes",
            "E10": "The policy frames every other rule.",
            "F10": "Implemented",
            "G10": owner.email.upper(),
            "I10": "Signed 2026-01",
            "D11": "no",
            "E11": "Roles are set by the parent company.",
            "F11": "planned",
        },
    )
    summary = import_soa(soa, data, actor=personas.manager)
    assert (summary.rows, summary.changed, summary.unchanged) == (93, ["A.5.1", "A.5.2"], 91)
    a, b = state(soa)[:2]
    assert a == (
        True,
        "The policy frames every other rule.",
        "implemented",
        owner.pk,
        "Signed 2026-01",
    )
    assert b == (False, "Roles are set by the parent company.", "planned", None, "")
    assert ActivityEntry.objects.filter(action="update").count() == 2


def test_bad_cells_are_named_and_nothing_is_written(personas, soa):
    before = state(soa)
    entries = ActivityEntry.objects.count()
    data = edited(
        soa,
        {
            "D10": "Perhaps",
            "F11": "Finished",
            "G12": "nobody@nowhere.example",
            "A13": "A.9.9",
            "D14": "Yes",  # decided without a justification: the service's rule
            "D15": "No",
            "E15": "Not needed.",
            "F15": "Implemented",  # excluded yet implemented
        },
    )
    with pytest.raises(ValidationFailed) as caught:
        import_soa(soa, data, actor=personas.manager)
    fields = [e.field for e in caught.value.errors]
    assert fields[:4] == ["Lines!D10", "Lines!F11", "Lines!G12", "Lines!A13"]
    assert "'Perhaps' is not Yes or No" in caught.value.errors[0].message
    assert "nobody@nowhere.example is not an active member" in caught.value.errors[2].message
    assert "A.9.9 is not a control of this SoA" in caught.value.errors[3].message
    assert state(soa) == before
    assert ActivityEntry.objects.count() == entries

    # The cells the service refuses are named too, once the others are fixed.
    data = edited(soa, {"D14": "Yes", "D15": "No", "E15": "Not needed.", "F15": "Implemented"})
    with pytest.raises(ValidationFailed) as caught:
        import_soa(soa, data, actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["Lines!E14", "Lines!F15"]
    assert state(soa) == before


def test_a_duplicated_control_row_is_refused(personas, soa):
    data = edited(soa, {"A11": "A.5.1"})
    with pytest.raises(ValidationFailed) as caught:
        import_soa(soa, data, actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["Lines!A11"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"not a workbook", "This is not an XLSX workbook"),
        (b"x" * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_on_file(personas, soa, data, says):
    with pytest.raises(ValidationFailed) as caught:
        import_soa(soa, data, actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["file"]
    assert says in caught.value.errors[0].message


def test_a_zip_bomb_is_refused(personas, soa):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<x/>")
        archive.writestr("xl/big.xml", "0" * (101 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as caught:
        import_soa(soa, buffer.getvalue(), actor=personas.manager)
    assert "too large once unpacked" in caught.value.errors[0].message


def test_a_workbook_without_the_lines_sheet_or_header_is_refused(personas, soa):
    workbook = Workbook()
    workbook.active.title = "Other"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationFailed) as caught:
        import_soa(soa, buffer.getvalue(), actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["Lines"]
    workbook.active.title = "Lines"
    workbook.active["A1"] = "Something else"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationFailed) as caught:
        import_soa(soa, buffer.getvalue(), actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["Lines!A1:A30"]


def test_a_process_owner_imports_own_lines_only(personas, soa):
    owner = personas.users[Role.PROCESS_OWNER]
    ControlApplicability.objects.filter(soa=soa, control__number="A.5.1").update(owner=owner)
    data = edited(soa, {"F10": "Planned", "F11": "Planned"})
    with pytest.raises(ValidationFailed) as caught:
        import_soa(soa, data, actor=owner)
    assert [e.field for e in caught.value.errors] == ["Lines!A11"]
    assert soa.lines.filter(implementation="planned").count() == 0
    data = edited(soa, {"F10": "Planned"})
    assert import_soa(soa, data, actor=owner).changed == ["A.5.1"]


def test_an_employee_changes_nothing(personas, soa):
    data = edited(soa, {"F10": "Planned"})
    with pytest.raises(ValidationFailed) as caught:
        import_soa(soa, data, actor=personas.employee)
    assert [e.field for e in caught.value.errors] == ["Lines!A10"]
    with pytest.raises(PermissionDenied):
        import_soa(soa, data, actor=personas.outsider)


def test_the_import_page(client, personas, soa):
    """The page queues a job and sends the member to its page: every bad cell listed there
    and nothing saved, or the lines saved."""
    login(client, personas.manager)
    page = reverse("risks:soa-import", args=[soa.pk])
    assert client.get(page).status_code == 200
    bad = SimpleUploadedFile("soa.xlsx", edited(soa, {"D10": "Perhaps"}))
    response = client.post(page, {"file": bad}, follow=True)
    job = Job.objects.get(kind="soa_import")
    assert response.redirect_chain == [(reverse("jobs:detail", args=[job.pk]), 302)]
    html = response.content.decode()
    assert "Nothing was imported: 1 problem needs fixing." in html
    assert '<td class="text-nowrap font-monospace">Lines!D10</td>' in html
    assert soa.lines.get(control__number="A.5.1").applicable is not True
    good = SimpleUploadedFile("soa.xlsx", edited(soa, {"D10": "Yes", "E10": "Needed."}))
    response = client.post(page, {"file": good}, follow=True)
    assert "Imported: " in response.content.decode()
    assert soa.lines.get(control__number="A.5.1").applicable is True
    junk = SimpleUploadedFile("soa.xlsx", b"junk")
    html = client.post(page, {"file": junk}, follow=True).content.decode()
    assert "Nothing was imported: the file cannot be read as a workbook." in html
    assert "This is not an XLSX workbook" in html
