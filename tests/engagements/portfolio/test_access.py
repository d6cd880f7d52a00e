"""Who sees the portfolio, on the page, in the API and on the command line: a consultancy's
consultants and managers see their clients; its employees, a client's own system manager, a
certification body's people and an outsider get a clear refusal (the page explains, the API
answers 403 `not_consultant`, the CLI exits 1), anonymous callers sign in. A client's pages are
linked only for a member of that client; the same queries whatever the number of clients."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from tests.engagements.portfolio.scenario import TODAY, build, grow

pytestmark = pytest.mark.usefixtures("catalog")

PAGE, API = "/portfolio/", "/api/v1/portfolio/"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("pdca.engagements.portfolio.selectors.local_today", lambda: TODAY)


@pytest.fixture
def world(personas):
    return build(personas)


def viewer(world, personas, who: str):
    return {
        "principal": world.principal,
        "consultant": world.consultant,
        "employee": world.employee,
        "client manager": personas.manager,
        "client consultant": personas.users[Role.CONSULTANT],
        "cb manager": personas.users[Role.CB_MANAGER],
        "cb auditor": personas.users[Role.AUDITOR],
        "outsider": personas.outsider,
    }[who]


#: (who, sees the portfolio, the words of the refusal)
MATRIX = [
    ("principal", True, ""),
    ("consultant", True, ""),
    ("employee", False, "Your role (Employee) in Bright Path Consulting does not show"),
    ("client manager", False, "you are not a member of a consultancy organization"),
    ("client consultant", False, "you are not a member of a consultancy organization"),
    ("cb manager", False, "you are not a member of a consultancy organization"),
    ("cb auditor", False, "you are not a member of a consultancy organization"),
    ("outsider", False, "you are not a member of a consultancy organization"),
]


def test_the_url_name():
    assert reverse("engagements:portfolio") == PAGE


def test_anonymous_callers_sign_in_first(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(API).status_code == 401


@pytest.mark.parametrize(("who", "sees", "words"), MATRIX)
def test_page_by_person(client, world, personas, who, sees, words):
    login(client, viewer(world, personas, who))
    response = client.get(PAGE)
    html = response.content.decode()
    if sees:
        assert response.status_code == 200
        assert [c.name for c in response.context["p"].clients] == ["Org A", "Acme Ltd"]
        assert 'id="client-org-a"' in html and 'id="client-acme"' in html
    else:
        assert response.status_code == 403
        assert 'id="portfolio-refused"' in html and words in html.replace("&#x27;", "'")
        assert "Org A" not in html.split('id="portfolio-refused"')[1]


@pytest.mark.parametrize(("who", "sees", "words"), MATRIX)
def test_api_by_person(client, world, personas, who, sees, words):
    login(client, viewer(world, personas, who))
    response = client.get(API)
    if sees:
        assert response.status_code == 200, response.content
        data = response.json()
        assert [c["organization"] for c in data["clients"]] == ["org-a", "acme"]
        assert data["totals"]["overdue"]["total"] == 5
        assert data["today"] == TODAY.isoformat()
    else:
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "not_consultant"
        assert words in problem["detail"]


@pytest.mark.parametrize(("who", "sees", "words"), MATRIX)
def test_cli_by_person(world, personas, who, sees, words):
    result = CliRunner().invoke(
        app, ["portfolio", "--as", viewer(world, personas, who).email, "-f", "json"]
    )
    if sees:
        assert result.exit_code == 0, result.output
        assert [c["name"] for c in json.loads(result.output)["clients"]] == ["Org A", "Acme Ltd"]
    else:
        assert result.exit_code == 1
        assert words in " ".join(result.output.split())


def test_a_clients_pages_open_only_for_a_member_of_it(client, world):
    login(client, world.principal)
    html = client.get(PAGE).content.decode()
    org_a, acme = html.split('id="client-org-a"')[1].split('id="client-acme"')
    switch = reverse("tenancy:switch")
    assert f'action="{switch}"' in org_a and 'name="next" value="/dashboard/"' in org_a
    assert f'action="{switch}"' not in acme
    assert "you are not a member of this client" in acme
    # The consultant is a member of neither client: figures only.
    login(client, world.consultant)
    assert (
        f'action="{switch}"' not in client.get(PAGE).content.decode().split("portfolio-totals")[1]
    )


def test_the_page_shows_the_figures_and_the_attention(client, world):
    login(client, world.principal)
    html = client.get(PAGE).content.decode()
    assert "Needs attention:</strong> 5 overdue items" in html
    assert "Surveillance 1 audit" in html and "2026-07-20" in html
    assert "ISO 9001:2015" in html and "in 47 days" in html
    assert "Gone Ltd" not in html and "Org B" not in html and "Tidy Systems" not in html


def test_a_consultancy_without_clients_gets_an_empty_state(client, personas):
    from tests.engagements.portfolio.factories import make_consultancy

    _, principal, _ = make_consultancy("Lone Advisor", "lone")
    login(client, principal)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert 'id="portfolio-empty"' in response.content.decode()
    assert client.get(API).json()["clients"] == []


def test_cli_table_and_the_operators_view(world):
    runner = CliRunner()
    table = runner.invoke(app, ["portfolio", "--as", world.principal.email])
    assert table.exit_code == 0, table.output
    assert "Org A" in table.output and "5 overdue items" in table.output
    everyone = json.loads(runner.invoke(app, ["portfolio", "-f", "json"]).output)
    assert everyone["consultancies"] == ["Bright Path Consulting", "Tidy Systems"]
    one = json.loads(runner.invoke(app, ["portfolio", "--org", "tidy", "-f", "json"]).output)
    assert [c["name"] for c in one["clients"]] == ["Org B"]
    assert runner.invoke(app, ["portfolio", "--org", "nope"]).exit_code == 1
    refused = runner.invoke(app, ["portfolio", "--as", world.principal.email, "--org", "tidy"])
    assert refused.exit_code == 1
    assert runner.invoke(app, ["portfolio", "-f", "xml"]).exit_code == 2


def test_page_and_api_take_the_same_queries_for_more_clients(client, world, personas):
    login(client, world.principal)
    page_small, page = count_queries(lambda: client.get(PAGE))
    api_small, _ = count_queries(lambda: client.get(API))
    grow(world, personas, 3)
    page_large, page_after = count_queries(lambda: client.get(PAGE))
    api_large, api = count_queries(lambda: client.get(API))
    assert len(page_after.context["p"].clients) == len(page.context["p"].clients) + 3
    assert len(api.json()["clients"]) == 5
    assert (page_large, api_large) == (page_small, api_small)
