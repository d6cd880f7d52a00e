"""The RACI API: GET /api/v1/raci/ (the matrix) and PUT /api/v1/responsibilities/{id}/raci/
(one cell), for every role, own organization and another one, with the one-A rule (409), the
member check and bad input (422 naming the field, nothing written), and a query count that
does not grow with rows.

RaciAssignment has no register API (tests/test_meta.py exempts it), so its role matrix is here.
"""

from __future__ import annotations

import json

import pytest

from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.system.models import Process, RaciAssignment, Responsibility
from pdca.system.permissions import IMPLEMENTERS

MATRIX = "/api/v1/raci/"


def cell_url(resp) -> str:
    return f"/api/v1/responsibilities/{resp.pk}/raci/"


def put(client, url: str, body) -> tuple[int, dict]:
    response = client.put(url, data=json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def responsibility(org, activity: str = "Release CNC programs", **fields) -> Responsibility:
    return Responsibility.objects.create(organization=org, activity=activity, **fields)


def cells(resp) -> dict[str, str]:
    return {(a.role or a.user.email): a.letter for a in resp.assignments.select_related("user")}


def entries(resp):
    return ActivityEntry.objects.filter(
        action="raci", object_type="system.responsibility", object_id=str(resp.pk)
    )


@pytest.fixture
def grid(personas):
    org = personas.org
    machining = Process.objects.create(organization=org, code="P-03", name="Machining")
    a = responsibility(org, "Release CNC programs", process=machining)
    b = responsibility(org, "Approve suppliers")
    RaciAssignment.objects.create(organization=org, responsibility=a, role="Setter", letter="R")
    RaciAssignment.objects.create(
        organization=org, responsibility=a, user=personas.employee, letter="A"
    )
    RaciAssignment.objects.create(organization=org, responsibility=b, role="Buyer", letter="R")
    return {"process": machining, "a": a, "b": b}


def test_anonymous_gets_401(client, personas, grid):
    assert client.get(MATRIX).status_code == 401
    status, _ = put(client, cell_url(grid["a"]), {"party_role": "X", "letter": "R"})
    assert status == 401
    assert cells(grid["a"]) == {"Setter": "R", personas.employee.email: "A"}


def test_the_matrix_as_json(client, personas, grid):
    login(client, personas.employee)
    response = client.get(MATRIX, {"organization": "org-a"})
    assert response.status_code == 200
    employee = personas.employee
    assert response.json() == {
        "organization": "org-a",
        "process": None,
        "columns": [
            {
                "key": "role:Buyer",
                "kind": "role",
                "label": "Buyer",
                "role": "Buyer",
                "user": None,
                "email": None,
            },
            {
                "key": "role:Setter",
                "kind": "role",
                "label": "Setter",
                "role": "Setter",
                "user": None,
                "email": None,
            },
            {
                "key": f"user:{employee.pk}",
                "kind": "person",
                "label": "Employee A",
                "role": "",
                "user": employee.pk,
                "email": employee.email,
            },
        ],
        "rows": [
            {
                "responsibility": grid["a"].pk,
                "activity": "Release CNC programs",
                "process": {"id": grid["process"].pk, "code": "P-03", "name": "Machining"},
                "cells": {"role:Setter": "R", f"user:{employee.pk}": "A"},
                "problems": [],
            },
            {
                "responsibility": grid["b"].pk,
                "activity": "Approve suppliers",
                "process": None,
                "cells": {"role:Buyer": "R"},
                "problems": ["no_a"],
            },
        ],
    }


def test_the_matrix_of_one_process(client, personas, grid):
    login(client, personas.manager)
    body = client.get(MATRIX, {"process": grid["process"].pk}).json()
    assert body["process"] == grid["process"].pk
    assert [r["activity"] for r in body["rows"]] == ["Release CNC programs"]
    assert [c["key"] for c in body["columns"]] == ["role:Setter", f"user:{personas.employee.pk}"]


def test_a_member_of_one_organization_need_not_name_it(client, personas, grid):
    login(client, personas.manager)
    assert client.get(MATRIX).json()["organization"] == "org-a"


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_reading_the_matrix_by_role(client, personas, role, grid):
    login(client, personas.users[role])
    response = client.get(MATRIX, {"organization": "org-a"})
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 200
        assert len(response.json()["rows"]) == 2
    else:
        assert response.status_code == 404
    assert client.get(MATRIX, {"process": grid["process"].pk}).status_code == (
        200 if role in ORGANIZATION_ROLES else 404
    )


def test_the_outsider_gets_404_for_our_matrix_and_process(client, personas, grid):
    login(client, personas.outsider)
    assert client.get(MATRIX, {"organization": "org-a"}).status_code == 404
    assert client.get(MATRIX, {"process": grid["process"].pk}).status_code == 404
    assert client.get(MATRIX).json()["rows"] == []  # their own, empty


def test_a_process_of_another_organization_than_named_is_404(client, personas, grid):
    login(client, personas.manager)
    response = client.get(MATRIX, {"organization": "org-b", "process": grid["process"].pk})
    assert response.status_code == 404


def test_a_member_of_several_organizations_must_name_one(client, personas, grid):
    from pdca.tenancy.models import Membership

    Membership.objects.create(organization=personas.other, user=personas.manager, role="employee")
    login(client, personas.manager)
    response = client.get(MATRIX)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organization"


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_setting_a_cell_by_role(client, personas, role, grid):
    resp = grid["b"]
    login(client, personas.users[role])
    status, body = put(client, cell_url(resp), {"party_role": "Purchasing lead", "letter": "A"})
    if role in IMPLEMENTERS:
        assert status == 200
        assert body == {
            "responsibility": resp.pk,
            "activity": "Approve suppliers",
            "process": None,
            "cells": {"role:Buyer": "R", "role:Purchasing lead": "A"},
            "problems": [],
        }
        entry = entries(resp).get()
        assert (entry.actor_id, entry.via) == (personas.users[role].pk, "api")
        assert entry.changes == {"Purchasing lead": [None, "A"]}
    else:
        assert status == (403 if role in ORGANIZATION_ROLES else 404)
        assert cells(resp) == {"Buyer": "R"}
        assert not entries(resp).exists()


def test_the_outsider_may_not_set_our_cells(client, personas, grid):
    login(client, personas.outsider)
    status, _ = put(client, cell_url(grid["b"]), {"party_role": "X", "letter": "R"})
    assert status == 404
    assert cells(grid["b"]) == {"Buyer": "R"}


def test_a_person_by_e_mail_and_clearing_a_cell(client, personas, grid):
    resp = grid["b"]
    login(client, personas.manager)
    status, body = put(
        client, cell_url(resp), {"party_user": personas.employee.email.upper(), "letter": "I"}
    )
    assert status == 200 and body["cells"][f"user:{personas.employee.pk}"] == "I"
    status, body = put(client, cell_url(resp), {"party_role": "Buyer", "letter": None})
    assert status == 200 and body["cells"] == {f"user:{personas.employee.pk}": "I"}
    assert body["problems"] == ["no_r", "no_a"]


def test_a_second_a_answers_409_naming_the_accountable_party(client, personas, grid):
    login(client, personas.manager)
    status, body = put(client, cell_url(grid["a"]), {"party_role": "Setter", "letter": "A"})
    assert status == 409
    assert body["code"] == "raci_one_accountable"
    assert "Employee A is already accountable" in body["detail"]
    assert cells(grid["a"]) == {"Setter": "R", personas.employee.email: "A"}
    assert not entries(grid["a"]).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"party_role": "Setter", "letter": "X"}, "letter"),
        ({"party_role": "Setter"}, "letter"),
        ({"party_role": "", "letter": "R"}, "party_role"),
        ({"party_role": "x" * 101, "letter": "R"}, "party_role"),
        ({"party_role": "Se\u0000tter", "letter": "R"}, "party_role"),
        ({"party_role": "Setter", "party_user": "employee@a.example", "letter": "R"}, "party_role"),
        ({"party_user": "manager@b.example", "letter": "R"}, "party_user"),
        ({"party_user": "nobody@nowhere.example", "letter": "R"}, "party_user"),
        ({"party_role": "Setter", "letter": "R", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_answers_422_naming_the_field(client, personas, grid, payload, field):
    login(client, personas.manager)
    status, body = put(client, cell_url(grid["b"]), payload)
    assert status == 422
    assert field in [e["field"] for e in body["errors"]]
    assert cells(grid["b"]) == {"Buyer": "R"}
    assert not entries(grid["b"]).exists()


def test_a_reader_asking_for_a_stranger_gets_403_not_422(client, personas, grid):
    login(client, personas.employee)
    status, _ = put(
        client, cell_url(grid["b"]), {"party_user": "nobody@nowhere.example", "letter": "R"}
    )
    assert status == 403


def test_an_unknown_responsibility_is_404(client, personas):
    login(client, personas.manager)
    status, _ = put(
        client, "/api/v1/responsibilities/999999/raci/", {"party_role": "X", "letter": "R"}
    )
    assert status == 404


def test_the_matrix_query_count_does_not_grow_with_rows(client, personas):
    org = personas.org
    login(client, personas.manager)

    def grow(start: int, count: int) -> None:
        for i in range(start, start + count):
            p = Process.objects.create(organization=org, code=f"P-{i:03d}", name=f"P {i}")
            r = responsibility(org, f"Activity {i:03d}", process=p)
            RaciAssignment.objects.create(organization=org, responsibility=r, role="R1", letter="R")
            RaciAssignment.objects.create(
                organization=org, responsibility=r, user=personas.users["employee"], letter="A"
            )

    grow(0, 2)
    small, _ = count_queries(lambda: client.get(MATRIX))
    grow(10, 15)
    large, response = count_queries(lambda: client.get(MATRIX))
    assert len(response.json()["rows"]) == 17
    assert small == large
