"""The standards catalog API: read-only reference data for every signed-in person."""

import pytest

from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Mapping, Requirement

pytestmark = pytest.mark.usefixtures("catalog")

API = "/api/v1"
STANDARD_CODES = [
    "iso14001-2015",
    "iso22000-2018",
    "iso22301-2019",
    "iso45001-2018",
    "iso9001-2015",
    "iso27001-2022",
    "iso42001-2023",
    # the new editions (issue 21)
    "iso14001-2026",
    "iso9001-2026",
]
CONTROLS = {"iso27001-2022": 93, "iso42001-2023": 38}


def req(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def urls() -> list[str]:
    r = req("iso9001-2015", "7.2")
    return [
        f"{API}/standards/",
        f"{API}/standards/iso9001-2015/",
        f"{API}/requirements/",
        f"{API}/requirements/{r.pk}/",
        f"{API}/integrated/?standards=iso9001-2015,iso27001-2022",
        f"{API}/standards/iso27001-2022/documented-information/",
    ]


@pytest.fixture
def reader(client, personas):
    login(client, personas.employee)
    return client


def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content
    return response.json()


def items(client, url: str) -> list[dict]:
    body = get(client, url)
    assert body["count"] == len(body["items"]), "raise the limit: the answer has more pages"
    return body["items"]


def numbers(rows: list[dict]) -> list[str]:
    return [row["number"] for row in rows]


# --- who may read -------------------------------------------------------------------------


def test_anonymous_gets_a_401_problem_on_every_endpoint(client, db):
    for url in urls():
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("who", ["employee", "auditor", "outsider"])
def test_any_member_of_any_organization_reads_the_whole_catalog(client, personas, who):
    user = {
        "employee": personas.employee,
        "auditor": personas.users["auditor"],
        "outsider": personas.outsider,
    }[who]
    login(client, user)
    for url in urls():
        assert client.get(url).status_code == 200, url


def test_the_catalog_cannot_be_written_through_the_api(reader):
    for url in urls()[:4]:
        assert reader.post(url, {}, content_type="application/json").status_code == 405, url
        assert reader.delete(url).status_code == 405, url


# --- standards ----------------------------------------------------------------------------


def test_list_gives_every_standard_with_its_counts(reader):
    rows = items(reader, f"{API}/standards/")
    assert sorted(row["code"] for row in rows) == sorted(STANDARD_CODES)
    by_code = {row["code"]: row for row in rows}
    for code in STANDARD_CODES:
        clauses = Requirement.objects.filter(standard__code=code, kind="clause").count()
        assert by_code[code]["clause_count"] == clauses
        assert by_code[code]["control_count"] == CONTROLS.get(code, 0)
    iso27001 = by_code["iso27001-2022"]
    assert (iso27001["name"], iso27001["edition"]) == ("ISO/IEC 27001", "2022")
    assert iso27001["discipline"] == "information_security"
    assert iso27001["structure"] == "hs-2021"


def test_standard_detail_gives_groups_and_the_tree_in_reading_order(reader):
    body = get(reader, f"{API}/standards/iso27001-2022/")
    assert body["control_count"] == 93
    assert [g["id"] for g in body["groups"]] == ["A.5", "A.6", "A.7", "A.8"]
    assert body["groups"][0]["title"] == "Organizational controls"
    tree = body["requirements"]
    assert len(tree) == body["clause_count"] + 93
    # Clauses 4 to 10 first, then the Annex controls group by group.
    kinds = [r["kind"] for r in tree]
    assert kinds == ["clause"] * body["clause_count"] + ["control"] * 93
    assert numbers(tree)[:3] == ["4", "4.1", "4.2"]
    controls = [r for r in tree if r["kind"] == "control"]
    assert numbers(controls)[:2] == ["A.5.1", "A.5.2"]
    assert numbers(controls)[-1] == "A.8.34"
    by_number = {r["number"]: r for r in tree}
    assert by_number["6.1.3"] | {"summary": None, "documented_information": None} == {
        "id": req("iso27001-2022", "6.1.3").pk,
        "number": "6.1.3",
        "title": "Information security risk treatment",
        "untitled": False,
        "kind": "clause",
        "parent": "6.1",
        "group": None,
        "core": None,
        "depth": 2,
        "summary": None,
        "adds": "",
        "documented_information": None,
        "retired": False,
        "provisional": False,
    }
    assert by_number["7.2"]["core"] == "7.2"
    assert by_number["A.5.23"]["group"] == "A.5"
    assert by_number["A.5.23"]["parent"] is None
    assert by_number["A.5.23"]["core"] is None
    assert {"type": "maintain", "what": "Statement of Applicability"} in by_number["6.1.3"][
        "documented_information"
    ]


def test_standard_detail_of_a_standard_without_annex(reader):
    body = get(reader, f"{API}/standards/iso9001-2015/")
    assert body["groups"] == []
    by_number = {r["number"]: r for r in body["requirements"]}
    assert len(by_number) == body["clause_count"]
    assert (by_number["7.1.5"]["parent"], by_number["7.1.5"]["depth"]) == ("7.1", 2)
    assert (by_number["7.1.5.1"]["parent"], by_number["7.1.5.1"]["depth"]) == ("7.1.5", 3)


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/standards/iso9999-2030/",
        f"{API}/standards/iso9999-2030/documented-information/",
        f"{API}/requirements/999999999/",
    ],
)
def test_unknown_standard_or_requirement_is_a_404_problem(reader, url):
    response = reader.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


# --- requirements -------------------------------------------------------------------------


def test_27001_has_93_controls_in_four_themes(reader):
    url = f"{API}/requirements/?standard=iso27001-2022&kind=control&limit=500"
    assert len(items(reader, url)) == 93
    counts = {
        group: get(reader, f"{url}&group={group}")["count"]
        for group in ["A.5", "A.6", "A.7", "A.8"]
    }
    assert counts == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}


def test_42001_has_38_controls_under_a2_to_a10(reader):
    rows = items(reader, f"{API}/requirements/?standard=iso42001-2023&kind=control&limit=500")
    assert len(rows) == 38
    assert {row["group"] for row in rows} == {f"A.{n}" for n in range(2, 11)}
    assert all(row["standard"] == "iso42001-2023" for row in rows)


def test_list_item_fields(reader):
    row = items(reader, f"{API}/requirements/?standard=iso27001-2022&q=A.5.23")[0]
    assert row == {
        "id": req("iso27001-2022", "A.5.23").pk,
        "standard": "iso27001-2022",
        "number": "A.5.23",
        "title": "Information security for use of cloud services",
        "kind": "control",
        "group": "A.5",
        "core": None,
        "summary": req("iso27001-2022", "A.5.23").summary,
        "documented_information": [],
        "provisional": False,
    }


def test_filters_combine(reader):
    # Group codes repeat across standards: A.5 is a 27001 theme and a 42001 objective.
    assert get(reader, f"{API}/requirements/?group=A.5")["count"] == 37 + 4
    assert get(reader, f"{API}/requirements/?group=A.5&standard=iso42001-2023")["count"] == 4
    rows = items(
        reader,
        f"{API}/requirements/?standard=iso27001-2022&kind=control&documented=maintain&limit=500",
    )
    expected = [
        r.number
        for r in Requirement.objects.filter(standard__code="iso27001-2022", kind="control")
        if any(d["type"] == "maintain" for d in r.documented_information)
    ]
    assert numbers(rows) == expected
    assert "A.5.1" in expected
    rows = items(reader, f"{API}/requirements/?standard=iso27001-2022&q=cloud&kind=clause")
    assert rows == []


def test_core_filter_gives_the_clause_of_every_standard(reader):
    rows = items(reader, f"{API}/requirements/?core=7.2")
    assert sorted((row["standard"], row["number"]) for row in rows) == sorted(
        (code, "7.2") for code in STANDARD_CODES
    )


@pytest.mark.parametrize("documented", ["any", "maintain", "retain"])
def test_documented_filter_matches_the_json_on_every_database(reader, documented):
    rows = items(reader, f"{API}/requirements/?documented={documented}&limit=500")
    expected = {
        r.pk
        for r in Requirement.objects.all()
        if any(documented in {"any", d["type"]} for d in r.documented_information)
    }
    assert {row["id"] for row in rows} == expected
    assert len(expected) > 40
    for row in rows:
        types = {d["type"] for d in row["documented_information"]}
        assert types if documented == "any" else documented in types


def test_text_search_by_number_and_by_title(reader):
    by_number = items(reader, f"{API}/requirements/?q=a.5.23")
    assert ("iso27001-2022", "A.5.23") in {(r["standard"], r["number"]) for r in by_number}
    by_title = items(reader, f"{API}/requirements/?q=cloud")
    assert "A.5.23" in numbers(r for r in by_title if r["standard"] == "iso27001-2022")
    assert all(
        "cloud" in (r["title"] + r["summary"]).lower() or r["number"].lower().startswith("cloud")
        for r in by_title
    )


def test_requirements_list_in_reading_order(reader):
    rows = items(reader, f"{API}/requirements/?standard=iso27001-2022&limit=500")
    assert numbers(rows)[0] == "4"
    assert numbers(rows)[-1] == "A.8.34"


@pytest.mark.parametrize(
    "query,field",
    [("kind=annex", "kind"), ("documented=sometimes", "documented"), ("limit=501", "limit")],
)
def test_bad_filter_is_a_422_naming_the_field(reader, query, field):
    response = reader.get(f"{API}/requirements/?{query}")
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


# --- links --------------------------------------------------------------------------------


def test_9001_competence_links_via_core_to_every_other_standard(reader):
    r = req("iso9001-2015", "7.2")
    body = get(reader, f"{API}/requirements/{r.pk}/")
    assert (body["standard"], body["number"], body["core"], body["parent"]) == (
        "iso9001-2015",
        "7.2",
        "7.2",
        "7",
    )
    core_links = [link for link in body["links"] if link["via"] == "core"]
    assert sorted(link["requirement"]["standard"] for link in core_links) == sorted(
        set(STANDARD_CODES) - {"iso9001-2015"}
    )
    for link in core_links:
        other = req(link["requirement"]["standard"], "7.2")
        assert link["requirement"] == {
            "id": other.pk,
            "standard": other.standard.code,
            "number": "7.2",
            "title": other.title,
        }
        assert link["relation"] == "equivalent"


def test_an_explicit_mapping_shows_from_both_sides(reader):
    a = req("iso27001-2022", "A.5.1")
    b = req("iso42001-2023", "A.2.2")
    mapping = Mapping.objects.get(source=a, target=b)
    from_a = get(reader, f"{API}/requirements/{a.pk}/")["links"]
    from_b = get(reader, f"{API}/requirements/{b.pk}/")["links"]
    expected_a = {
        "requirement": {
            "id": b.pk,
            "standard": "iso42001-2023",
            "number": "A.2.2",
            "title": b.title,
        },
        "via": "mapping",
        "relation": mapping.relation,
        "note": mapping.note,
    }
    assert expected_a in from_a
    assert {
        "requirement": {
            "id": a.pk,
            "standard": "iso27001-2022",
            "number": "A.5.1",
            "title": a.title,
        },
        "via": "mapping",
        "relation": mapping.relation,
        "note": mapping.note,
    } in from_b
    mapped_from_a = (
        Mapping.objects.filter(source=a).count() + Mapping.objects.filter(target=a).count()
    )
    assert len(from_a) == mapped_from_a
    assert all(link["via"] == "mapping" for link in from_a)


# --- integrated view ----------------------------------------------------------------------


def test_integrated_view_has_one_row_per_core_clause(reader):
    chosen = ["iso9001-2015", "iso14001-2015", "iso27001-2022"]
    body = get(reader, f"{API}/integrated/?standards={','.join(chosen)}")
    assert [s["code"] for s in body["standards"]] == chosen
    assert len(body["rows"]) == 36
    assert body["rows"][0]["core"]["number"] == "4"
    for row in body["rows"]:
        assert [cell["standard"] for cell in row["cells"]] == chosen
    row = next(row for row in body["rows"] if row["core"]["number"] == "7.1")
    iso9001 = row["cells"][0]
    assert iso9001["requirement"]["number"] == "7.1"
    added = numbers(iso9001["additions"])
    assert [n for n in added if n.count(".") == 2] == [f"7.1.{i}" for i in range(1, 7)]
    assert all(n.startswith("7.1.") for n in added)


def test_integrated_view_takes_repeated_parameters_and_ignores_repeats(reader):
    body = get(reader, f"{API}/integrated/?standards=iso9001-2015&standards=iso9001-2015")
    assert [s["code"] for s in body["standards"]] == ["iso9001-2015"]


@pytest.mark.parametrize(
    "query",
    ["standards=iso9001-2015,iso9999-2030", "standards=", "standards=,", ""],
)
def test_integrated_view_refuses_unknown_or_missing_standards(reader, query):
    response = reader.get(f"{API}/integrated/?{query}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["standards"]
    if "9999" in query:
        assert "iso9999-2030" in problem["detail"]


# --- documented information ---------------------------------------------------------------


def test_documented_information_of_27001(reader):
    rows = items(reader, f"{API}/standards/iso27001-2022/documented-information/?limit=500")
    soa = req("iso27001-2022", "6.1.3")
    assert {
        "requirement_id": soa.pk,
        "number": "6.1.3",
        "title": soa.title,
        "type": "maintain",
        "what": "Statement of Applicability",
    } in rows
    expected = sum(
        len(r.documented_information)
        for r in Requirement.objects.filter(standard__code="iso27001-2022")
    )
    assert len(rows) == expected
    # Reading order: the clauses come before the Annex controls.
    assert rows[0]["number"] == "4.3"
    assert not rows[-1]["number"][0].isdigit()


# --- query counts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        API + "/standards/{code}/",
        API + "/requirements/?standard={code}&limit=500",
        API + "/standards/{code}/documented-information/?limit=500",
    ],
)
def test_query_count_does_not_grow_with_the_standard(reader, url):
    counts = {}
    for code in ["iso14001-2015", "iso27001-2022"]:
        n, response = count_queries(lambda code=code: reader.get(url.format(code=code)))
        assert response.status_code == 200
        counts[code] = n
    assert counts["iso14001-2015"] == counts["iso27001-2022"], counts


def test_query_count_of_integrated_view_and_links_does_not_grow(reader):
    one, _ = count_queries(lambda: reader.get(f"{API}/integrated/?standards=iso9001-2015"))
    all_seven, _ = count_queries(
        lambda: reader.get(f"{API}/integrated/?standards={','.join(STANDARD_CODES)}")
    )
    assert one == all_seven
    few = req("iso27001-2022", "A.5.3")  # no link
    many = req("iso27001-2022", "A.5.1")  # mapped to three 42001 controls
    assert Mapping.objects.filter(source=many).count() == 3
    n_few, _ = count_queries(lambda: reader.get(f"{API}/requirements/{few.pk}/"))
    n_many, _ = count_queries(lambda: reader.get(f"{API}/requirements/{many.pk}/"))
    assert n_few == n_many
