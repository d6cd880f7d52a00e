"""A backup of an install, and its restore: one archive holding the database and the evidence
files, with a manifest of their SHA-256 hashes.

The archive is a tar file (gzip-compressed when its name ends in `.gz` or `.tgz`):

    database.sqlite3 | database.pgdump   the database (see below)
    evidence/ab/<sha256>                 every stored evidence file that a row refers to
    manifest.json                        format, version, when, the database's vendor and
                                         applied migrations, and every other member with its
                                         size and SHA-256

The database copy is consistent: SQLite's online backup API copies a snapshot while pdca keeps
running; PostgreSQL is dumped by `pg_dump` in its custom format (one transaction snapshot) and
restored by `pg_restore`. Without the PostgreSQL client tools the commands stop with a message
saying what to install: a JSON dump through Django (`dumpdata`) reads table after table without
one snapshot and is slower by far, so it is not offered as a silent fallback
(docs/backup-restore.md).

A restore checks the whole archive before touching anything: the manifest must be there and
of this format, every member must be listed, every listed member present, every size and
hash right, and every evidence file named by its own hash. Only then does it replace the
configured database (refusing one that holds users or organizations unless forced), write the
evidence files into the evidence storage, apply any newer migrations, and run the checks of
`pdca verify-log` and `pdca verify-evidence`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

FORMAT = "pdca-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
CHUNK = 1024 * 1024
EVIDENCE_MEMBER = re.compile(r"^evidence/([0-9a-f]{2})/([0-9a-f]{64})$")

#: progress(step, done, total): `step` names what is being done, `total` may be 0 (unknown).
ProgressFn = Callable[[str, int, int], None]


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    vendor: str
    evidence_files: int = 0
    size: int = 0
    #: Evidence files a row refers to that are missing or altered in the store (backed up as
    #: found, or not at all when missing).
    problems: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    vendor: str
    evidence_files: int = 0
    chains: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _noop(step: str, done: int, total: int) -> None:
    pass


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _HashingReader:
    """Reads from `source` while hashing what passes through (for tar.addfile)."""

    def __init__(self, source: _Readable) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _pdca_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pdca")
    except PackageNotFoundError:
        return "unknown"


def _connection():
    from django.db import connection

    return connection


def _vendor() -> str:
    vendor = _connection().vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _applied_migrations() -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(_connection())
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _known_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


# --- PostgreSQL client tools -----------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found. Backups of a PostgreSQL database use the PostgreSQL client "
            f"tools: install them (Debian: apt-get install postgresql-client; use the major "
            f"version of the server or newer) so that `{name}` is on the PATH, then try again."
        )
    return path


def _pg_arguments() -> tuple[list[str], dict[str, str]]:
    db = _connection().settings_dict
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    args += ["--dbname", str(db["NAME"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run_pg(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - the tool's path and our own arguments
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-2000:]}")


# --- backup ----------------------------------------------------------------------------------


def _copy_sqlite(target: Path, progress: ProgressFn) -> None:
    connection = _connection()
    if connection.in_atomic_block:
        # SQLite's backup API would wait forever for this connection's own transaction.
        raise BackupError("A backup cannot be taken inside a database transaction.")
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:

        def step(status: int, remaining: int, total: int) -> None:
            progress("Copying the database", total - remaining, total)

        # Online backup API: a consistent snapshot, even while pdca keeps writing.
        connection.connection.backup(destination, pages=1024, progress=step)
    finally:
        destination.close()


def _dump_postgres(target: Path, progress: ProgressFn) -> None:
    tool = _pg_tool("pg_dump")
    args, env = _pg_arguments()
    progress("Dumping the database (pg_dump)", 0, 0)
    command = [tool, "--format=custom", "--no-owner", "--no-privileges", *args]
    _run_pg([*command, "--file", str(target)], env)
    progress("Dumping the database (pg_dump)", 1, 1)


def _evidence_hashes() -> list[str]:
    from pdca.documents.models import EvidenceFile

    return sorted(set(EvidenceFile.objects.values_list("sha256", flat=True)))


def _read_copy(copy: Path) -> tuple[list[str], list[str]]:
    """(applied migrations, evidence hashes) as the SQLite copy has them: exactly the files
    its rows refer to, whatever happened in the live database since."""
    from django.db.migrations.recorder import MigrationRecorder

    from pdca.documents.models import EvidenceFile

    db = sqlite3.connect(copy)
    try:
        migrations = sorted(
            f"{app}.{name}"
            for app, name in db.execute(
                f'SELECT app, name FROM "{MigrationRecorder.Migration._meta.db_table}"'  # noqa: S608
            )
        )
        hashes = sorted(
            sha256
            for (sha256,) in db.execute(
                f'SELECT DISTINCT sha256 FROM "{EvidenceFile._meta.db_table}"'  # noqa: S608
            )
        )
    except sqlite3.Error as exc:
        raise BackupError(
            f"The database cannot be read as pdca's ({exc}): migrate it first."
        ) from None
    finally:
        db.close()
    return migrations, hashes


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    archive.add(str(path), arcname=name, recursive=False)
    return {"name": name, "size": path.stat().st_size, "sha256": _sha256_file(path)}


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    return info


def create_backup(path: str | Path, *, progress: ProgressFn | None = None) -> BackupResult:
    """Write an archive of the database and the evidence files to `path` (see the module's
    doc). The archive appears under its name only once it is complete."""
    from pdca.documents.evidence.services import blob_name, evidence_storage

    progress = progress or _noop
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder: give the archive's file name.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    vendor = _vendor()
    result = BackupResult(path=path, vendor=vendor)
    compressed = path.name.endswith((".gz", ".tgz"))
    partial = path.with_name(path.name + ".partial")
    files: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="pdca-backup-") as work:
        if vendor == "sqlite":
            member, copy = SQLITE_MEMBER, Path(work) / SQLITE_MEMBER
            _copy_sqlite(copy, progress)
        else:
            member, copy = POSTGRES_MEMBER, Path(work) / POSTGRES_MEMBER
            _dump_postgres(copy, progress)
        migrations, hashes = (
            _read_copy(copy) if vendor == "sqlite" else (_applied_migrations(), _evidence_hashes())
        )
        storage = evidence_storage()
        try:
            with tarfile.open(partial, "w:gz" if compressed else "w") as archive:
                progress("Adding the database", 0, 1)
                files.append(_add_file(archive, member, copy))
                progress("Adding the database", 1, 1)
                for done, sha256 in enumerate(hashes, start=1):
                    name = blob_name(sha256)
                    try:
                        size = storage.size(name)
                        source = storage.open(name, "rb")
                    except (FileNotFoundError, OSError):
                        result.problems.append(f"{name}: missing from the evidence store")
                        continue
                    with source:
                        reader = _HashingReader(source)
                        archive.addfile(_tarinfo(name, size), reader)
                    if reader.size != size or reader.digest.hexdigest() != sha256:
                        result.problems.append(
                            f"{name}: altered in the evidence store (backed up as found)"
                        )
                    files.append({"name": name, "size": size, "sha256": reader.digest.hexdigest()})
                    result.evidence_files += 1
                    progress("Adding evidence files", done, len(hashes))
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "pdca_version": _pdca_version(),
                    "database": {"vendor": vendor, "member": member, "migrations": migrations},
                    "files": files,
                }
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                archive.addfile(_tarinfo(MANIFEST, len(data)), io.BytesIO(data))
            os.replace(partial, path)
        finally:
            if partial.exists():
                partial.unlink()
    result.size = path.stat().st_size
    return result


# --- checking an archive -----------------------------------------------------------------


@dataclass
class CheckedArchive:
    """An archive whose every member was extracted into `folder` and matched its manifest."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def vendor(self) -> str:
        return self.manifest["database"]["vendor"]

    @property
    def database(self) -> Path:
        return self.folder / self.manifest["database"]["member"]

    def evidence(self) -> list[tuple[str, Path]]:
        return [
            (f["name"], self.folder / f["name"])
            for f in self.manifest["files"]
            if EVIDENCE_MEMBER.match(f["name"])
        ]


def _refuse(path: Path, why: str) -> BackupError:
    return BackupError(f"{path} is not a usable pdca backup: {why}. Nothing was changed.")


def _safe_member_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name


def _check_manifest(path: Path, manifest: Any) -> dict[str, Any]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(path, "its manifest is not a pdca backup manifest")
    if manifest.get("version") != VERSION:
        raise _refuse(path, f"its format version {manifest.get('version')!r} is not {VERSION}")
    database = manifest.get("database")
    files = manifest.get("files")
    if not isinstance(database, dict) or not isinstance(files, list):
        raise _refuse(path, "its manifest lacks the database or the file list")
    vendor = database.get("vendor")
    members = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}
    expected = members.get(vendor) if isinstance(vendor, str) else None
    if expected is None or database.get("member") != expected:
        raise _refuse(path, "its manifest names no database this version can restore")
    if not isinstance(database.get("migrations"), list):
        raise _refuse(path, "its manifest lacks the applied migrations")
    names = []
    for entry in files:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str)
            and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
        ):
            raise _refuse(path, "its manifest has a malformed file entry")
        name = entry["name"]
        if name == MANIFEST or not _safe_member_name(name):
            raise _refuse(path, f"its manifest lists an unsafe name {name[:100]!r}")
        if name != expected and not EVIDENCE_MEMBER.match(name):
            raise _refuse(path, f"its manifest lists an unknown member {name[:100]!r}")
        names.append(name)
    if len(set(names)) != len(names):
        raise _refuse(path, "its manifest lists a member twice")
    if expected not in names:
        raise _refuse(path, "its manifest does not list the database")
    return manifest


def check_archive(
    path: str | Path, folder: str | Path, *, progress: ProgressFn | None = None
) -> CheckedArchive:
    """Extract the archive at `path` into `folder` and check every member against the
    manifest; raise BackupError naming the first problem."""
    progress = progress or _noop
    path, folder = Path(path), Path(folder)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    seen: dict[str, tuple[int, str]] = {}
    manifest_data: bytes | None = None
    total = path.stat().st_size
    try:
        with tarfile.open(path, "r:*") as archive:
            raw = archive.fileobj  # the file opened from `path`, for the progress
            assert raw is not None
            for info in archive:
                name = info.name
                if not info.isfile() or not _safe_member_name(name):
                    raise _refuse(path, f"it holds {name[:100]!r}, which is not a plain file")
                if name in seen or (name == MANIFEST and manifest_data is not None):
                    raise _refuse(path, f"it holds {name[:100]!r} twice")
                source = archive.extractfile(info)
                if source is None:
                    raise _refuse(path, f"{name[:100]!r} cannot be read")
                if name == MANIFEST:
                    if info.size > 64 * 1024 * 1024:
                        raise _refuse(path, "its manifest is too large")
                    manifest_data = source.read()
                    continue
                if not (name in (SQLITE_MEMBER, POSTGRES_MEMBER) or EVIDENCE_MEMBER.match(name)):
                    raise _refuse(path, f"it holds an unknown member {name[:100]!r}")
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                seen[name] = (size, digest.hexdigest())
                progress("Checking the archive", min(raw.tell(), total), total)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise _refuse(path, f"it cannot be read as a tar archive ({exc})") from None
    if manifest_data is None:
        raise _refuse(path, f"it has no {MANIFEST}")
    try:
        manifest = json.loads(manifest_data)
    except ValueError:
        raise _refuse(path, f"its {MANIFEST} is not JSON") from None
    manifest = _check_manifest(path, manifest)
    listed = {f["name"]: f for f in manifest["files"]}
    for name in sorted(set(listed) - set(seen)):
        raise _refuse(path, f"{name} is listed in the manifest but missing")
    for name in sorted(set(seen) - set(listed)):
        raise _refuse(path, f"{name} is in the archive but not in the manifest")
    for name, entry in sorted(listed.items()):
        size, sha256 = seen[name]
        if size != entry["size"] or sha256 != entry["sha256"]:
            raise _refuse(path, f"{name} does not match its SHA-256 in the manifest (damaged)")
        found = EVIDENCE_MEMBER.match(name)
        if found and found.group(2) != sha256:
            raise _refuse(path, f"{name} is not named by its own SHA-256")
    progress("Checking the archive", total, total)
    return CheckedArchive(folder=folder, manifest=manifest)


# --- restore ---------------------------------------------------------------------------------


def database_contents() -> tuple[int, int]:
    """(users, organizations) in the configured database; (0, 0) when it has no tables."""
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

    tables = set(_connection().introspection.table_names())
    users = User.objects.count() if User._meta.db_table in tables else 0
    organizations = Organization.objects.count() if Organization._meta.db_table in tables else 0
    return users, organizations


def _restore_sqlite(source: Path, progress: ProgressFn) -> None:
    connection = _connection()
    name = str(connection.settings_dict["NAME"])
    connection.close()
    origin = sqlite3.connect(source)
    target = sqlite3.connect(name, uri=name.startswith("file:"))
    try:

        def step(status: int, remaining: int, total: int) -> None:
            progress("Restoring the database", total - remaining, total)

        origin.backup(target, pages=1024, progress=step)
    finally:
        target.close()
        origin.close()


def _restore_postgres(source: Path, progress: ProgressFn) -> None:
    tool = _pg_tool("pg_restore")
    _connection().close()
    args, env = _pg_arguments()
    progress("Restoring the database (pg_restore)", 0, 0)
    _run_pg(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(source),
        ],
        env,
    )
    progress("Restoring the database (pg_restore)", 1, 1)


def _restore_evidence(checked: CheckedArchive, progress: ProgressFn) -> int:
    from django.core.files import File

    from pdca.documents.evidence.services import evidence_storage, hash_stored

    storage = evidence_storage()
    members = checked.evidence()
    written = 0
    for done, (name, local) in enumerate(members, start=1):
        sha256 = EVIDENCE_MEMBER.match(name).group(2)  # type: ignore[union-attr]
        found = hash_stored(storage, name)
        if found is None or found[0] != sha256:
            if storage.exists(name):
                storage.delete(name)
            with open(local, "rb") as f:
                saved = storage.save(name, File(f, name=name))
            if saved != name:
                raise BackupError(f"The evidence storage saved {name} as {saved}; stopped.")
            written += 1
        progress("Restoring evidence files", done, len(members))
    return written


def restore_backup(
    path: str | Path, *, force: bool = False, progress: ProgressFn | None = None
) -> RestoreResult:
    """Check the archive, then restore it into the configured database and evidence storage
    and verify the result (see the module's doc). Raises BackupError before changing anything
    when the archive or the target is not right."""
    from django.core.management import call_command

    from pdca.core.activity import verify_log
    from pdca.documents.evidence.services import verify_evidence

    progress = progress or _noop
    vendor = _vendor()
    with tempfile.TemporaryDirectory(prefix="pdca-restore-") as work:
        checked = check_archive(path, work, progress=progress)
        if checked.vendor != vendor:
            raise BackupError(
                f"This backup holds a {checked.vendor} database, but the configured database "
                f"is {vendor}. Nothing was changed."
            )
        newer = sorted(set(checked.manifest["database"]["migrations"]) - _known_migrations())
        if newer:
            raise BackupError(
                "This backup comes from a newer pdca (its database has migrations this "
                f"version does not know: {', '.join(newer[:5])}). Install that version or a "
                "later one first. Nothing was changed."
            )
        users, organizations = database_contents()
        if (users or organizations) and not force:
            raise BackupError(
                f"The configured database already holds {users} user(s) and {organizations} "
                "organization(s). Restore into an empty database, or pass --force to replace "
                "everything in it. Nothing was changed."
            )
        if vendor == "sqlite":
            _restore_sqlite(checked.database, progress)
        else:
            _restore_postgres(checked.database, progress)
        result = RestoreResult(vendor=vendor)
        result.evidence_files = _restore_evidence(checked, progress)
    # A backup from an older pdca gets this version's tables and columns.
    call_command("migrate", interactive=False, verbosity=0)
    report = verify_log(progress=lambda chain: progress("Verifying the activity log", 0, 0))
    result.chains, result.entries = report.chains, report.entries
    result.problems += [f"activity log {p.chain}: {p.message} ({p.kind})" for p in report.problems]
    evidence = verify_evidence(lambda sha256: progress("Verifying evidence files", 0, 0))
    result.problems += [f"evidence {p.kind}: {p.message}" for p in evidence.problems]
    return result
