"""The evidence store's services: type by content, safe names, size limits, storing once per
content, nothing left behind on refusal, downloads, tamper detection and deletion.

Also the factories and the temporary storage the other evidence tests import.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES
from pdca.documents.evidence import services
from pdca.documents.models import Document, DocumentVersion, EvidenceFile
from pdca.documents.permissions import UPLOADERS

pytestmark = pytest.mark.django_db

# --- sample files ---------------------------------------------------------------------------

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 30
GIF = b"GIF89a" + b"\x01\x00\x01\x00" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"This program"
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>"

OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
}


def office_zip(kind: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Office Open XML package whose main part is of `kind`."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/main.xml" ContentType="{OOXML_MAIN[kind]}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("main.xml", "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes(text: str = "Quality policy") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Calibration log"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odf_bytes(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- storage and factories (imported by the other evidence tests) ---------------------------


def temporary_evidence_storage(settings, tmp_path):
    """Point the "evidence" storage at a temporary folder (for an `evidence_storage` fixture)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence-store")},
        },
    }
    return storages["evidence"]


@pytest.fixture
def evidence_storage(settings, tmp_path):
    """A storage of its own for each test, in a temporary folder."""
    return temporary_evidence_storage(settings, tmp_path)


def stored_blobs(storage) -> list[str]:
    """Every stored file, as `evidence/ab/<sha256>` names."""
    root = Path(storage.location)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def make_evidence(
    org, index: int = 0, *, content: bytes | None = None, name: str | None = None, user=None
) -> EvidenceFile:
    """A row inserted directly (not through the service), its bytes put in the store."""
    from django.core.files.base import ContentFile

    data = content if content is not None else f"Evidence {index} of {org.slug}\n".encode()
    sha256 = hashlib.sha256(data).hexdigest()
    storage = services.evidence_storage()
    if not storage.exists(services.blob_name(sha256)):
        storage.save(services.blob_name(sha256), ContentFile(data))
    return EvidenceFile.objects.create(
        organization=org,
        sha256=sha256,
        size=len(data),
        content_type="application/pdf" if data.startswith(b"%PDF-") else "text/plain",
        original_name=name or f"evidence-{index}.txt",
        uploaded_by=user,
    )


def make_version(evidence: EvidenceFile, index: int = 0, *, author) -> DocumentVersion:
    """A draft document version whose file is `evidence`."""
    document = Document.objects.create(
        organization=evidence.organization, code=f"REC-{evidence.pk:03d}-{index}", title="Log"
    )
    return DocumentVersion.objects.create(
        organization=evidence.organization,
        document=document,
        number=1,
        author=author,
        file=evidence,
    )


def upload_entries(evidence: EvidenceFile, action: str = "upload"):
    return ActivityEntry.objects.filter(
        object_type="documents.evidencefile", object_id=str(evidence.pk), action=action
    )


def counts() -> tuple[int, int]:
    return EvidenceFile.objects.count(), ActivityEntry.objects.count()


def nothing_written(storage, before: tuple[int, int]) -> None:
    """No row, no activity entry and no stored file since `before` (from `counts()`)."""
    assert counts() == before
    assert stored_blobs(storage) == []


# --- type by content ------------------------------------------------------------------------


@pytest.mark.usefixtures("evidence_storage")
@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_as"),
    [
        ("audit report.pdf", PDF, "application/pdf", "audit_report.pdf"),
        ("diagram.png", PNG, "image/png", "diagram.png"),
        ("photo.jpeg", JPEG, "image/jpeg", "photo.jpeg"),
        ("photo.JPG", JPEG, "image/jpeg", "photo.JPG"),
        ("anim.gif", GIF, "image/gif", "anim.gif"),
        ("shot.webp", WEBP, "image/webp", "shot.webp"),
        ("scan.tiff", TIFF, "image/tiff", "scan.tiff"),
        (
            "slides.pptx",
            office_zip("pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "slides.pptx",
        ),
        (
            "minutes.odt",
            odf_bytes("application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
            "minutes.odt",
        ),
        (
            "budget.ods",
            odf_bytes("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
            "budget.ods",
        ),
        ("notes.txt", "Réunion du 3 mai\n".encode(), "text/plain", "notes.txt"),
        ("readings.csv", b"date,value\n2025-01-02,4.5\n", "text/csv", "readings.csv"),
        ("README.md", b"# Scope\n\n- plant\n", "text/markdown", "README.md"),
        ("bom.txt", b"\xef\xbb\xbfwith a byte order mark\n", "text/plain", "bom.txt"),
        ("notes.pdf", b"Plain words, not a PDF\n", "text/plain", "notes.txt"),
        ("no-extension", PDF, "application/pdf", "no-extension.pdf"),
    ],
)
def test_the_type_is_read_from_the_content(personas, name, content, content_type, stored_as):
    evidence = services.store_evidence(personas.org, (name, content), actor=personas.manager)
    assert (evidence.content_type, evidence.original_name) == (content_type, stored_as)
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.usefixtures("evidence_storage")
def test_real_office_files_are_recognised(personas):
    docx = services.store_evidence(
        personas.org, ("policy.docx", docx_bytes()), actor=personas.manager
    )
    xlsx = services.store_evidence(personas.org, ("log.xlsx", xlsx_bytes()), actor=personas.manager)
    assert docx.content_type.endswith("wordprocessingml.document")
    assert xlsx.content_type.endswith("spreadsheetml.sheet")
    assert (docx.original_name, xlsx.original_name) == ("policy.docx", "log.xlsx")


@pytest.mark.usefixtures("evidence_storage")
def test_a_docx_renamed_pdf_is_stored_as_docx_with_its_name_corrected(personas):
    evidence = services.store_evidence(
        personas.org, ("scan.pdf", docx_bytes()), actor=personas.manager
    )
    assert evidence.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert evidence.original_name == "scan.docx"


def bomb() -> bytes:
    """An Office-looking package that declares 25 MB once expanded, in a few kilobytes."""
    return office_zip("docx", {"word/padding.bin": bytes(25 * 1024 * 1024)})


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("setup.pdf", EXE, "setup.pdf is not accepted: it is a Windows program."),
        ("tool.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "it is a Linux program"),
        ("invoice.pdf", HTML, "it is a web page or markup with active content"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "it is a web page"),
        ("notes.txt", b"Hello <script>steal()</script>", "it is a web page"),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n", "it is a script"),
        ("backup.zip", plain_zip({"a.txt": b"a"}), "it is a ZIP archive (upload the files"),
        ("large.zip", lambda: plain_zip({"zeros.bin": bytes(30 * 1024 * 1024)}), "expands to 30"),
        ("big.docx", bomb, "it is an archive that expands to 25 MB"),
        ("macro.docm", office_zip("docm"), "macro-enabled or a template"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 60, "it is a damaged ZIP archive"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60, "old-style Office"),
        ("latin1.txt", "café".encode("latin-1"), "unknown or unsupported kind"),
        ("nul.txt", b"text\x00with a NUL", "unknown or unsupported kind"),
    ],
)
def test_files_of_other_kinds_are_refused_and_leave_nothing_behind(
    personas, evidence_storage, settings, name, content, says
):
    settings.PDCA_MAX_UPLOAD_MB = 1  # 20 MB expanded is the most an Office file may declare
    content = content() if callable(content) else content  # the large ones, made when needed
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        services.store_evidence(personas.org, (name, content), actor=personas.manager)
    (error,) = refused.value.errors
    assert error.field == "file"
    assert says in error.message, error.message
    assert error.code == "file_type"
    nothing_written(evidence_storage, before)


def test_an_empty_file_is_refused(personas, evidence_storage):
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        services.store_evidence(personas.org, ("empty.pdf", b""), actor=personas.manager)
    (error,) = refused.value.errors
    assert (error.field, error.message, error.code) == ("file", "empty.pdf is empty.", "file_empty")
    nothing_written(evidence_storage, before)


def test_a_file_over_the_limit_is_refused(personas, evidence_storage, settings):
    before = counts()
    settings.PDCA_MAX_UPLOAD_MB = 1
    limit = 1024 * 1024
    with pytest.raises(ValidationFailed) as refused:
        services.store_evidence(
            personas.org, ("huge.pdf", PDF + b"0" * (limit - len(PDF) + 1)), actor=personas.manager
        )
    (error,) = refused.value.errors
    assert (error.field, error.code) == ("file", "file_too_large")
    assert error.message == "huge.pdf is larger than the limit of 1 MB."
    nothing_written(evidence_storage, before)
    exactly = services.store_evidence(
        personas.org, ("full.pdf", PDF + b"0" * (limit - len(PDF))), actor=personas.manager
    )
    assert exactly.size == limit


def test_the_limit_also_holds_when_the_declared_size_lies(personas, evidence_storage, settings):
    before = counts()
    settings.PDCA_MAX_UPLOAD_MB = 1
    upload = SimpleUploadedFile("liar.pdf", PDF + b"0" * (2 * 1024 * 1024))
    upload.size = 10
    with pytest.raises(ValidationFailed, match="larger than the limit of 1 MB"):
        services.store_evidence(personas.org, upload, actor=personas.manager)
    nothing_written(evidence_storage, before)


# --- names ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("evidence_storage")
@pytest.mark.parametrize(
    ("name", "stored_as"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\evil.pdf", "evil.pdf"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("..", "file.pdf"),
        ("", "file.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("-rf.pdf", "file-rf.pdf"),
        ("my report (final) v2.pdf", "my_report_final_v2.pdf"),
        ("rapport_été.pdf", "rapport_été.pdf"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_names_are_made_safe(personas, name, stored_as):
    evidence = services.store_evidence(personas.org, (name, PDF), actor=personas.manager)
    assert evidence.original_name == stored_as
    assert len(evidence.original_name) <= 255


# --- storing once ---------------------------------------------------------------------------


def test_the_bytes_are_stored_under_their_sha256(personas, evidence_storage):
    evidence = services.store_evidence(
        personas.org, ("report.pdf", PDF), actor=personas.manager, description="  Signed  "
    )
    sha256 = hashlib.sha256(PDF).hexdigest()
    assert evidence.storage_name == f"evidence/{sha256[:2]}/{sha256}"
    assert stored_blobs(evidence_storage) == [evidence.storage_name]
    with evidence_storage.open(evidence.storage_name, "rb") as handle:
        assert handle.read() == PDF
    assert evidence.description == "Signed"
    assert evidence.uploaded_by == personas.manager
    assert evidence.created is True
    entry = upload_entries(evidence).get()
    assert entry.actor == personas.manager
    assert entry.message == f"Uploaded report.pdf (PDF, {len(PDF)} bytes)"
    assert entry.changes["sha256"] == [None, sha256]


def test_the_same_bytes_twice_give_one_row_and_one_stored_file(
    personas, evidence_storage, monkeypatch
):
    first = services.store_evidence(personas.org, ("a.pdf", PDF), actor=personas.manager)
    saves = []
    monkeypatch.setattr(
        type(evidence_storage), "save", lambda self, *a, **kw: saves.append(a) or a[0]
    )
    again = services.store_evidence(
        personas.org, ("renamed.pdf", PDF), actor=personas.users["process_owner"]
    )
    assert again.pk == first.pk
    assert again.created is False
    assert again.original_name == "a.pdf"
    assert EvidenceFile.objects.filter(organization=personas.org).count() == 1
    assert upload_entries(first).count() == 1
    assert saves == []


def test_another_organization_gets_its_own_row_over_the_same_stored_file(
    personas, evidence_storage
):
    mine = services.store_evidence(personas.org, ("a.pdf", PDF), actor=personas.manager)
    theirs = services.store_evidence(personas.other, ("b.pdf", PDF), actor=personas.outsider)
    assert theirs.pk != mine.pk
    assert (theirs.organization, theirs.sha256) == (personas.other, mine.sha256)
    assert stored_blobs(evidence_storage) == [mine.storage_name]


def test_a_truncated_stored_file_is_repaired_by_uploading_the_right_bytes(
    personas, evidence_storage
):
    mine = services.store_evidence(personas.org, ("a.pdf", PDF), actor=personas.manager)
    path = Path(evidence_storage.path(mine.storage_name))
    path.write_bytes(PDF[:10])
    services.store_evidence(personas.other, ("b.pdf", PDF), actor=personas.outsider)
    assert path.read_bytes() == PDF


def test_a_failure_after_writing_removes_the_bytes_again(personas, evidence_storage, monkeypatch):
    before = counts()

    def broken(**kwargs):
        raise RuntimeError("the log is down")

    monkeypatch.setattr(services, "record_activity", broken)
    with pytest.raises(RuntimeError):
        services.store_evidence(personas.org, ("a.pdf", PDF), actor=personas.manager)
    nothing_written(evidence_storage, before)


def test_a_failure_keeps_bytes_another_organization_holds(personas, evidence_storage, monkeypatch):
    theirs = services.store_evidence(personas.other, ("b.pdf", PDF), actor=personas.outsider)
    monkeypatch.setattr(services, "record_activity", lambda **kw: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.store_evidence(personas.org, ("a.pdf", PDF), actor=personas.manager)
    assert not EvidenceFile.objects.filter(organization=personas.org).exists()
    assert stored_blobs(evidence_storage) == [theirs.storage_name]


def test_a_description_too_long_is_refused(personas, evidence_storage):
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        services.store_evidence(
            personas.org, ("a.pdf", PDF), actor=personas.manager, description="x" * 301
        )
    assert [e.field for e in refused.value.errors] == ["description"]
    nothing_written(evidence_storage, before)


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_uploading_by_role(personas, evidence_storage, role):
    before = counts()
    user = personas.users[role]
    if role in UPLOADERS:
        evidence = services.store_evidence(personas.org, ("a.pdf", PDF), actor=user)
        assert upload_entries(evidence).get().actor == user
    else:
        with pytest.raises(PermissionDenied, match="may not add an evidence file"):
            services.store_evidence(personas.org, ("a.pdf", PDF), actor=user)
        nothing_written(evidence_storage, before)


def test_an_outsider_cannot_upload_to_another_organization(personas, evidence_storage):
    before = counts()
    with pytest.raises(PermissionDenied, match="not a member"):
        services.store_evidence(personas.org, ("a.pdf", PDF), actor=personas.outsider)
    nothing_written(evidence_storage, before)


# --- downloads and verification -------------------------------------------------------------


def test_opening_checks_the_bytes_and_records_the_download(personas, evidence_storage):
    evidence = services.store_evidence(personas.org, ("a.pdf", PDF), actor=personas.manager)
    download = services.open_evidence(evidence, actor=personas.employee)
    with download.file as handle:
        assert handle.read() == PDF
    assert (download.name, download.content_type, download.size) == (
        "a.pdf",
        "application/pdf",
        len(PDF),
    )
    entry = upload_entries(evidence, "download").get()
    assert (entry.actor, entry.message) == (personas.employee, "Downloaded a.pdf")


@pytest.mark.parametrize("damage", ["alter", "delete"])
def test_altered_or_missing_bytes_are_not_handed_out(personas, evidence_storage, damage):
    evidence = services.store_evidence(personas.org, ("a.pdf", PDF), actor=personas.manager)
    path = Path(evidence_storage.path(evidence.storage_name))
    if damage == "alter":
        path.write_bytes(PDF.replace(b"Catalog", b"Catalox"))
    else:
        path.unlink()
    with pytest.raises(Conflict) as refused:
        services.open_evidence(evidence, actor=personas.manager)
    assert refused.value.code == "evidence_altered"
    assert refused.value.message == (
        "The stored bytes of a.pdf were altered or are missing; run pdca verify-evidence."
    )
    assert not upload_entries(evidence, "download").exists()


def test_an_outsider_cannot_open_a_file(personas, evidence_storage):
    evidence = make_evidence(personas.org)
    with pytest.raises(PermissionDenied):
        services.open_evidence(evidence, actor=personas.outsider)
    assert not upload_entries(evidence, "download").exists()


def test_verification_reports_missing_and_altered_files(personas, evidence_storage):
    intact = make_evidence(personas.org, 0)
    altered = make_evidence(personas.org, 1)
    shared = make_evidence(personas.other, 1, content=b"Evidence 1 of org-a\n", name="copy.txt")
    missing = make_evidence(personas.other, 2)
    Path(evidence_storage.path(altered.storage_name)).write_bytes(b"Evidence 1 of org-A\n")
    Path(evidence_storage.path(missing.storage_name)).unlink()
    seen = []
    report = services.verify_evidence(progress=seen.append)
    assert (report.checked, report.files, report.intact, report.ok) == (3, 4, 1, False)
    assert sorted(seen) == sorted({intact.sha256, altered.sha256, missing.sha256})
    (bad,) = report.altered
    assert bad.sha256 == altered.sha256
    assert bad.files == (
        services.AffectedFile(altered.pk, "org-a", "evidence-1.txt"),
        services.AffectedFile(shared.pk, "org-b", "copy.txt"),
    )
    (gone,) = report.missing
    assert gone.files == (services.AffectedFile(missing.pk, "org-b", "evidence-2.txt"),)
    assert gone.message == (
        f"evidence/{missing.sha256[:2]}/{missing.sha256} is missing; "
        f"used by org-b: evidence-2.txt (#{missing.pk})"
    )
    only_b = services.verify_evidence(organization=personas.other)
    assert (only_b.checked, only_b.files, only_b.intact) == (2, 2, 0)


def test_verification_of_an_intact_store(personas, evidence_storage):
    for index in range(3):
        make_evidence(personas.org, index)
    report = services.verify_evidence()
    assert (report.checked, report.files, report.intact, report.problems) == (3, 3, 3, [])
    assert report.ok


# --- describing and deleting ----------------------------------------------------------------


def test_the_description_changes_and_is_recorded(personas, evidence_storage):
    evidence = make_evidence(personas.org)
    services.update_evidence(evidence, actor=personas.manager, description="Signed copy")
    evidence.refresh_from_db()
    assert evidence.description == "Signed copy"
    entry = upload_entries(evidence, "update").get()
    assert entry.changes == {"description": ["", "Signed copy"]}


def test_a_file_in_use_is_not_deleted(personas, evidence_storage):
    evidence = make_evidence(personas.org)
    version = make_version(evidence, author=personas.manager)
    with pytest.raises(Conflict) as refused:
        services.delete_evidence(evidence, actor=personas.manager)
    assert refused.value.code == "evidence_in_use"
    assert refused.value.message == (
        f"evidence-0.txt is the file of {version}: it cannot be deleted."
    )
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()
    assert not upload_entries(evidence, "delete").exists()
    assert stored_blobs(evidence_storage) == [evidence.storage_name]


def test_deleting_removes_the_bytes_once_no_organization_holds_them(
    personas, evidence_storage, django_capture_on_commit_callbacks
):
    mine = make_evidence(personas.org, content=PDF)
    theirs = make_evidence(personas.other, content=PDF)
    mine_pk = mine.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_evidence(mine, actor=personas.manager)
    assert not EvidenceFile.objects.filter(pk=mine_pk).exists()
    entry = ActivityEntry.objects.get(object_id=str(mine_pk), action="delete")
    assert (entry.actor, entry.object_type) == (personas.manager, "documents.evidencefile")
    assert stored_blobs(evidence_storage) == [theirs.storage_name]
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_evidence(theirs, actor=personas.outsider)
    assert stored_blobs(evidence_storage) == []


def test_only_implementers_delete(personas, evidence_storage):
    evidence = make_evidence(personas.org)
    with pytest.raises(PermissionDenied):
        services.delete_evidence(evidence, actor=personas.users["process_owner"])
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()


def test_without_an_evidence_storage_the_default_storage_is_used(personas, settings):
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "evidence"}
    assert services.evidence_storage() is default_storage
    evidence = services.store_evidence(personas.org, ("a.pdf", PDF), actor=personas.manager)
    with services.open_evidence(evidence, actor=personas.employee).file as handle:
        assert handle.read() == PDF
    assert services.verify_evidence(organization=personas.org).ok
