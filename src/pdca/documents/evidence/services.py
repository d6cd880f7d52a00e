"""The evidence store: keeping uploaded files once per content, handing them out to those
who may read them, and checking that what is stored is still what was uploaded.

A file's bytes are stored once under their SHA-256 (`evidence/ab/abcdef…`) in the storage
named "evidence" (Django's `STORAGES`; the default storage when there is none), however many
times and by whichever organization they are uploaded. An `EvidenceFile` row says that an
organization holds those bytes, under which name, from whom. Uploads are checked (size, type
by content, a safe name) before anything is written, and a refused upload leaves nothing
behind. `verify_evidence` (the `pdca verify-evidence` command) re-hashes every stored file.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile, File
from django.core.files.storage import InvalidStorageError, Storage, default_storage, storages
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.http import FileResponse
from django.utils.text import get_valid_filename

from pdca.core.activity import record_activity, record_delete, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.permissions import require
from pdca.core.records.rules import ensure_deletable
from pdca.documents import filetypes
from pdca.documents.models import EvidenceFile

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

#: Chunk size for hashing and copying: files are never held in memory whole.
CHUNK = 256 * 1024
#: An Office package may declare at most this many times the upload limit once expanded.
EXPANSION_FACTOR = 20
MAX_NAME = 255
#: A CharField's, so never None.
MAX_DESCRIPTION = cast(int, EvidenceFile._meta.get_field("description").max_length)


def evidence_storage() -> Storage:
    """The storage evidence lives in: `STORAGES["evidence"]`, else the default storage."""
    try:
        return storages["evidence"]
    except InvalidStorageError:
        return default_storage


def max_upload_bytes() -> int:
    """The largest file accepted, from `PDCA_MAX_UPLOAD_MB` (50 unless set)."""
    return int(float(getattr(settings, "PDCA_MAX_UPLOAD_MB", 50)) * 1024 * 1024)


def blob_name(sha256: str) -> str:
    """Where the bytes with this SHA-256 are stored (the same as `EvidenceFile.storage_name`)."""
    return f"evidence/{sha256[:2]}/{sha256}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


# --- checking an upload -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks: its hash, size, type by content and safe name."""

    sha256: str
    size: int
    filetype: filetypes.FileType
    name: str


def safe_name(name: str, filetype: filetypes.FileType) -> str:
    """A file name safe to show and to offer as a download: no folders, only letters, digits,
    dashes, underscores and dots, at most 255 characters, ending in the extension the content
    says (`../../etc/passwd.pdf` becomes `passwd.pdf`; a Word file named `a.pdf`, `a.docx`)."""
    base = re.split(r"[\\/]", name or "")[-1]
    try:
        cleaned = get_valid_filename(base).lstrip(".")
    except SuspiciousFileOperation:
        cleaned = ""
    if not cleaned or cleaned.startswith("-"):
        cleaned = f"file{cleaned}"
    cleaned = filetypes.with_extension(cleaned, filetype)
    if len(cleaned) > MAX_NAME:
        stem, _dot, extension = cleaned.rpartition(".")
        cleaned = f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"
    return cleaned


def _as_file(upload: Any) -> tuple[str, File]:
    """The name and file object of a Django upload or of a (name, bytes) pair."""
    if isinstance(upload, tuple):
        name, data = upload
        return str(name), ContentFile(bytes(data), name=str(name))
    return str(upload.name or ""), upload


def _refuse(message: str, code: str) -> ValidationFailed:
    return ValidationFailed.single("file", message, code)


def check_upload(name: str, file: File) -> CheckedUpload:
    """Hash the file while reading it once in chunks, and check it: not empty, not over the
    size limit, of an allowed type by its content. Raises ValidationFailed on `file`."""
    limit = max_upload_bytes()
    shown = get_valid_filename_or(name)
    declared = getattr(file, "size", None)
    too_big = f"{shown} is larger than the limit of {_megabytes(limit)}."
    if declared is not None and declared > limit:
        raise _refuse(too_big, "file_too_large")
    digest = hashlib.sha256()
    sniffer = filetypes.TextSniffer()
    head = b""
    size = 0
    for chunk in file.chunks(CHUNK):
        size += len(chunk)
        if size > limit:
            raise _refuse(too_big, "file_too_large")
        digest.update(chunk)
        sniffer.feed(chunk)
        if len(head) < filetypes.HEAD_BYTES:
            head += chunk[: filetypes.HEAD_BYTES - len(head)]
    if size == 0:
        raise _refuse(f"{shown} is empty.", "file_empty")
    try:
        filetype = filetypes.detect(
            head,
            cast(BinaryIO, file),  # Django's File passes on the file methods detect uses
            is_text=sniffer.finish(),
            name=name,
            expanded_limit=limit * EXPANSION_FACTOR,
        )
    except filetypes.Refused as exc:
        raise _refuse(
            f"{shown} is not accepted: {exc}. Upload a {filetypes.ALLOWED_SUMMARY} file.",
            "file_type",
        ) from None
    return CheckedUpload(digest.hexdigest(), size, filetype, safe_name(name, filetype))


def get_valid_filename_or(name: str) -> str:
    """The upload's name as shown in messages (its last part, made harmless)."""
    base = re.split(r"[\\/]", name or "")[-1]
    try:
        return get_valid_filename(base)[:100]
    except SuspiciousFileOperation:
        return "The file"


def _description(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_DESCRIPTION:
        raise ValidationFailed.single(
            "description", f"Keep the description to {MAX_DESCRIPTION} characters."
        )
    if "\x00" in value:
        raise ValidationFailed.single("description", "Must not contain a NUL character.")
    return value


# --- storing ------------------------------------------------------------------------------


def _write_blob(storage: Storage, name: str, file: File, size: int) -> bool:
    """Store the bytes under `name` unless they are there already; True when written here."""
    if storage.exists(name):
        try:
            intact_size = storage.size(name) == size
        except OSError:
            intact_size = False
        if intact_size:
            return False
        # Truncated or replaced bytes: this upload of the right content repairs them.
        storage.delete(name)
    file.seek(0)
    saved = storage.save(name, file)
    if saved != name:
        # A concurrent upload of the same bytes got there first (the storage chose another
        # name for ours): keep theirs, drop the copy.
        storage.delete(saved)
        return False
    return True


def _discard_unreferenced(storage: Storage, sha256: str) -> None:
    """Remove stored bytes no row refers to any more (a refused or deleted upload)."""
    if not EvidenceFile.objects.filter(sha256=sha256).exists():
        storage.delete(blob_name(sha256))


@transaction.atomic
def store_evidence(
    organization: Organization, upload: Any, *, actor: User, description: str = ""
) -> EvidenceFile:
    """Keep an uploaded file (a Django UploadedFile, or a (name, bytes) pair) as evidence of
    `organization`, and record the upload.

    The same content uploaded again in the same organization gives back its existing row
    (nothing new is written). The returned row's `created` attribute says which it was.
    """
    require(actor, "add", EvidenceFile, organization=organization)
    description = _description(description)
    name, file = _as_file(upload)
    checked = check_upload(name, file)
    existing = EvidenceFile.objects.filter(organization=organization, sha256=checked.sha256).first()
    if existing is not None:
        existing.created = False
        return existing
    storage = evidence_storage()
    written = _write_blob(storage, blob_name(checked.sha256), file, checked.size)
    try:
        with transaction.atomic():
            evidence = EvidenceFile.objects.create(
                organization=organization,
                sha256=checked.sha256,
                size=checked.size,
                content_type=checked.filetype.content_type,
                original_name=checked.name,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
                description=description,
            )
            changes = {k: [None, v] for k, v in snapshot(evidence).items() if v not in (None, "")}
            record_activity(
                actor=actor,
                action="upload",
                obj=evidence,
                changes=changes,
                message=f"Uploaded {checked.name} ({checked.filetype.label}, {checked.size} bytes)",
            )
    except IntegrityError:
        # The same bytes were stored in this organization by an upload running alongside.
        stored = EvidenceFile.objects.filter(
            organization=organization, sha256=checked.sha256
        ).first()
        if stored is None:
            if written:
                _discard_unreferenced(storage, checked.sha256)
            raise
        stored.created = False
        return stored
    except BaseException:
        if written:
            _discard_unreferenced(storage, checked.sha256)
        raise
    evidence.created = True
    return evidence


@transaction.atomic
def update_evidence(evidence: EvidenceFile, *, actor: User, description: str) -> EvidenceFile:
    """Change what is said about a file (its description); the bytes never change."""
    lock_for_update(evidence)
    require(actor, "change", evidence)
    before = snapshot(evidence)
    evidence.description = _description(description)
    save_changed(evidence)
    record_update(actor=actor, obj=evidence, before=before)
    return evidence


@transaction.atomic
def delete_evidence(evidence: EvidenceFile, *, actor: User) -> None:
    """Remove a file from the organization's evidence, refused while a document version (or
    any other record) uses it. The bytes go once no organization holds them any more."""
    require(actor, "delete", evidence)
    used = [str(v) for v in evidence.versions.select_related("document")[:5]]
    if used:
        raise Conflict(
            f"{evidence.original_name} is the file of {', '.join(used)}: it cannot be deleted.",
            code="evidence_in_use",
        )
    sha256 = evidence.sha256
    ensure_deletable(evidence)
    record_delete(actor=actor, obj=evidence)
    try:
        with transaction.atomic():
            evidence.delete()
    except ProtectedError:
        raise Conflict(
            f"{evidence.original_name} is used by other records: it cannot be deleted.",
            code="evidence_in_use",
        ) from None
    transaction.on_commit(lambda: _discard_unreferenced(evidence_storage(), sha256))


# --- reading and verifying ----------------------------------------------------------------


def hash_stored(storage: Storage, name: str) -> tuple[str, int] | None:
    """The SHA-256 and size of the stored bytes at `name`, or None when they are missing."""
    try:
        if not storage.exists(name):
            return None
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return None
    digest = hashlib.sha256()
    size = 0
    with handle:
        for chunk in handle.chunks(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass
class EvidenceDownload:
    """An evidence file ready to hand out: the open, verified bytes and how to name them."""

    file: File
    name: str
    content_type: str
    size: int

    def as_response(self) -> FileResponse:
        """An attachment response no browser renders in place (pages and API alike)."""
        response = FileResponse(
            self.file, as_attachment=True, filename=self.name, content_type=self.content_type
        )
        response["Content-Length"] = str(self.size)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


def _altered(evidence: EvidenceFile) -> Conflict:
    return Conflict(
        f"The stored bytes of {evidence.original_name} were altered or are missing; "
        "run pdca verify-evidence.",
        code="evidence_altered",
    )


@transaction.atomic
def open_evidence(evidence: EvidenceFile, *, actor: User) -> EvidenceDownload:
    """Open a file for download (who may see it may download it), after checking that the
    stored bytes are still those uploaded; the download is recorded in the activity log."""
    require(actor, "view", evidence)
    download = open_verified(evidence)
    record_activity(
        actor=actor,
        action="download",
        obj=evidence,
        message=f"Downloaded {evidence.original_name}",
    )
    return download


def open_verified(evidence: EvidenceFile) -> EvidenceDownload:
    """The stored bytes of `evidence`, checked against its SHA-256 (Conflict when altered or
    missing). No permission check and no log entry: the caller decided who may read it (the
    owner's members, or a provider under an access grant) and records the read."""
    storage = evidence_storage()
    found = hash_stored(storage, evidence.storage_name)
    if found is None or found[0] != evidence.sha256:
        raise _altered(evidence)
    try:
        handle = storage.open(evidence.storage_name, "rb")
    except (FileNotFoundError, OSError):
        raise _altered(evidence) from None
    return EvidenceDownload(handle, evidence.original_name, evidence.content_type, evidence.size)


@dataclass(frozen=True)
class AffectedFile:
    """A file row whose stored bytes have a problem."""

    id: int
    organization: str
    name: str


@dataclass(frozen=True)
class BlobProblem:
    """Stored bytes that are missing, or no longer hash to what was uploaded."""

    sha256: str
    kind: str  # missing | altered
    files: tuple[AffectedFile, ...]

    @property
    def message(self) -> str:
        what = "missing" if self.kind == "missing" else "altered (its SHA-256 no longer matches)"
        names = ", ".join(f"{f.organization}: {f.name} (#{f.id})" for f in self.files)
        return f"{blob_name(self.sha256)} is {what}; used by {names}"


@dataclass(frozen=True)
class EvidenceReport:
    """What `verify_evidence` found: stored files checked, intact, missing and altered."""

    checked: int
    files: int
    intact: int
    problems: list[BlobProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def missing(self) -> list[BlobProblem]:
        return [p for p in self.problems if p.kind == "missing"]

    @property
    def altered(self) -> list[BlobProblem]:
        return [p for p in self.problems if p.kind == "altered"]


def _rows(organization: Organization | None = None) -> models.QuerySet[EvidenceFile]:
    rows = EvidenceFile.objects.all()
    if organization is not None:
        rows = rows.filter(organization=organization)
    return rows


def count_stored(organization: Organization | None = None) -> int:
    """How many distinct stored files `verify_evidence` will check."""
    return _rows(organization).values("sha256").distinct().count()


def verify_evidence(
    progress: Callable[[str], object] | None = None, *, organization: Organization | None = None
) -> EvidenceReport:
    """Re-hash every distinct stored file that rows refer to (those of one organization when
    given) and report the missing and altered ones with the rows they affect.
    `progress(sha256)` is called before each file."""
    storage = evidence_storage()
    rows = (
        _rows(organization)
        .order_by("sha256", "organization__slug", "pk")
        .values_list("sha256", "pk", "organization__slug", "original_name")
        .iterator(chunk_size=2000)
    )
    checked = files = intact = 0
    problems: list[BlobProblem] = []
    for sha256, group in itertools.groupby(rows, key=lambda row: row[0]):
        affected = tuple(AffectedFile(pk, org, name) for _, pk, org, name in group)
        checked += 1
        files += len(affected)
        if progress:
            progress(sha256)
        found = hash_stored(storage, blob_name(sha256))
        if found is None:
            problems.append(BlobProblem(sha256, "missing", affected))
        elif found[0] != sha256:
            problems.append(BlobProblem(sha256, "altered", affected))
        else:
            intact += 1
    return EvidenceReport(checked=checked, files=files, intact=intact, problems=problems)
