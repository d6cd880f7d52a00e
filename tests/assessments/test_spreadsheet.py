"""The XLSX round trip of a gap assessment: export, edit in a spreadsheet, import back.

Every bad cell is reported as Sheet!A1 and then nothing is written; good files change only the
rows that changed, through the same rule (and permission check and activity log) as the page.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from pdca.assessments import spreadsheet
from pdca.assessments.models import GapItem
from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.jobs.models import Job
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from tests.assessments.filedata import (
    item_for,
    make_assessment,
    row_of,
    save,
    set_cell,
    state,
    workbook_of,
)

#: Implementers change any item, process owners their own: both may import.
IMPORTERS = {Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.PROCESS_OWNER}
HEADERS = [
    "ID",
    "Standards",
    "Requirement",
    "Title",
    "Status",
    "Owner e-mail",
    "Target date",
    "Notes",
    "Justification",
    "Evidence",
]


@pytest.fixture
def assessment(personas, catalog):
    return make_assessment(personas)


@pytest.fixture
def exported(assessment):
    return workbook_of(spreadsheet.export_assessment(assessment))


def errors_of(exc_info) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in exc_info.value.errors]


def item_entries(since: int) -> list[ActivityEntry]:
    return list(
        ActivityEntry.objects.filter(pk__gt=since, object_type="assessments.gapitem").order_by("pk")
    )


def last_entry_id() -> int:
    last = ActivityEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


# --- export -------------------------------------------------------------------------------


def test_the_export_has_one_row_per_item_under_the_documented_header(assessment, exported):
    assert exported.sheetnames == ["Items", "Help", "About", "Lists"]
    sheet = exported["Items"]
    assert [c.value for c in sheet[1]] == HEADERS
    items = list(assessment.items.order_by("sort_key", "pk"))
    assert sheet.max_row == len(items) + 1
    assert [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)] == [
        i.pk for i in items
    ]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:J{len(items) + 1}"
    assert sheet.protection.sheet is True
    assert exported["Lists"].sheet_state == "hidden"


def test_a_shared_item_lists_every_standard_it_covers(assessment, exported):
    item = item_for(assessment, "iso9001-2015", "7.2")
    sheet = exported["Items"]
    row = row_of(sheet, item.pk)
    assert [sheet.cell(row, c).value for c in range(2, 6)] == [
        "ISO 9001 7.2; ISO/IEC 27001 7.2",
        "7.2",
        "Competence",
        "Not started",
    ]


def test_only_the_editable_columns_are_unlocked_and_the_others_are_grey(exported):
    sheet = exported["Items"]
    locked = [sheet.cell(2, c).protection.locked for c in range(1, 11)]
    assert locked == [True, True, True, True, False, False, False, False, False, False]
    assert sheet["A2"].fill.fgColor.rgb.endswith("E7E9EC")
    assert sheet["E2"].fill.fill_type is None


def test_the_status_column_offers_the_statuses_and_the_owner_column_the_members(
    assessment, exported
):
    validations = {str(v.sqref): v for v in exported["Items"].data_validations.dataValidation}
    last = assessment.items.count() + 1
    status = validations[f"E2:E{last}"]
    assert status.formula1 == '"Not started,Planned,Partial,Implemented,Not applicable"'
    owner = validations[f"F2:F{last}"]
    members = [c.value for c in exported["Lists"]["A"]][1:]
    assert owner.formula1 == f"Lists!$A$2:$A${len(members) + 1}"
    assert sorted(members) == sorted(f"{role}@a.example" for role in ORGANIZATION_ROLES)


def test_values_are_exported_as_typed_cells_without_control_characters(personas, assessment):
    item = item_for(assessment, "iso9001-2015", "5.1.1")
    GapItem.objects.filter(pk=item.pk).update(
        status=GapItem.Status.PARTIAL,
        owner=personas.users[Role.PROCESS_OWNER],
        target_date=dt.date(2030, 1, 31),
        notes="=SUM(A1)\x07 bell\nsecond line",
        evidence="https://intranet.example/policy",
    )
    sheet = workbook_of(spreadsheet.export_assessment(assessment))["Items"]
    row = row_of(sheet, item.pk)
    assert sheet.cell(row, 5).value == "Partial"
    assert sheet.cell(row, 6).value == "process_owner@a.example"
    assert sheet.cell(row, 7).value == dt.datetime(2030, 1, 31)
    assert sheet.cell(row, 7).is_date
    assert sheet.cell(row, 8).value == "'=SUM(A1) bell\nsecond line"  # marked as text
    assert sheet.cell(row, 8).data_type == "s"
    assert sheet.cell(row, 10).value == "https://intranet.example/policy"


def test_the_about_sheet_names_the_assessment(assessment, exported):
    about = {row[0]: row[1] for row in exported["About"].iter_rows(values_only=True)}
    assert about["Assessment id"] == assessment.pk
    assert about["Assessment"] == "IMS baseline"
    assert about["Organization"] == "Org A"
    assert about["Format"] == "pdca gap assessment 1"


# --- import: good files ---------------------------------------------------------------------


def test_importing_the_export_unchanged_changes_nothing(personas, assessment):
    data = spreadsheet.export_assessment(assessment)
    before = state(assessment)
    summary = spreadsheet.import_assessment(assessment, data, actor=personas.manager)
    count = assessment.items.count()
    assert summary.as_dict() == {"rows": count, "changed": 0, "unchanged": count, "changed_ids": []}
    assert state(assessment) == before


def test_edited_cells_change_their_items_and_are_logged(personas, assessment, exported):
    owner = personas.users[Role.PROCESS_OWNER]
    a = item_for(assessment, "iso9001-2015", "7.2")
    b = item_for(assessment, "iso27001-2022", "A.5.1")
    c = item_for(assessment, "iso9001-2015", "8.3.1")
    sheet = exported["Items"]
    set_cell(sheet, a.pk, "Status", "Implemented")
    set_cell(sheet, a.pk, "Evidence", "QP-07 Competence procedure")
    set_cell(sheet, b.pk, "Owner e-mail", "Process_Owner@A.example ")
    set_cell(sheet, b.pk, "Target date", dt.date(2030, 6, 30))
    set_cell(sheet, b.pk, "Status", "planned")
    set_cell(sheet, c.pk, "Status", "N/A")
    set_cell(sheet, c.pk, "Justification", "We design nothing: we resell.")
    set_cell(sheet, c.pk, "Notes", "  checked with sales  ")
    since = last_entry_id()

    summary = spreadsheet.import_assessment(assessment, save(exported), actor=personas.manager)

    assert (summary.changed, summary.unchanged) == (3, assessment.items.count() - 3)
    assert sorted(summary.changed_ids) == sorted([a.pk, b.pk, c.pk])
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    assert (a.status, a.evidence) == ("implemented", "QP-07 Competence procedure")
    assert (b.status, b.owner, b.target_date) == ("planned", owner, dt.date(2030, 6, 30))
    assert (c.status, c.justification, c.notes) == (
        "not_applicable",
        "We design nothing: we resell.",
        "checked with sales",
    )
    entries = item_entries(since)
    assert sorted(e.object_id for e in entries) == sorted(str(i.pk) for i in (a, b, c))
    changes = {e.object_id: e.changes for e in entries}
    assert changes[str(b.pk)] == {
        "owner": [None, owner.pk],
        "status": ["not_started", "planned"],
        "target_date": [None, "2030-06-30"],
    }
    assert {e.actor_id for e in entries} == {personas.manager.pk}


def test_a_date_may_be_typed_as_text_and_an_owner_or_date_cleared(personas, assessment):
    item = item_for(assessment, "iso9001-2015", "9.2.1")
    GapItem.objects.filter(pk=item.pk).update(
        owner=personas.users[Role.PROCESS_OWNER], target_date=dt.date(2030, 1, 1)
    )
    workbook = workbook_of(spreadsheet.export_assessment(assessment))
    other = item_for(assessment, "iso9001-2015", "9.3.1")
    set_cell(workbook["Items"], item.pk, "Owner e-mail", None)
    set_cell(workbook["Items"], item.pk, "Target date", "")
    set_cell(workbook["Items"], other.pk, "Target date", "2031-02-28")
    summary = spreadsheet.import_assessment(assessment, save(workbook), actor=personas.manager)
    assert summary.changed == 2
    item.refresh_from_db()
    other.refresh_from_db()
    assert (item.owner, item.target_date) == (None, None)
    assert other.target_date == dt.date(2031, 2, 28)


def test_moved_columns_are_found_by_header_and_extra_and_catalog_columns_are_ignored(
    personas, assessment
):
    items = list(assessment.items.order_by("sort_key"))[:3]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Items"
    sheet.append(["My remarks", "status", "Title", "item id", "notes"])
    sheet.append(["call Ann", "Partial", "A new title", items[0].pk, "half done"])
    sheet.append([None, "not started", "Another title", items[1].pk, None])
    sheet.append([None, None, None, None, None])
    sheet.append(["x", "Implemented", None, items[2].pk, "done"])
    summary = spreadsheet.import_assessment(assessment, save(workbook), actor=personas.manager)
    assert (summary.rows, summary.changed, summary.unchanged) == (3, 2, 1)
    got = {
        i.pk: (i.status, i.notes, i.requirement.title)
        for i in assessment.items.filter(pk__in=[i.pk for i in items])
    }
    assert got == {
        items[0].pk: ("partial", "half done", items[0].requirement.title),
        items[1].pk: ("not_started", "", items[1].requirement.title),
        items[2].pk: ("implemented", "done", items[2].requirement.title),
    }


def test_a_process_owner_imports_changes_to_their_own_items(personas, assessment):
    owner = personas.users[Role.PROCESS_OWNER]
    item = item_for(assessment, "iso9001-2015", "7.2")
    GapItem.objects.filter(pk=item.pk).update(owner=owner)
    workbook = workbook_of(spreadsheet.export_assessment(assessment))
    set_cell(workbook["Items"], item.pk, "Status", "Partial")
    summary = spreadsheet.import_assessment(assessment, save(workbook), actor=owner)
    assert summary.changed_ids == [item.pk]
    item.refresh_from_db()
    assert item.status == "partial"


# --- import: bad files ------------------------------------------------------------------------


def test_every_bad_cell_is_reported_and_nothing_is_written(personas, assessment, exported):
    other = make_assessment(personas, ("iso14001-2015",), org=personas.other)
    stranger = other.items.order_by("pk").first()
    sheet = exported["Items"]
    a = item_for(assessment, "iso9001-2015", "4.1")
    b = item_for(assessment, "iso9001-2015", "7.2")
    c = item_for(assessment, "iso9001-2015", "8.3.1")
    d = item_for(assessment, "iso27001-2022", "A.5.1")
    good = item_for(assessment, "iso9001-2015", "10.3")
    set_cell(sheet, good.pk, "Status", "Implemented")  # good, but must not be written either
    status_cell = set_cell(sheet, a.pk, "Status", "done")
    owner_cell = set_cell(sheet, b.pk, "Owner e-mail", "nobody@nowhere.example")
    outsider_cell = set_cell(sheet, a.pk, "Owner e-mail", "manager@b.example")
    date_cell = set_cell(sheet, b.pk, "Target date", "next week")
    na_cell = set_cell(sheet, c.pk, "Status", "Not applicable")
    number_date_cell = set_cell(sheet, d.pk, "Target date", 45000)
    id_cell = f"Items!A{row_of(sheet, d.pk)}"
    sheet[id_cell.split("!")[1]].value = stranger.pk
    sheet.append([None, None, None, None, "Planned"])
    empty_id_cell = f"Items!A{sheet.max_row}"
    before = state(assessment)

    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, save(exported), actor=personas.manager)

    statuses = "Not started, Planned, Partial, Implemented, Not applicable"
    expected = {
        (status_cell, f"status 'done' is not one of {statuses}."),
        (outsider_cell, "owner 'manager@b.example' is not an active member of Org A."),
        (owner_cell, "owner 'nobody@nowhere.example' is not an active member of Org A."),
        (date_cell, "target date 'next week' is not a date: use a date cell or YYYY-MM-DD."),
        (
            na_cell.replace("!E", "!I"),
            "a Not applicable item needs a justification: say why it does not apply.",
        ),
        (id_cell, f"item {stranger.pk} is not in this assessment."),
        (
            empty_id_cell,
            "the ID is empty: rows are matched to items by ID, and new rows cannot create items.",
        ),
    }
    assert set(errors_of(exc_info)) == expected
    assert len(exc_info.value.errors) == len(expected)
    rows = [int(e.field.split("!")[1][1:]) for e in exc_info.value.errors]
    assert rows == sorted(rows)
    assert number_date_cell not in {e.field for e in exc_info.value.errors}  # never reached
    assert state(assessment) == before


def test_a_number_in_the_date_column_is_refused(personas, assessment, exported):
    item = item_for(assessment, "iso9001-2015", "4.2")
    cell = set_cell(exported["Items"], item.pk, "Target date", 45000)
    exported["Items"][cell.split("!")[1]].number_format = "General"  # a number, not a date
    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, save(exported), actor=personas.manager)
    assert errors_of(exc_info) == [
        (cell, "target date '45000' is not a date: use a date cell or YYYY-MM-DD.")
    ]


def test_a_number_in_a_date_formatted_cell_is_the_date_it_shows(personas, assessment, exported):
    item = item_for(assessment, "iso9001-2015", "4.2")
    set_cell(exported["Items"], item.pk, "Target date", 45000)  # the cell keeps its date format
    spreadsheet.import_assessment(assessment, save(exported), actor=personas.manager)
    item.refresh_from_db()
    assert item.target_date == dt.date(2023, 3, 15)


def test_an_impossible_date_and_an_empty_status_are_refused(personas, assessment, exported):
    item = item_for(assessment, "iso9001-2015", "4.2")
    date_cell = set_cell(exported["Items"], item.pk, "Target date", "2030-02-30")
    status_cell = set_cell(exported["Items"], item.pk, "Status", " ")
    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, save(exported), actor=personas.manager)
    assert [field for field, _ in errors_of(exc_info)] == [status_cell, date_cell]
    assert errors_of(exc_info)[0][1].startswith("status is empty: choose one of Not started")


def test_an_item_twice_is_reported_on_its_second_row(personas, assessment, exported):
    sheet = exported["Items"]
    first = sheet.cell(2, 1).value
    sheet.cell(3, 1).value = first
    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, save(exported), actor=personas.manager)
    assert errors_of(exc_info) == [("Items!A3", f"item {first} appears twice (also on row 2).")]


def test_a_sheet_without_an_id_column_is_refused(personas, assessment, exported):
    sheet = exported["Items"]
    sheet["A1"].value = "Ref"
    before = state(assessment)
    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, save(exported), actor=personas.manager)
    assert errors_of(exc_info) == [
        (
            "Items!1:1",
            "the header row has no 'ID' column: rows are matched to items by it. Export the "
            "assessment again and edit that file.",
        )
    ]
    assert state(assessment) == before


def test_a_workbook_without_an_items_sheet_is_refused(personas, assessment, exported):
    exported["Items"].title = "Sheet1"
    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, save(exported), actor=personas.manager)
    assert errors_of(exc_info) == [
        (
            "Items",
            "the workbook has no sheet named 'Items' (it has 'Sheet1', 'Help', 'About', 'Lists').",
        )
    ]


def test_the_export_of_another_assessment_is_refused(personas, assessment):
    second = make_assessment(personas, ("iso9001-2015",), name="Second")
    data = spreadsheet.export_assessment(second)
    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, data, actor=personas.manager)
    fields = [field for field, _ in errors_of(exc_info)]
    assert fields[0] == "About!B1"
    assert errors_of(exc_info)[0][1].startswith(
        f"this workbook was exported from assessment {second.pk}, not from this one"
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"ID,Status\n1,Implemented\n",
        b"%PDF-1.7 not a workbook",
        "zip without a workbook",
        "broken workbook",
    ],
    ids=["empty", "csv", "pdf", "other-zip", "broken-xlsx"],
)
def test_a_file_that_is_not_a_workbook_gets_a_clear_error(personas, assessment, data):
    if data == "zip without a workbook":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        data = out.getvalue()
    elif data == "broken workbook":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("xl/workbook.xml", "not xml at all")
        data = out.getvalue()
    before = state(assessment)
    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, data, actor=personas.manager)
    assert exc_info.value.code == "validation_failed"
    assert [(e.field, e.code) for e in exc_info.value.errors] == [("file", "not_xlsx")]
    assert exc_info.value.errors[0].message.startswith("This is not an XLSX workbook")
    assert state(assessment) == before


def test_a_process_owner_may_not_import_changes_to_items_of_others(personas, assessment):
    owner = personas.users[Role.PROCESS_OWNER]
    own = item_for(assessment, "iso9001-2015", "7.2")
    theirs = item_for(assessment, "iso9001-2015", "7.3")
    nobodys = item_for(assessment, "iso9001-2015", "7.4")
    GapItem.objects.filter(pk=own.pk).update(owner=owner)
    GapItem.objects.filter(pk=theirs.pk).update(owner=personas.manager)
    workbook = workbook_of(spreadsheet.export_assessment(assessment))
    sheet = workbook["Items"]
    set_cell(sheet, own.pk, "Status", "Implemented")
    theirs_cell = set_cell(sheet, theirs.pk, "Notes", "mine now")
    nobodys_cell = set_cell(sheet, nobodys.pk, "Status", "Planned")
    before = state(assessment)
    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, save(workbook), actor=owner)
    assert errors_of(exc_info) == [
        (
            theirs_cell,
            f"item {theirs.pk} is not assigned to you: you may change only your own items.",
        ),
        (
            nobodys_cell,
            f"item {nobodys.pk} is not assigned to you: you may change only your own items.",
        ),
    ]
    assert state(assessment) == before


def test_a_process_owner_may_not_reassign_their_item(personas, assessment):
    owner = personas.users[Role.PROCESS_OWNER]
    own = item_for(assessment, "iso9001-2015", "7.2")
    GapItem.objects.filter(pk=own.pk).update(owner=owner)
    workbook = workbook_of(spreadsheet.export_assessment(assessment))
    cell = set_cell(workbook["Items"], own.pk, "Owner e-mail", "employee@a.example")
    before = state(assessment)
    with pytest.raises(ValidationFailed) as exc_info:
        spreadsheet.import_assessment(assessment, save(workbook), actor=owner)
    assert errors_of(exc_info) == [(cell, "only implementers may reassign an item.")]
    assert state(assessment) == before


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES - IMPORTERS))
def test_roles_that_may_not_change_items_may_not_import(personas, assessment, role):
    data = spreadsheet.export_assessment(assessment)
    with pytest.raises(PermissionDenied):
        spreadsheet.import_assessment(assessment, data, actor=personas.users[role])


def test_an_outsider_may_not_import(personas, assessment):
    data = spreadsheet.export_assessment(assessment)
    with pytest.raises(PermissionDenied):
        spreadsheet.import_assessment(assessment, data, actor=personas.outsider)


# --- pages --------------------------------------------------------------------------------


def export_url(assessment) -> str:
    return reverse("assessments:assessment_export", args=[assessment.pk])


def import_url(assessment) -> str:
    return reverse("assessments:assessment_import", args=[assessment.pk])


def upload(data: bytes, name: str = "gap.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=spreadsheet.XLSX_CONTENT_TYPE)


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_every_member_downloads_the_export(client, personas, assessment, role):
    login(client, personas.users[role])
    response = client.get(export_url(assessment))
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheet.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="gap-{assessment.pk}.xlsx"'
    sheet = workbook_of(response.content)["Items"]
    assert sheet.max_row == assessment.items.count() + 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [(role, 200 if role in IMPORTERS else 403) for role in sorted(ORGANIZATION_ROLES)],
)
def test_the_import_page_is_for_those_who_may_change_items(
    client, personas, assessment, role, expected
):
    login(client, personas.users[role])
    assert client.get(import_url(assessment)).status_code == expected
    if expected == 403:
        before = state(assessment)
        data = spreadsheet.export_assessment(assessment)
        response = client.post(import_url(assessment), {"file": upload(data)})
        assert response.status_code == 403
        assert state(assessment) == before


def test_another_organization_and_anonymous_visitors_see_no_file_page(client, personas, assessment):
    pages = [export_url(assessment), import_url(assessment)]
    reports = [
        reverse("assessments:report_pdf", args=[assessment.pk]),
        reverse("assessments:report_xlsx", args=[assessment.pk]),
    ]
    for response in [client.get(url) for url in pages] + [client.post(url) for url in reports]:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    for user in (personas.outsider, personas.users[Role.AUDITOR]):
        login(client, user)
        for url in pages:
            assert client.get(url).status_code == 404, url
        for url in reports:
            assert client.post(url).status_code == 404, url
    assert not Job.objects.exists()


def import_job(client, assessment, data: bytes, name: str = "gap.xlsx"):
    """Upload through the page: it queues a job and sends the member to the job's page."""
    response = client.post(import_url(assessment), {"file": upload(data, name)}, follow=True)
    job = Job.objects.latest("pk")
    assert response.redirect_chain == [(reverse("jobs:detail", args=[job.pk]), 302)]
    assert (job.kind, job.input_name) == ("gap_import", name)
    return job, response.content.decode()


def test_an_upload_through_the_page_is_imported_by_a_job_and_logged(client, personas, assessment):
    item = item_for(assessment, "iso9001-2015", "7.2")
    workbook = workbook_of(spreadsheet.export_assessment(assessment))
    set_cell(workbook["Items"], item.pk, "Status", "Partial")
    login(client, personas.manager)
    since = last_entry_id()
    job, html = import_job(client, assessment, save(workbook))
    count = assessment.items.count()
    assert f"Imported: {count} row(s) read, 1 item(s) changed, {count - 1} unchanged." in html
    assert job.result == {
        "rows": count,
        "changed": 1,
        "unchanged": count - 1,
        "changed_ids": [item.pk],
    }
    item.refresh_from_db()
    assert item.status == "partial"
    # The change is the job's, made as the member who uploaded the file.
    entries = item_entries(since)
    assert [(e.object_id, e.via, e.actor_id) for e in entries] == [
        (str(item.pk), "task", personas.manager.pk)
    ]


def test_the_job_page_lists_every_bad_cell_and_nothing_is_saved(client, personas, assessment):
    workbook = workbook_of(spreadsheet.export_assessment(assessment))
    a = item_for(assessment, "iso9001-2015", "7.2")
    b = item_for(assessment, "iso9001-2015", "7.3")
    status_cell = set_cell(workbook["Items"], a.pk, "Status", "done")
    date_cell = set_cell(workbook["Items"], b.pk, "Target date", "soon")
    set_cell(workbook["Items"], b.pk, "Status", "Implemented")
    login(client, personas.manager)
    before = state(assessment)
    job, html = import_job(client, assessment, save(workbook))
    assert job.status == "failed"
    assert (
        "Nothing was imported: 2 problems need fixing. Correct them in the workbook and import "
        "it again." in html
    )
    assert f'<td class="text-nowrap font-monospace">{status_cell}</td>' in html
    assert f'<td class="text-nowrap font-monospace">{date_cell}</td>' in html
    assert "target date &#x27;soon&#x27; is not a date" in html
    assert state(assessment) == before


def test_the_job_page_says_when_a_file_is_not_a_workbook(client, personas, assessment):
    login(client, personas.manager)
    before = state(assessment)
    job, html = import_job(client, assessment, b"a,b\n1,2\n", "gap.csv")
    assert job.status == "failed"
    assert "Nothing was imported: the file cannot be read as a workbook." in html
    assert "This is not an XLSX workbook" in html
    assert state(assessment) == before


def test_the_page_refuses_a_file_over_the_size_limit(client, personas, assessment):
    login(client, personas.manager)
    data = b"x" * (5 * 1024 * 1024 + 1)
    response = client.post(import_url(assessment), {"file": upload(data)})
    assert response.status_code == 200
    assert "The file is larger than 5 MB." in response.content.decode()
    assert not Job.objects.exists()


def test_the_job_page_shows_a_process_owner_why_a_row_was_refused(client, personas, assessment):
    owner = personas.users[Role.PROCESS_OWNER]
    theirs = item_for(assessment, "iso9001-2015", "7.3")
    workbook = workbook_of(spreadsheet.export_assessment(assessment))
    cell = set_cell(workbook["Items"], theirs.pk, "Status", "Implemented")
    login(client, owner)
    before = state(assessment)
    _job, html = import_job(client, assessment, save(workbook))
    assert f'<td class="text-nowrap font-monospace">{cell}</td>' in html
    assert "you may change only your own items." in html
    assert state(assessment) == before
