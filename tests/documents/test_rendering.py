"""Markdown as DOCX (read back with python-docx) and as PDF (text read back with pdftotext when
it is installed); any version's files through the pages and the API, for every role and the
other organization."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document as Docx
from docx.oxml.ns import qn

from pdca.core.jobs.models import Job
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing.api_bundle import login
from pdca.documents import rendering
from pdca.documents.models import DocumentVersion
from tests.documents.test_coverage import make_doc, make_version

ROLES = sorted(ALL_ROLES)

TEXT = """# Access control policy

Who may use **which** systems, and *why*; see `IAM-7`.

## Rules

- Accounts are **personal**.
- Access is reviewed:
    - every quarter for admins;
    - every year for others.

1. Ask your manager.
2. IT grants the access.

Steps again:

1. First again.
2. Second again.

| Role | Access |
| --- | --- |
| Admin | All **systems** |
| Staff | Email, files |

> Quoted advice.
"""
META = {
    "organization": "Acme",
    "code": "POL-007",
    "version": "3",
    "status": "Published",
    "effective_date": "2026-02-01",
    "owner": "Sam Owner",
}


def docx_of(data: bytes):
    return Docx(io.BytesIO(data))


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


# --- DOCX ---------------------------------------------------------------------------------


def test_docx_header_block_and_page_furniture():
    doc = docx_of(rendering.markdown_to_docx("Access control policy", TEXT, meta=META))
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[0].text == "Access control policy"
    block = doc.tables[0]
    assert [[c.text for c in row.cells] for row in block.rows] == [
        ["Code", "POL-007"],
        ["Title", "Access control policy"],
        ["Version", "3"],
        ["Status", "Published"],
        ["Effective date", "2026-02-01"],
        ["Owner", "Sam Owner"],
    ]
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == "Acme · POL-007 · Access control policy"
    footer = section.footer.paragraphs[0]
    instructions = [e.text for e in footer._p.iter(qn("w:instrText"))]
    assert footer.text.startswith("POL-007 · Version 3   Page ")
    assert instructions == ["PAGE", "NUMPAGES"]
    assert doc.core_properties.title == "Access control policy"


def test_docx_body():
    doc = docx_of(rendering.markdown_to_docx("Access control policy", TEXT, meta=META))
    body = [(p.style.name, p.text) for p in doc.paragraphs[2:] if p.text]
    # The leading heading repeating the title is left out: the header block shows it.
    assert body == [
        ("Normal", "Who may use which systems, and why; see IAM-7."),
        ("Heading 2", "Rules"),
        ("List Bullet", "Accounts are personal."),
        ("List Bullet", "Access is reviewed:"),
        ("List Bullet 2", "every quarter for admins;"),
        ("List Bullet 2", "every year for others."),
        ("List Number", "Ask your manager."),
        ("List Number", "IT grants the access."),
        ("Normal", "Steps again:"),
        ("List Number", "First again."),
        ("List Number", "Second again."),
        ("Quote", "Quoted advice."),
    ]
    intro = next(p for p in doc.paragraphs if p.text.startswith("Who may use"))
    assert [(r.text, r.bold, r.italic) for r in intro.runs] == [
        ("Who may use ", None, None),
        ("which", True, None),
        (" systems, and ", None, None),
        ("why", None, True),
        ("; see ", None, None),
        ("IAM-7", None, None),
        (".", None, None),
    ]
    assert intro.runs[5].font.name == "Courier New"
    table = doc.tables[1]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Role", "Access"],
        ["Admin", "All systems"],
        ["Staff", "Email, files"],
    ]
    assert table.cell(0, 0).paragraphs[0].runs[0].bold is True


def test_docx_numbered_lists_start_again_at_one():
    doc = docx_of(rendering.markdown_to_docx("Access control policy", TEXT, meta=META))
    numbered = [p for p in doc.paragraphs if p.style.name == "List Number"]
    ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert ids[0] == ids[1] != ids[2] == ids[3]
    numbering = doc.part.numbering_part.element
    for num_id in {ids[0], ids[2]}:
        num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_id))
        start = num.find(qn("w:lvlOverride")).find(qn("w:startOverride"))
        assert start.get(qn("w:val")) == "1"


def test_docx_keeps_a_title_that_differs_and_shows_dashes_for_missing_meta():
    doc = docx_of(rendering.markdown_to_docx("Other title", "# Heading\n\nText", meta={}))
    assert [(p.style.name, p.text) for p in doc.paragraphs if p.text][1:] == [
        ("Heading 1", "Heading"),
        ("Normal", "Text"),
    ]
    assert doc.tables[0].rows[0].cells[1].text == "—"


def test_docx_drops_what_the_sanitizer_drops():
    text = "Hello <script>alert(1)</script><b onclick='x()'>bold</b> [x](javascript:alert(1))"
    doc = docx_of(rendering.markdown_to_docx("T", text, meta=META))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "alert(1)" not in body.replace("alert(1))", "")
    assert "Hello" in body and "bold" in body


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_is_a_pdf():
    data = rendering.markdown_to_pdf("Access control policy", TEXT, meta=META)
    assert data.startswith(b"%PDF")


@needs_pdftotext
def test_pdf_text_header_block_and_footer(tmp_path):
    long_text = TEXT + "\n".join(f"\nParagraph {i}: some more words." for i in range(80))
    text = pdf_text(
        rendering.markdown_to_pdf("Access control policy", long_text, meta=META), tmp_path
    )
    pages = text.split("\f")
    assert "Access control policy" in pages[0]
    for label, value in [("Code", "POL-007"), ("Effective date", "2026-02-01")]:
        assert label in pages[0] and value in pages[0]
    assert "Admin" in pages[0] and "All systems" in pages[0]
    filled = [p for p in pages if p.strip()]
    assert len(filled) >= 2
    for number, page in enumerate(filled, start=1):
        assert "POL-007 · version 3" in page
        assert f"Page {number} of {len(filled)}" in page


def test_pdf_html_escapes_meta_and_keeps_only_sanitized_markup():
    html = rendering.document_html(
        "T <b>", "x <script>alert(1)</script> **y**", meta={**META, "organization": "<i>Acme</i>"}
    )
    assert "<script>" not in html
    assert "&lt;i&gt;Acme&lt;/i&gt;" in html
    assert "<strong>y</strong>" in html


# --- versions -----------------------------------------------------------------------------


@pytest.fixture
def version(personas):
    doc = make_doc(personas.org, "QP-004", "Handling complaints", owner=personas.manager)
    return make_version(
        doc,
        personas.manager,
        2,
        DocumentVersion.Status.PUBLISHED,
        "# Handling complaints\n\nListen **first**.",
        effective_date=dt.date(2026, 2, 1),
    )


def test_version_meta_and_files(version):
    assert rendering.version_meta(version) == {
        "organization": "Org A",
        "code": "QP-004",
        "version": "2",
        "status": "Published",
        "effective_date": "2026-02-01",
        "owner": "System Manager A",
    }
    doc = docx_of(rendering.version_docx(version))
    assert doc.tables[0].rows[0].cells[1].text == "QP-004"
    assert [p.text for p in doc.paragraphs if p.text][1:] == ["Listen first."]
    assert rendering.version_pdf(version).startswith(b"%PDF")
    assert rendering.version_filename(version, "pdf") == "QP-004-v2.pdf"


def test_a_file_version_says_which_file(personas, version):
    from pdca.documents.models import EvidenceFile

    file = EvidenceFile.objects.create(
        organization=personas.org,
        sha256="ab" * 32,
        size=10,
        content_type="application/pdf",
        original_name="complaints.pdf",
    )
    version.content, version.file = "", file
    assert rendering.version_text(version) == (
        f"The content of this version is the file **complaints.pdf** (application/pdf, "
        f"SHA-256 `{'ab' * 32}`)."
    )


@pytest.mark.parametrize("role", ROLES)
def test_version_pages_for_every_role(client, personas, version, role, monkeypatch):
    # The PDF names the second it was made: both renderings below must fall in the same one.
    made_at = timezone.localtime().replace(microsecond=0)
    monkeypatch.setattr(rendering, "timezone", SimpleNamespace(localtime=lambda *args: made_at))
    login(client, personas.users[role])
    docx = client.get(reverse("documents:version-docx", args=[version.pk]))
    # The PDF is made by a job: the button queues it, the job's page offers the download.
    queued = client.post(reverse("documents:version-pdf", args=[version.pk]))
    if role in ORGANIZATION_ROLES:
        assert docx.status_code == 200
        assert docx["Content-Type"] == rendering.DOCX_CONTENT_TYPE
        assert docx["Content-Disposition"] == 'attachment; filename="QP-004-v2.docx"'
        job = Job.objects.get(kind="document_version_pdf")
        assert queued["Location"] == reverse("jobs:detail", args=[job.pk])
        pdf = client.get(reverse("jobs:download", args=[job.pk]))
        assert pdf["Content-Disposition"] == 'inline; filename="QP-004-v2.pdf"'
        assert pdf.content == rendering.version_pdf(version)
    else:
        # Another organization's version does not exist for them.
        assert docx.status_code == queued.status_code == 404
        assert not Job.objects.exists()


def test_version_pages_outsider_and_anonymous(client, personas, version):
    page = reverse("documents:version-docx", args=[version.pk])
    assert client.get(page).status_code == 302
    login(client, personas.outsider)
    assert client.get(page).status_code == 404
    assert client.post(reverse("documents:version-pdf", args=[999_999])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_version_api_for_every_role(client, personas, version, role):
    login(client, personas.users[role])
    docx = client.get(f"/api/v1/document-versions/{version.pk}/docx/")
    queued = client.post(f"/api/v1/document-versions/{version.pk}/pdf/jobs/")
    if role in ORGANIZATION_ROLES:
        assert docx.status_code == 200
        assert queued.status_code == 202, queued.content
        assert docx_of(docx.content).tables[0].rows[2].cells[1].text == "2"
        job = queued.json()
        assert queued["Location"] == job["links"]["self"]
        assert (job["kind"], job["status"]) == ("document_version_pdf", "succeeded")
        pdf = client.get(job["links"]["result"])
        assert pdf.content.startswith(b"%PDF")
    else:
        assert docx.status_code == queued.status_code == 404


def test_version_api_anonymous_and_outsider(client, personas, version):
    assert client.get(f"/api/v1/document-versions/{version.pk}/docx/").status_code == 401
    login(client, personas.outsider)
    assert client.post(f"/api/v1/document-versions/{version.pk}/pdf/jobs/").status_code == 404
