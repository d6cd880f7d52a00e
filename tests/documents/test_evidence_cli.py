"""`pdca verify-evidence`, run in-process with typer's CliRunner on the test database: an
intact store passes; an altered and a missing file are both reported and the exit code is 1."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pdca.documents.evidence.cli import verify_evidence_command
from tests.documents.test_evidence_services import make_evidence, temporary_evidence_storage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_storage")]

# Mounted here as the project's `pdca` command mounts it, so the tests do not depend on it.
root = typer.Typer()
root.command("verify-evidence")(verify_evidence_command)
root.command("other")(lambda: None)  # two commands, so the name is part of the command line


@pytest.fixture
def evidence_storage(settings, tmp_path):
    return temporary_evidence_storage(settings, tmp_path)


def run(*args):
    return CliRunner().invoke(root, [str(a) for a in args], prog_name="pdca")


def test_help():
    result = run("verify-evidence", "--help")
    assert result.exit_code == 0, result.output
    assert "Usage: pdca verify-evidence [OPTIONS]" in result.output
    assert "--org" in result.output


def test_an_intact_store_passes(personas):
    make_evidence(personas.org, 0)
    make_evidence(personas.org, 1)
    make_evidence(personas.other, 0, content=b"Evidence 0 of org-a\n")
    result = run("verify-evidence")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 2 stored files verified (3 evidence files)."


def test_altered_and_missing_files_are_reported(personas, evidence_storage):
    make_evidence(personas.org, 0)
    altered = make_evidence(personas.org, 1, name="minutes.txt")
    missing = make_evidence(personas.other, 2, name="log.txt")
    Path(evidence_storage.path(altered.storage_name)).write_bytes(b"rewritten\n")
    Path(evidence_storage.path(missing.storage_name)).unlink()
    result = run("verify-evidence")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert (
        f"ALTERED evidence/{altered.sha256[:2]}/{altered.sha256} is altered (its SHA-256 no "
        f"longer matches); used by org-a: minutes.txt (#{altered.pk})" in lines
    )
    assert (
        f"MISSING evidence/{missing.sha256[:2]}/{missing.sha256} is missing; used by org-b: "
        f"log.txt (#{missing.pk})" in lines
    )
    assert lines[-1] == "1 missing and 1 altered of 3 stored files; 1 intact."


def test_one_organization(personas, evidence_storage):
    make_evidence(personas.org, 0)
    missing = make_evidence(personas.other, 2)
    Path(evidence_storage.path(missing.storage_name)).unlink()
    result = run("verify-evidence", "--org", "org-a")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 1 stored files verified (1 evidence files)."
    assert run("verify-evidence", "--org", "org-b").exit_code == 1


def test_an_unknown_organization(personas):
    result = run("verify-evidence", "--org", "nope")
    assert result.exit_code == 1
    assert "No organization with the short name 'nope'." in result.output
