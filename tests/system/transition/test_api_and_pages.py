"""The transition's API, pages and CLI: each role of the organization, the certification
body's roles and another organization; bad input; query counts; the plan after the move."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.system.models import AdoptedStandard, SystemTransition
from pdca.system.permissions import IMPLEMENTERS
from pdca.system.transition.services import transition_system
from pdca.tenancy.models import Organization
from tests.system.transition.conftest import make_scene, std
from tests.tenancy.factories import make_member

API = "/api/v1"
NEW = "iso9001-2026"


def page(system) -> str:
    return f"/systems/{system.pk}/transition/{NEW}/"


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_preview_and_move_by_role(client, scene, personas, role):
    login(client, personas.users[role])
    preview = client.get(f"{API}/systems/{scene.system.pk}/transitions/preview/?to={NEW}")
    html = client.get(page(scene.system))
    move = client.post(
        f"{API}/systems/{scene.system.pk}/transitions/",
        {"to": NEW},
        content_type="application/json",
    )
    if role in IMPLEMENTERS:
        assert preview.status_code == 200, preview.content
        assert html.status_code == 200
        assert move.status_code == 201, move.content
        assert move.json()["new_standard"] == NEW
    else:
        expected = 403 if role in ORGANIZATION_ROLES else 404
        assert (preview.status_code, html.status_code, move.status_code) == (expected,) * 3
        assert not SystemTransition.objects.exists()


def test_another_organization_gets_404_everywhere(client, scene, personas):
    login(client, personas.outsider)
    base = f"{API}/systems/{scene.system.pk}/transitions/"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}preview/?to={NEW}").status_code == 404
    assert client.post(base, {"to": NEW}, content_type="application/json").status_code == 404
    assert client.get(f"{base}{NEW}/plan/").status_code == 404
    assert client.get(page(scene.system)).status_code == 404
    assert not SystemTransition.objects.exists()


def test_the_list_names_the_next_editions_and_the_moves_done(client, scene, personas):
    login(client, personas.manager)
    data = client.get(f"{API}/systems/{scene.system.pk}/transitions/").json()
    nxt = {row["next"]["code"]: row for row in data["next_editions"]}
    assert nxt[NEW]["current"]["full_name"].startswith("ISO 9001:2015")
    assert nxt[NEW]["next"]["provisional"] is True
    assert nxt[NEW]["transition_ends"]
    assert data["done"] == []
    transition_system(scene.system, std(NEW), actor=personas.manager)
    data = client.get(f"{API}/systems/{scene.system.pk}/transitions/").json()
    assert [d["new_standard"] for d in data["done"]] == [NEW]
    assert NEW not in {row["next"]["code"] for row in data["next_editions"]}


def test_bad_input_gets_a_clear_4xx_and_writes_nothing(client, scene, personas):
    login(client, personas.manager)
    count = ActivityEntry.objects.count()
    base = f"{API}/systems/{scene.system.pk}/transitions/"
    unknown = client.post(base, {"to": "iso9999-2099"}, content_type="application/json")
    assert unknown.status_code == 422
    assert "to" in unknown.content.decode()
    not_a_successor = client.post(base, {"to": "iso45001-2018"}, content_type="application/json")
    assert not_a_successor.status_code == 422
    assert client.post(base, {}, content_type="application/json").status_code == 422
    assert client.get(f"{base}preview/?to=nope").status_code == 404
    assert client.get(f"{base}{NEW}/plan/").status_code == 404
    assert ActivityEntry.objects.count() == count
    assert client.post(base, {"to": NEW}, content_type="application/json").status_code == 201
    again = client.post(base, {"to": NEW}, content_type="application/json")
    assert again.status_code == 409


def test_the_plan_gives_gaps_owners_readiness_and_deadline(client, scene, personas):
    transition_system(scene.system, std(NEW), actor=personas.manager)
    login(client, personas.employee)
    data = client.get(f"{API}/systems/{scene.system.pk}/transitions/{NEW}/plan/").json()
    assert data["transition_ends"] and data["dates_provisional"] is True
    gaps = {g["number"]: g for g in data["gaps"]}
    assert gaps["6.1.3"]["status"] == "not_started"
    assert gaps["6.1.3"]["owner"] == personas.manager.email
    assert data["readiness_percent"] is not None
    html = client.get(page(scene.system)).content.decode()
    assert "Transition plan" in html and "6.1.3" in html and "provisional" in html


def test_the_preview_page_lists_every_register_and_the_system_page_offers_it(
    client, scene, personas
):
    login(client, personas.manager)
    html = client.get(page(scene.system)).content.decode()
    for title in ("Exclusions", "Gap assessment items", "Audit programme", "Requirement links"):
        assert title in html
    home = client.get(f"/systems/{scene.system.pk}/").content.decode()
    assert "Preview the move" in home and page(scene.system) in home
    response = client.post(page(scene.system))
    assert response.status_code == 302
    assert AdoptedStandard.objects.get(system=scene.system, standard__code=NEW).dropped_on is None


def test_unknown_editions_are_404(client, scene, personas):
    login(client, personas.manager)
    assert client.get(f"/systems/{scene.system.pk}/transition/iso45001-2018/").status_code == 404
    assert client.get(f"/systems/{scene.system.pk}/transition/nope/").status_code == 404


def test_pages_and_api_do_not_grow_with_rows(client, personas, catalog):
    small = make_scene(personas)
    big_org = Organization.objects.create(name="Big", slug="big")
    big_manager = make_member(big_org, "system_manager").user
    big = make_scene(personas, org=big_org, manager=big_manager, extra_documents=25)

    def cost(system, user):
        login(client, user)
        return (
            count_queries(lambda: client.get(page(system)))[0],
            count_queries(
                lambda: client.get(f"{API}/systems/{system.pk}/transitions/preview/?to={NEW}")
            )[0],
        )

    assert cost(small.system, personas.manager) == cost(big.system, big_manager)
    transition_system(small.system, std(NEW), actor=personas.manager)
    transition_system(big.system, std(NEW), actor=big_manager)
    assert cost(small.system, personas.manager) == cost(big.system, big_manager)


def test_cli_dry_run_then_move(scene, personas):
    runner = CliRunner()
    args = [
        "system",
        "transition",
        str(scene.system.pk),
        "--to",
        NEW,
        "--as",
        personas.manager.email,
    ]
    dry = runner.invoke(app, [*args, "--dry-run", "--format", "json"])
    assert dry.exit_code == 0, dry.output
    data = json.loads(dry.output)
    assert data["dry_run"] is True and data["from"] == "iso9001-2015"
    assert not SystemTransition.objects.exists()
    listed = runner.invoke(app, ["system", "list", "--format", "json"])
    assert NEW in listed.output
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert SystemTransition.objects.filter(system=scene.system).exists()
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    employee = runner.invoke(
        app, ["system", "transition", str(scene.system.pk), "--to", NEW, "--as", "nobody@x.example"]
    )
    assert employee.exit_code == 1
