"""Editions in the API: what a standard says of its edition (amendments, provisional, the
edition it replaces and the one replacing it, the transition's dates), `provisional` on
requirements, and `GET /standards/{old}/transition/{new}/`. On two made-up editions
(tests/standards/editions_factories.py)."""

import pytest

from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement
from tests.standards.editions_factories import COUNTS, NEW, OLD, load_editions

API = "/api/v1"
TRANSITION = f"{API}/standards/{OLD}/transition/{NEW}/"


@pytest.fixture
def editions(tmp_path, catalog):
    load_editions(tmp_path)


@pytest.fixture
def reader(client, personas, editions):
    login(client, personas.employee)
    return client


def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content
    return response.json()


def ref(line: dict, side: str) -> str | None:
    return line[side]["number"] if line[side] else None


# --- who may read -------------------------------------------------------------------------------


def test_anonymous_gets_a_401_problem(client, editions):
    response = client.get(TRANSITION)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("who", ["employee", "auditor", "outsider"])
def test_anyone_signed_in_reads_the_transition(client, personas, editions, who):
    user = {
        "employee": personas.employee,
        "auditor": personas.users["auditor"],
        "outsider": personas.outsider,
    }[who]
    login(client, user)
    assert client.get(TRANSITION).status_code == 200


def test_the_transition_cannot_be_written(reader):
    assert reader.post(TRANSITION, {}, content_type="application/json").status_code == 405
    assert reader.delete(TRANSITION).status_code == 405


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        (
            f"{API}/standards/{OLD}/transition/demo-ems-2099/",
            "No standard 'demo-ems-2099' in the catalog (`pdca standards list`).",
        ),
        (
            f"{API}/standards/demo-ems-1999/transition/{NEW}/",
            "No standard 'demo-ems-1999' in the catalog (`pdca standards list`).",
        ),
        (
            f"{API}/standards/{NEW}/transition/{OLD}/",
            "The catalog has no transition from Demo EMS:2026 to Demo EMS:2015+A1:2024.",
        ),
    ],
)
def test_unknown_editions_or_no_transition_give_a_404_problem(reader, url, detail):
    response = reader.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["detail"]) == ("not_found", detail)


def test_an_unknown_change_filter_is_a_422_naming_the_field(reader):
    response = reader.get(TRANSITION + "?change=gone")
    assert response.status_code == 422
    assert "change" in str(response.json())


# --- the transition -----------------------------------------------------------------------------


def test_the_transition_gives_both_editions_the_dates_and_the_counts(reader):
    body = get(reader, TRANSITION)
    assert body["old"] == {
        "code": OLD,
        "full_name": "Demo EMS:2015+A1:2024",
        "edition_label": "2015+A1:2024",
        "provisional": False,
        "provisional_note": "",
    }
    assert body["new"]["full_name"] == "Demo EMS:2026"
    assert body["transition"] == {
        "ends": "2029-04-15",
        "new_certificates_until": "2027-10-31",
        "provisional": True,
        "note": "Three years from publication; the end date is reported two ways.",
    }
    assert body["provisional"] is True
    assert body["total"] == 20
    assert body["counts"] == COUNTS


def test_each_line_gives_both_sides_the_change_the_note_and_whether_it_needs_work(reader):
    lines = get(reader, TRANSITION)["lines"]
    assert len(lines) == 20
    assert [(ref(x, "old"), x["change"], ref(x, "new")) for x in lines][5:9] == [
        ("6.1.1", "changed", "6.1.1"),
        (None, "new", "6.1.4"),
        ("6.1.4", "moved", "6.1.5"),
        (None, "new", "6.3"),
    ]
    new_63 = Requirement.objects.get(standard__code=NEW, number="6.3")
    assert lines[8] == {
        "change": "new",
        "old": None,
        "new": {
            "id": new_63.pk,
            "number": "6.3",
            "title": "Planning of changes",
            "provisional": True,
        },
        "note": "Changes to the system are planned.",
        "needs_work": True,
        "provisional": True,
    }
    removed = lines[18]
    assert (removed["change"], removed["new"], removed["needs_work"]) == ("removed", None, False)
    assert removed["old"]["number"] == "10.1"


def test_whats_new_lists_the_requirements_to_work_on(reader):
    body = get(reader, TRANSITION)
    assert [(x["change"], ref(x, "new")) for x in body["whats_new"]] == [
        ("changed", "4.1"),
        ("changed", "6.1.1"),
        ("new", "6.1.4"),
        ("new", "6.3"),
        ("changed", "9.3"),
        ("split", "9.3.1"),
        ("split", "9.3.2"),
    ]


def test_the_change_filter_keeps_those_lines_but_the_counts_stay_whole(reader):
    body = get(reader, TRANSITION + "?change=removed&change=moved")
    assert [(ref(x, "old"), x["change"]) for x in body["lines"]] == [
        ("6.1.4", "moved"),
        ("10.3", "moved"),
        ("10.1", "removed"),
    ]
    assert body["counts"] == COUNTS
    assert len(body["whats_new"]) == 7


def test_the_transition_costs_the_same_queries_at_two_sizes(client, personas, tmp_path, catalog):
    login(client, personas.employee)
    load_editions(tmp_path / "small")
    small, response = count_queries(lambda: client.get(TRANSITION))
    assert response.status_code == 200
    load_editions(tmp_path / "large", extra=80)
    large, response = count_queries(lambda: client.get(TRANSITION))
    assert len(response.json()["lines"]) == 101
    assert small == large


# --- standards and requirements -----------------------------------------------------------------


def test_a_standard_says_its_edition_amendments_and_successor(reader):
    body = get(reader, f"{API}/standards/{OLD}/")
    assert {k: body[k] for k in (
        "edition", "edition_label", "full_name", "amendments", "published_on", "provisional",
        "provisional_note", "replaces", "replaced_by", "transition",
    )} == {
        "edition": "2015",
        "edition_label": "2015+A1:2024",
        "full_name": "Demo EMS:2015+A1:2024",
        "amendments": [
            {
                "code": "A1:2024",
                "title": "Climate action changes",
                "published": "2024-02-23",
                "summary": "4.1 asks whether climate change is a relevant issue.",
            }
        ],
        "published_on": "2015-09-15",
        "provisional": False,
        "provisional_note": "",
        "replaces": None,
        "replaced_by": NEW,
        "transition": None,
    }  # fmt: skip


def test_the_new_edition_says_what_it_replaces_and_the_transition(reader):
    body = get(reader, f"{API}/standards/{NEW}/")
    assert (body["replaces"], body["replaced_by"]) == (OLD, None)
    assert body["transition"] == {
        "ends": "2029-04-15",
        "new_certificates_until": "2027-10-31",
        "provisional": True,
        "note": "Three years from publication; the end date is reported two ways.",
    }
    by_number = {r["number"]: r for r in body["requirements"]}
    assert [n for n, r in by_number.items() if r["provisional"]] == ["6.3"]


def test_a_provisional_standard_says_so(client, personas, tmp_path, catalog):
    load_editions(tmp_path, provisional=True)
    login(client, personas.employee)
    body = get(client, f"{API}/standards/{NEW}/")
    assert (body["provisional"], body["provisional_note"]) == (
        True,
        "Structure not yet checked against the published text.",
    )


def test_the_list_gives_every_standards_editions(reader):
    rows = get(reader, f"{API}/standards/?limit=100")["items"]
    by_code = {row["code"]: row for row in rows}
    assert (by_code[OLD]["replaced_by"], by_code[OLD]["replaces"]) == (NEW, None)
    assert (by_code[NEW]["replaced_by"], by_code[NEW]["replaces"]) == (None, OLD)
    assert by_code[NEW]["transition"]["ends"] == "2029-04-15"
    assert by_code["iso42001-2023"]["transition"] is None


def test_the_list_costs_the_same_queries_with_more_editions(client, personas, tmp_path, catalog):
    login(client, personas.employee)
    before, _ = count_queries(lambda: client.get(f"{API}/standards/?limit=100"))
    load_editions(tmp_path)
    after, response = count_queries(lambda: client.get(f"{API}/standards/?limit=100"))
    assert response.json()["count"] >= 2
    assert before == after


def test_requirements_say_whether_they_are_provisional(reader):
    rows = get(reader, f"{API}/requirements/?standard={NEW}&limit=100")["items"]
    assert [r["number"] for r in rows if r["provisional"]] == ["6.3"]
    one = Requirement.objects.get(standard__code=NEW, number="6.3")
    assert get(reader, f"{API}/requirements/{one.pk}/")["provisional"] is True


# --- the OpenAPI document -----------------------------------------------------------------------


def test_the_openapi_document_describes_the_transition_and_the_edition_fields(reader):
    schema = get(reader, f"{API}/openapi.json")
    operation = schema["paths"]["/api/v1/standards/{old}/transition/{new}/"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "404"}
    assert [p["name"] for p in operation["parameters"]] == ["old", "new", "change"]
    components = schema["components"]["schemas"]
    diff = components["EditionDiffOut"]["properties"]
    assert set(diff) == {
        "old", "new", "transition", "provisional", "total", "counts", "whats_new", "lines",
    }  # fmt: skip
    assert set(components["EditionChangeCounts"]["properties"]) == set(COUNTS)
    standard = components["StandardOut"]["properties"]
    assert {"edition_label", "full_name", "amendments", "provisional", "replaces",
            "replaced_by", "transition", "published_on"} <= set(standard)  # fmt: skip
    assert "provisional" in components["RequirementOut"]["properties"]
