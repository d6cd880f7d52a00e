"""The RACI matrix: the services (set a cell, one A per responsibility, members only, rename a
role, the grid with its problems), the grid page and its htmx cell saves for every role, the
XLSX export and the demo data.

RaciAssignment has no register pages (tests/test_meta.py exempts it: its rows are the cells of
this grid), so the role matrix of the grid is tested here.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.system.demo import processes as demo_processes
from pdca.system.models import Process, RaciAssignment, Responsibility
from pdca.system.permissions import IMPLEMENTERS
from pdca.system.raci import services as raci
from pdca.tenancy.models import Membership, Organization


def responsibility(org, activity: str = "Release CNC programs", **fields) -> Responsibility:
    return Responsibility.objects.create(organization=org, activity=activity, **fields)


def cells(resp: Responsibility) -> dict[str, str]:
    return {(a.role or a.user.email): a.letter for a in resp.assignments.select_related("user")}


def raci_entries(resp: Responsibility):
    return ActivityEntry.objects.filter(
        action="raci", object_type="system.responsibility", object_id=str(resp.pk)
    ).order_by("seq")


# --- services -------------------------------------------------------------------------------


def test_setting_changing_and_clearing_a_cell_is_logged_each_time(personas):
    resp = responsibility(personas.org)
    manager = personas.manager
    saved = raci.set_assignment(resp, party_role="  Setter ", letter="R", actor=manager)
    assert (saved.role, saved.user, saved.letter) == ("Setter", None, "R")
    raci.set_assignment(resp, party_role="Setter", letter="c", actor=manager)
    raci.set_assignment(resp, party_user=personas.employee, letter="I", actor=manager)
    assert cells(resp) == {"Setter": "C", personas.employee.email: "I"}
    assert raci.set_assignment(resp, party_role="Setter", letter=None, actor=manager) is None
    assert cells(resp) == {personas.employee.email: "I"}
    entries = list(raci_entries(resp))
    assert [e.changes for e in entries] == [
        {"Setter": [None, "R"]},
        {"Setter": ["R", "C"]},
        {f"Employee A <{personas.employee.email}>": [None, "I"]},
        {"Setter": ["C", None]},
    ]
    assert {e.actor_id for e in entries} == {manager.pk}


def test_an_unchanged_cell_writes_nothing(personas):
    resp = responsibility(personas.org)
    raci.set_assignment(resp, party_role="Setter", letter="R", actor=personas.manager)
    raci.set_assignment(resp, party_role="Setter", letter="R", actor=personas.manager)
    raci.set_assignment(resp, party_role="Nobody", letter="", actor=personas.manager)
    assert raci_entries(resp).count() == 1


def test_a_second_a_is_refused_naming_the_accountable_party(personas):
    resp = responsibility(personas.org)
    raci.set_assignment(resp, party_user=personas.manager, letter="A", actor=personas.manager)
    raci.set_assignment(resp, party_role="Setter", letter="R", actor=personas.manager)
    with pytest.raises(Conflict) as refused:
        raci.set_assignment(resp, party_role="Setter", letter="A", actor=personas.manager)
    assert refused.value.code == "raci_one_accountable"
    assert "System Manager A is already accountable" in refused.value.message
    assert cells(resp) == {personas.manager.email: "A", "Setter": "R"}
    assert raci_entries(resp).count() == 2
    # Moving the A: clear it first, then give it.
    raci.set_assignment(resp, party_user=personas.manager, letter="C", actor=personas.manager)
    raci.set_assignment(resp, party_role="Setter", letter="A", actor=personas.manager)
    assert cells(resp) == {personas.manager.email: "C", "Setter": "A"}


def test_the_a_holder_may_keep_its_a(personas):
    resp = responsibility(personas.org)
    raci.set_assignment(resp, party_role="Boss", letter="A", actor=personas.manager)
    assert raci.set_assignment(resp, party_role="Boss", letter="A", actor=personas.manager)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"party_role": "", "letter": "R"}, "party_role", "Name a role or choose a person."),
        ({"party_role": "   ", "letter": "R"}, "party_role", "Name a role or choose a person."),
        (
            {"party_role": "x" * 101, "letter": "R"},
            "party_role",
            "Keep the role name to 100 characters (it has 101).",
        ),
        ({"party_role": "Setter", "letter": "X"}, "letter", "Choose R, A, C or I"),
        ({"party_role": "Setter", "letter": "RA"}, "letter", "Choose R, A, C or I"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(personas, kwargs, field, message):
    resp = responsibility(personas.org)
    with pytest.raises(ValidationFailed) as refused:
        raci.set_assignment(resp, actor=personas.manager, **kwargs)
    assert refused.value.errors[0].field == field
    assert refused.value.errors[0].message.startswith(message)
    assert not RaciAssignment.objects.exists()
    assert not raci_entries(resp).exists()


def test_a_role_and_a_person_at_once_is_refused(personas):
    resp = responsibility(personas.org)
    with pytest.raises(ValidationFailed) as refused:
        raci.set_assignment(
            resp,
            party_role="Setter",
            party_user=personas.manager,
            letter="R",
            actor=personas.manager,
        )
    assert refused.value.errors[0].field == "party_role"
    assert not RaciAssignment.objects.exists()


def test_only_members_of_the_organization_may_be_a_party(personas):
    resp = responsibility(personas.org)
    for stranger in (personas.outsider, personas.users["lead_auditor"]):
        with pytest.raises(ValidationFailed) as refused:
            raci.set_assignment(resp, party_user=stranger, letter="R", actor=personas.manager)
        assert refused.value.errors[0].field == "party_user"
    assert not RaciAssignment.objects.exists()


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_only_implementers_may_set_a_cell(personas, role):
    resp = responsibility(personas.org)
    actor = personas.users[role]
    if role in IMPLEMENTERS:
        raci.set_assignment(resp, party_role="Setter", letter="R", actor=actor)
        assert cells(resp) == {"Setter": "R"}
        assert raci_entries(resp).get().actor_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            raci.set_assignment(resp, party_role="Setter", letter="R", actor=actor)
        assert cells(resp) == {}
        assert not raci_entries(resp).exists()


def test_the_outsider_may_not_set_a_cell(personas):
    resp = responsibility(personas.org)
    with pytest.raises(PermissionDenied):
        raci.set_assignment(resp, party_role="Setter", letter="R", actor=personas.outsider)
    assert not RaciAssignment.objects.exists()


def test_the_matrix_lists_roles_then_people_and_flags_rows_without_r_or_a(personas):
    org = personas.org
    machining = Process.objects.create(organization=org, code="P-03", name="Machining")
    planning = Process.objects.create(organization=org, code="P-01", name="Planning")
    a = responsibility(org, "Release CNC programs", process=machining)
    b = responsibility(org, "Plan the week", process=planning)
    c = responsibility(org, "Approve suppliers")
    m = personas.manager
    raci.set_assignment(a, party_role="setter", letter="R", actor=m)
    raci.set_assignment(a, party_user=personas.employee, letter="A", actor=m)
    raci.set_assignment(b, party_role="Production manager", letter="A", actor=m)
    raci.set_assignment(c, party_user=personas.manager, letter="R", actor=m)
    responsibility(personas.other, "Their activity")
    grid = raci.matrix(org)
    assert [p.label for p in grid.columns] == [
        "Production manager",
        "setter",
        "Employee A",
        "System Manager A",
    ]
    assert [r.responsibility.activity for r in grid.rows] == [
        "Plan the week",
        "Release CNC programs",
        "Approve suppliers",
    ]
    assert [r.problems for r in grid.rows] == [["no_r"], [], ["no_a"]]
    assert grid.problem_count == 2
    assert grid.rows[1].cells == {"role:setter": "R", f"user:{personas.employee.pk}": "A"}
    assert [letter for _, letter in grid.rows[1].line] == ["", "R", "A", ""]
    only = raci.matrix(org, machining)
    assert [r.responsibility.pk for r in only.rows] == [a.pk]
    assert [p.label for p in only.columns] == ["setter", "Employee A"]


def test_the_matrix_reads_in_a_constant_number_of_queries(personas):
    org = personas.org

    def grow(start: int, count: int) -> None:
        for i in range(start, start + count):
            r = responsibility(org, f"Activity {i:03d}")
            RaciAssignment.objects.create(organization=org, responsibility=r, role="R1", letter="R")
            RaciAssignment.objects.create(
                organization=org, responsibility=r, user=personas.users["employee"], letter="A"
            )

    grow(0, 2)
    small, _ = count_queries(lambda: raci.matrix(org))
    grow(10, 20)
    large, grid = count_queries(lambda: raci.matrix(org))
    assert len(grid.rows) == 22
    assert small == large == 2


def test_renaming_a_role_changes_every_cell_and_logs_each_row(personas):
    org = personas.org
    a, b = responsibility(org, "A activity"), responsibility(org, "B activity")
    raci.set_assignment(a, party_role="QA manager", letter="A", actor=personas.manager)
    raci.set_assignment(b, party_role="QA manager", letter="C", actor=personas.manager)
    assert raci.rename_role(org, "QA manager", " Quality manager ", actor=personas.manager) == 2
    assert cells(a) == {"Quality manager": "A"} and cells(b) == {"Quality manager": "C"}
    assert raci_entries(b).last().changes == {
        "QA manager": ["C", None],
        "Quality manager": [None, "C"],
    }


def test_renaming_onto_a_role_the_row_already_has_is_refused(personas):
    org = personas.org
    a = responsibility(org)
    raci.set_assignment(a, party_role="QA manager", letter="A", actor=personas.manager)
    raci.set_assignment(a, party_role="Quality manager", letter="C", actor=personas.manager)
    with pytest.raises(Conflict) as refused:
        raci.rename_role(org, "QA manager", "Quality manager", actor=personas.manager)
    assert refused.value.code == "raci_role_exists"
    assert cells(a) == {"QA manager": "A", "Quality manager": "C"}


@pytest.mark.parametrize(
    ("old", "new", "field"), [("", "X", "old"), ("QA manager", "", "new"), ("Nobody", "X", "old")]
)
def test_renaming_with_bad_names_is_refused(personas, old, new, field):
    a = responsibility(personas.org)
    raci.set_assignment(a, party_role="QA manager", letter="A", actor=personas.manager)
    with pytest.raises(ValidationFailed) as refused:
        raci.rename_role(personas.org, old, new, actor=personas.manager)
    assert refused.value.errors[0].field == field
    assert cells(a) == {"QA manager": "A"}


def test_readers_may_not_rename(personas):
    a = responsibility(personas.org)
    raci.set_assignment(a, party_role="QA manager", letter="A", actor=personas.manager)
    with pytest.raises(PermissionDenied):
        raci.rename_role(personas.org, "QA manager", "X", actor=personas.employee)
    assert cells(a) == {"QA manager": "A"}


# --- the page -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_the_grid_is_editable_for_implementers_and_read_only_for_others(client, personas, role):
    resp = responsibility(personas.org)
    RaciAssignment.objects.create(
        organization=personas.org, responsibility=resp, role="Setter", letter="R"
    )
    login(client, personas.users[role])
    response = client.get(reverse("workspace:raci"))
    body = response.content.decode()
    # A certification body's roles work in their own organization, where this page is refused.
    assert response.status_code == (200 if role in ORGANIZATION_ROLES else 403)
    if role in ORGANIZATION_ROLES:
        assert "Release CNC programs" in body
        assert ('name="letter"' in body) == (role in IMPLEMENTERS)
        assert ('id="raci-add-column"' in body) == (role in IMPLEMENTERS)
        assert '<span class="raci-letter">R</span>' in body or role in IMPLEMENTERS
    else:
        assert "Release CNC programs" not in body


def test_the_outsider_sees_none_of_our_rows(client, personas):
    responsibility(personas.org)
    login(client, personas.outsider)
    body = client.get(reverse("workspace:raci")).content.decode()
    assert "Release CNC programs" not in body and 'id="raci-empty"' in body


def test_the_grid_flags_rows_with_problems_and_filters_by_process(client, personas):
    org = personas.org
    machining = Process.objects.create(organization=org, code="P-03", name="Machining")
    a = responsibility(org, "Release CNC programs", process=machining)
    responsibility(org, "Approve suppliers")
    RaciAssignment.objects.create(organization=org, responsibility=a, role="Setter", letter="R")
    login(client, personas.manager)
    body = client.get(reverse("workspace:raci")).content.decode()
    assert "2 activities have no R or no A." in body
    assert body.count("Nobody is accountable (no A)") == 2
    body = client.get(reverse("workspace:raci"), {"process": machining.pk}).content.decode()
    assert "Release CNC programs" in body and "Approve suppliers" not in body


def test_add_column_shows_an_empty_column_for_a_role_or_member(client, personas):
    responsibility(personas.org)
    login(client, personas.manager)
    body = client.get(
        reverse("workspace:raci"), {"add_role": "Quality manager", "add_user": personas.employee.pk}
    ).content.decode()
    assert "Quality manager</th>" in body and "Employee A<div" in body
    assert 'value="role:Quality manager"' in body and f'value="user:{personas.employee.pk}"' in body
    # Not a member: no column.
    body = client.get(
        reverse("workspace:raci"), {"add_user": personas.outsider.pk}
    ).content.decode()
    assert "Outsider B" not in body


def post_cell(client, resp, party: str, letter: str, htmx: bool = True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("workspace:raci-cell"),
        {"responsibility": resp.pk, "party": party, "letter": letter},
        **headers,
    )


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_saving_a_cell_by_role(client, personas, role):
    resp = responsibility(personas.org)
    login(client, personas.users[role])
    response = post_cell(client, resp, "role:Setter", "R")
    if role in IMPLEMENTERS:
        assert response.status_code == 200
        assert cells(resp) == {"Setter": "R"}
        entry = raci_entries(resp).get()
        assert (entry.actor_id, entry.via) == (personas.users[role].pk, "web")
    else:
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)
        assert cells(resp) == {}
        assert not raci_entries(resp).exists()


def test_the_outsider_saving_a_cell_gets_404(client, personas):
    resp = responsibility(personas.org)
    login(client, personas.outsider)
    assert post_cell(client, resp, "role:Setter", "R").status_code == 404
    assert cells(resp) == {}


def test_a_saved_cell_comes_back_with_the_rows_problems_out_of_band(client, personas):
    resp = responsibility(personas.org)
    login(client, personas.manager)
    body = post_cell(client, resp, f"user:{personas.employee.pk}", "A").content.decode()
    assert '<option value="A" title="Accountable" selected>' in body
    assert f'id="raci-problems-{resp.pk}" hx-swap-oob="true"' in body
    assert "Nobody is responsible (no R)" in body and "no A" not in body
    assert cells(resp) == {personas.employee.email: "A"}


def test_a_refused_cell_comes_back_with_the_reason_and_422(client, personas):
    resp = responsibility(personas.org)
    RaciAssignment.objects.create(
        organization=personas.org, responsibility=resp, role="Boss", letter="A"
    )
    login(client, personas.manager)
    response = post_cell(client, resp, "role:Setter", "A")
    body = response.content.decode()
    assert response.status_code == 422
    assert "Boss is already accountable" in body and 'aria-invalid="true"' in body
    assert '<option value="" selected>' in body  # the cell as it is
    assert cells(resp) == {"Boss": "A"}


def test_a_malformed_party_is_refused_without_writing(client, personas):
    resp = responsibility(personas.org)
    login(client, personas.manager)
    for party in ("", "role:", "user:abc", f"user:{personas.outsider.pk}", "team:x"):
        response = post_cell(client, resp, party, "R")
        assert response.status_code == 422
        assert "Choose a named role or a member" in response.content.decode()
    assert cells(resp) == {}


def test_a_cell_save_without_htmx_redirects_with_a_message(client, personas):
    resp = responsibility(personas.org)
    login(client, personas.manager)
    response = post_cell(client, resp, "role:Setter", "R", htmx=False)
    assert response.status_code == 302 and response["Location"] == reverse("workspace:raci")
    assert cells(resp) == {"Setter": "R"}


def test_the_page_query_count_does_not_grow_with_rows(client, personas):
    org = personas.org
    login(client, personas.manager)
    url = reverse("workspace:raci")

    def grow(start: int, count: int) -> None:
        for i in range(start, start + count):
            p = Process.objects.create(organization=org, code=f"P-{i:03d}", name=f"P {i}")
            r = responsibility(org, f"Activity {i:03d}", process=p)
            RaciAssignment.objects.create(organization=org, responsibility=r, role="R1", letter="R")
            RaciAssignment.objects.create(
                organization=org, responsibility=r, user=personas.users["employee"], letter="A"
            )

    grow(0, 2)
    small, _ = count_queries(lambda: client.get(url))
    grow(10, 15)
    large, response = count_queries(lambda: client.get(url))
    assert response.content.decode().count('name="letter"') == 17 * 2
    assert small == large


def test_rename_page_action(client, personas):
    resp = responsibility(personas.org)
    RaciAssignment.objects.create(
        organization=personas.org, responsibility=resp, role="QA manager", letter="A"
    )
    login(client, personas.employee)
    url = reverse("workspace:raci-rename")
    assert client.post(url, {"old": "QA manager", "new": "X"}).status_code == 403
    login(client, personas.manager)
    response = client.post(url, {"old": "QA manager", "new": "Quality manager"})
    assert response.status_code == 302
    assert cells(resp) == {"Quality manager": "A"}


# --- XLSX -----------------------------------------------------------------------------------


def test_the_workbook_has_the_grid_with_coloured_letters_and_frozen_headers(client, personas):
    org = personas.org
    machining = Process.objects.create(organization=org, code="P-03", name="Machining")
    a = responsibility(org, "Release CNC programs", process=machining)
    responsibility(org, "=cmd|' /C calc'!A0 approve")
    RaciAssignment.objects.create(organization=org, responsibility=a, role="Setter", letter="R")
    RaciAssignment.objects.create(
        organization=org, responsibility=a, user=personas.employee, letter="A"
    )
    login(client, personas.employee)
    response = client.get(reverse("workspace:raci-xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="raci-')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["RACI", "Legend"]
    sheet = book["RACI"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Process", "Activity", "Setter", "Employee A", "Problems"]
    assert rows[1] == ["P-03", "Release CNC programs", "R", "A", None]
    assert rows[2][1] == "'=cmd|' /C calc'!A0 approve"  # marked as text
    assert sheet["C2"].data_type == "s" and sheet["B3"].data_type == "s"
    assert rows[2][4] == "Nobody is responsible (no R); Nobody is accountable (no A)"
    assert sheet.freeze_panes == "C2"
    assert sheet["C2"].fill.fgColor.rgb.endswith("C8E6C9")
    assert sheet["D2"].fill.fgColor.rgb.endswith("F8BBD0")


def test_the_outsider_exports_only_their_own_grid(client, personas):
    responsibility(personas.org)
    login(client, personas.outsider)
    book = load_workbook(io.BytesIO(client.get(reverse("workspace:raci-xlsx")).content))
    assert [[c.value for c in row] for row in book["RACI"].iter_rows()] == [
        ["Process", "Activity", "Problems"]
    ]


# --- demo -----------------------------------------------------------------------------------


def test_demo_raci_fills_matching_rows_once(personas, monkeypatch):
    org = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=org, user=personas.manager, role="system_manager")
    monkeypatch.setattr(demo_processes, "ACTOR", personas.manager.email)
    audit = responsibility(org, "Plan and run internal audits")
    purchasing = responsibility(org, "Evaluate and approve suppliers")
    odd = responsibility(org, "Water the plants")
    assert demo_processes.load_raci({}) == 2
    assert cells(audit) == {
        "Managing director": "A",
        "QHSE manager": "R",
        "Production manager": "C",
        "IT manager": "C",
        "Sales manager": "I",
    }
    assert set(cells(purchasing).values()) >= {"R", "A"} and cells(odd) == {}
    assert demo_processes.load_raci({}) == 0
    assert RaciAssignment.objects.filter(organization=org).count() == 9
