"""`pdca backup` and `pdca restore`: the demo round-trips through an archive into a fresh
SQLite database, and a damaged archive is refused before anything changes."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from pdca.interop import backup

SRC = Path(__file__).resolve().parents[2] / "src"


def _restore(tmp_path, archive: Path, database: Path, *extra: str):
    """`pdca restore` in a fresh interpreter, with production settings and its own folders."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PDCA_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")])),
        DJANGO_SETTINGS_MODULE="pdca.settings",
        PDCA_SECRET_KEY="restore-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        PDCA_VAR_DIR=str(tmp_path / "var"),
        PDCA_EVIDENCE_ROOT=str(tmp_path / "restored-evidence"),
        DATABASE_URL=f"sqlite:///{database}",
        COLUMNS="200",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pdca.cli", "restore", str(archive), *extra],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Messages as one line each, however the console wrapped them.
    result.stderr = " ".join(result.stderr.split())
    return result


def _rows_here() -> dict[str, list]:
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        found = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            found[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    return found


def _rows_in(path: Path) -> dict[str, list]:
    # Read with the column types Django's own connection converts, as `_rows_here` reads.
    db = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            t: sorted((tuple(r) for r in db.execute(f'SELECT * FROM "{t}"')), key=repr)
            for t in tables
        }
    finally:
        db.close()


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the archive with `change(name, data)` applied to each member (None drops it)."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for info in old:
            data = old.extractfile(info).read()
            data = change(info.name, data)
            if data is None:
                continue
            copy = tarfile.TarInfo(info.name)
            copy.size = len(data)
            new.addfile(copy, io.BytesIO(data))
    return target


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the round trip runs on SQLite (pg_dump on PostgreSQL)"
)
# Committed data: SQLite's backup API waits for a connection's open write transaction to end.
@pytest.mark.django_db(transaction=True)
def test_the_demo_round_trips_into_a_fresh_database_and_damage_is_refused(catalog, tmp_path):
    from pdca.demo import load_demo
    from pdca.documents.models import EvidenceFile

    load_demo()
    archive = tmp_path / "pdca-backup.tar"
    result = backup.create_backup(archive)
    assert result.problems == []
    stored = set(EvidenceFile.objects.values_list("sha256", flat=True))
    assert stored and result.evidence_files == len(stored)

    # A damaged archive is refused before anything is touched: no database file appears.
    fresh = tmp_path / "fresh.sqlite3"
    with tarfile.open(archive) as opened:
        evidence = next(n for n in opened.getnames() if n.startswith("evidence/"))
    flipped = _rewrite(
        archive,
        tmp_path / "flipped.tar",
        lambda name, data: data[:-1] + bytes([data[-1] ^ 1]) if name == evidence else data,
    )
    refused = _restore(tmp_path, flipped, fresh)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "does not match its SHA-256 in the manifest" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    assert not fresh.exists() or _rows_in(fresh) == {}

    restored = _restore(tmp_path, archive, fresh)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "OK:" in restored.stdout
    here, there = _rows_here(), _rows_in(fresh)
    assert sorted(here) == sorted(there)
    for table, rows in here.items():
        assert len(rows) == len(there[table]), table
        assert rows == there[table], table
    assert len(here["documents_evidencefile"]) == len(EvidenceFile.objects.all())
    for sha256 in stored:
        blob = tmp_path / "restored-evidence" / "evidence" / sha256[:2] / sha256
        assert blob.is_file()

    # Restoring again over the data now there needs --force.
    again = _restore(tmp_path, archive, fresh)
    assert again.returncode == 1
    assert "already holds" in again.stderr and "--force" in again.stderr


@pytest.fixture
def small_archive(tmp_path):
    """A hand-made valid archive: a database member and one evidence file."""
    import hashlib

    database = b"SQLite format 3\x00" + b"\x00" * 100
    blob = b"%PDF-1.4 evidence"
    sha = hashlib.sha256(blob).hexdigest()
    members = {"database.sqlite3": database, f"evidence/{sha[:2]}/{sha}": blob}
    manifest = {
        "format": backup.FORMAT,
        "version": backup.VERSION,
        "database": {"vendor": "sqlite", "member": "database.sqlite3", "migrations": []},
        "files": [
            {"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for n, d in members.items()
        ],
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / "small.tar"
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_a_valid_archive_passes_the_check(small_archive, tmp_path):
    checked = backup.check_archive(small_archive, tmp_path / "out")
    assert checked.vendor == "sqlite"
    assert len(checked.evidence()) == 1


def _manifest_edit(edit):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda n, d: d + b"x" if n == "database.sqlite3" else d, "does not match its SHA-256"),
        (lambda n, d: None if n.startswith("evidence/") else d, "listed in the manifest but"),
        (lambda n, d: None if n == "manifest.json" else d, "has no manifest.json"),
        (lambda n, d: b"{not json" if n == "manifest.json" else d, "is not JSON"),
        (_manifest_edit(lambda m: m.update(format="zip")), "not a pdca backup manifest"),
        (_manifest_edit(lambda m: m.update(version=99)), "format version 99"),
        (_manifest_edit(lambda m: m["files"].pop()), "is in the archive but not in the manifest"),
        (
            _manifest_edit(lambda m: m["files"].append(dict(m["files"][0], name="../x"))),
            "unsafe name",
        ),
    ],
    ids=[
        "altered",
        "missing",
        "no-manifest",
        "bad-json",
        "format",
        "version",
        "unlisted",
        "unsafe",
    ],
)
def test_a_damaged_archive_is_refused(small_archive, tmp_path, change, message):
    damaged = _rewrite(small_archive, tmp_path / "damaged.tar", change)
    with pytest.raises(backup.BackupError) as exc_info:
        backup.check_archive(damaged, tmp_path / "out")
    assert message in str(exc_info.value)
    assert "Nothing was changed" in str(exc_info.value)


def test_a_file_that_is_no_archive_is_refused(tmp_path):
    path = tmp_path / "backup.tar"
    path.write_bytes(b"not a tar file at all" * 100)
    with pytest.raises(backup.BackupError, match="cannot be read as a tar archive"):
        backup.check_archive(path, tmp_path / "out")


def test_without_the_postgresql_client_tools_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError) as exc_info:
        backup._pg_tool("pg_dump")
    assert "pg_dump was not found" in str(exc_info.value)
    assert "apt-get install postgresql-client" in str(exc_info.value)
