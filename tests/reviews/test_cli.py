"""`pdca review …`, run in-process with typer's CliRunner on the test database: the lists
show the ids the other commands ask for, the steps run as the member named by --as (refusals
exit non-zero and write nothing), and the pack writes the minutes as PDF and DOCX."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.roles import Role
from pdca.reviews.models import ManagementReview

from .factories import make_output, make_review

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(app, ["review", *map(str, args)], prog_name="pdca")


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_lists_give_the_ids_the_steps_ask_for(catalog, personas):
    review = make_review(personas.org)
    make_output(personas.org, 1, review=review)
    systems = as_json(run("systems", "--org", personas.org.slug, "--format", "json"))
    assert [s["system"] for s in systems] == [review.system_id]
    reviews = as_json(run("list", "--org", personas.org.slug, "--format", "json"))
    assert [r["id"] for r in reviews] == [review.pk]
    actions = as_json(run("actions", "--org", personas.org.slug, "--open", "--format", "json"))
    assert [a["review"] for a in actions] == [review.pk]
    action = actions[0]["id"]
    assert run("close", action, "--outcome", "Done", "--as", personas.employee.email).exit_code == 1
    result = run("close", action, "--outcome", "Hired", "--as", personas.manager.email)
    assert result.exit_code == 0, result.output
    assert as_json(run("actions", "--org", personas.org.slug, "--open", "--format", "json")) == []


def test_the_steps_run_as_the_member_named(catalog, personas, tmp_path):
    review = make_review(personas.org)
    manager = personas.manager.email
    assert run("compile", review.pk).exit_code == 2  # says who
    result = run("compile", review.pk, "--as", manager)
    assert result.exit_code == 0, result.output
    assert review.inputs.count() == 11
    assert "Nonconformities" in run("inputs", review.pk).output
    refused = run("hold", review.pk, "--as", personas.employee.email)
    assert refused.exit_code == 1
    assert ManagementReview.objects.get(pk=review.pk).status == "planned"
    assert run("hold", review.pk, "--as", manager).exit_code == 0
    refused = run("approve", review.pk, "--as", personas.users[Role.TOP_MANAGEMENT].email)
    assert refused.exit_code == 1
    assert "Refused; nothing was written." in refused.output
    pdf, docx = tmp_path / "minutes.pdf", tmp_path / "minutes.docx"
    result = run("pack", review.system_id, "--pdf", pdf, "--docx", docx)
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF") and docx.read_bytes().startswith(b"PK")


def test_the_interval_is_set_as_a_reviewer(catalog, personas):
    review = make_review(personas.org)
    result = run("interval", review.system_id, 6, "--as", personas.manager.email)
    assert result.exit_code == 0, result.output
    systems = as_json(run("systems", "--org", personas.org.slug, "--format", "json"))
    assert systems[0]["interval_months"] == 6
    assert run("interval", review.system_id, 60, "--as", personas.manager.email).exit_code == 1
