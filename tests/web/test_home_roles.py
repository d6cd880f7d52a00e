"""Role homes: each persona's home shows what they have to do next, overdue first, each item
linking to where it is done; another organization's data never shows; the page makes the
same number of queries however many rows there are; the activity log stays off it."""

from __future__ import annotations

import pytest

from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import ROLES, login
from pdca.tenancy.models import Membership

from .home_world import cb_set, implementer_set

pytestmark = pytest.mark.django_db
R = Role


@pytest.fixture
def world(personas, catalog):
    org_people = {role: personas.users[role] for role in ORGANIZATION_ROLES}
    implementer_set(personas.org, org_people)
    cb_set(personas)
    # Org B has the same things to do, for its own member and for Org A's people (who are not
    # its members): none of it may reach Org A's homes.
    outsider = {role: personas.outsider for role in ORGANIZATION_ROLES}
    implementer_set(personas.other, outsider, tag="OUTSIDER ")
    implementer_set(personas.other, org_people, tag="OUTSIDER ", i=1)
    return personas


def home(client, user):
    login(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response


def shown(response) -> dict[str, list[tuple[str, str, bool]]]:
    """{section key: [(badge, title, overdue), ...]} as the page shows them."""
    return {
        s.key: [(i.badge, i.title, i.overdue) for i in s.items]
        for s in response.context["home_sections"]
    }


def test_top_management_sees_reviews_due_minutes_to_approve_actions_and_approvals(client, world):
    response = home(client, world.users[R.TOP_MANAGEMENT])
    assert shown(response) == {
        "reviews-due": [("Plan it", "Management review of IMS 0", True)],
        "minutes": [("Approve", "EMS review 0", False)],
        "review-actions": [("Action", "Budget the new press 0", True)],
        "document-tasks": [("Approve", "POL-0 Quality policy", False)],
        "capa-tasks": [],
        "objectives": [],
        "training": [],
    }
    html = response.content.decode()
    assert 'href="/dashboard/"' in html and 'href="/leadership/"' in html
    assert "<strong>4</strong> things to do" in html and "2 overdue" in html


@pytest.mark.parametrize("role", [R.SYSTEM_MANAGER, R.CONSULTANT])
def test_implementers_see_reviews_capa_documents_gap_items_and_risks(client, world, role):
    sections = shown(home(client, world.users[role]))
    documents = (
        [("Review", "PRO-0 Control of documents", True)]
        if role == R.SYSTEM_MANAGER  # the manager owns it; the consultant approves the policy
        else [("Approve", "POL-0 Quality policy", False)]
    )
    assert sections == {
        "reviews-due": [("Plan it", "Management review of IMS 0", True)],
        "capa-tasks": [("Triage", "1 report waiting for triage", False)],
        "document-tasks": documents,
        "gap-items": [("Not started", "4.1 Understanding the organization and its context", True)],
        "review-actions": [],
        "risks": [("Review", "R1-0 Press failure", True), ("Review", "R2-0 Press failure", False)],
        "objectives": [],
        "training": [],
    }


def test_a_process_owner_sees_their_actions_objectives_risks_documents_and_gap_items(client, world):
    assert shown(home(client, world.users[R.PROCESS_OWNER])) == {
        "review-actions": [("Action", "Retrain the night shift 0", True)],
        "capa-tasks": [("Action", "Fix the guard 0", True)],
        "objectives": [("Measure", "Cut scrap 0", True)],
        "risks": [("Review", "R1-0 Press failure", True)],
        "document-tasks": [("Review", "WI-0 Press setup", False)],
        "gap-items": [("Not started", "4.1 Understanding the organization and its context", True)],
        "training": [],
    }


def test_an_internal_auditor_sees_their_open_audits_findings_to_write_and_qualification(
    client, world
):
    sections = shown(home(client, world.users[R.INTERNAL_AUDITOR]))
    assert sections == {
        "my-audits": [
            ("Lead", "IA1-0 Production audit", False),
            ("Team", "IA2-0 Production audit", False),
        ],
        "findings": [
            ("Findings", "IA1-0 Production audit", False),
            ("Checklist", "IA1-0 Production audit", False),
        ],
        "capa-tasks": [],
        "review-actions": [],
        "document-tasks": [],
        "qualification": [("Not yet", "ISO 9001", False)],
        "training": [],
    }


def test_an_employee_sees_what_to_read_their_reports_and_a_report_a_problem_link(client, world):
    response = home(client, world.users[R.EMPLOYEE])
    assert shown(response) == {
        "document-tasks": [("Read and acknowledge", "SR-0 Safety rules", True)],
        "training": [],
        "reported": [("Reported", "NC-0 Guard missing", False)],
        "review-actions": [("Action", "Tidy the store 0", False)],
    }
    html = response.content.decode()
    assert (
        '<a class="btn btn-sm btn-primary" href="/nonconformities/report/">Report a problem' in html
    )
    assert 'href="/activity/"' not in html  # the employee may not read the log


def test_certification_body_roles_see_their_audits_answers_and_decisions(client, world):
    users = world.users
    audit = "Stage 2: Client 001 Ltd"
    answer = "F1 Calibration records missing (Stage 2: Client 000 Ltd)"
    expected = {
        R.CB_MANAGER: {
            "to-schedule": [("Schedule", "Client 001 Ltd: Stage 1", True)],
            "answers": [("Review plan", answer, False)],
            "decisions": [("Waiting", "Client 000 Ltd, cycle 1", False)],
            "my-audits": [],
            "training": [],
        },
        R.LEAD_AUDITOR: {
            "my-audits": [("Lead", audit, False)],
            "answers": [("Review plan", answer, False)],
            "training": [],
        },
        R.AUDITOR: {"my-audits": [("Team", audit, False)], "answers": [], "training": []},
        R.TECHNICAL_EXPERT: {"my-audits": [("Team", audit, False)], "training": []},
        R.CERTIFICATION_DECISION_MAKER: {
            "decisions": [("Decide", "Client 000 Ltd, cycle 1", False)],
            "training": [],
        },
    }
    for role, sections in expected.items():
        response = home(client, users[role])
        assert shown(response) == sections, role
        assert 'id="cb-heading"' in response.content.decode()


def test_no_home_shows_another_organizations_rows(client, world):
    for role in ROLES:
        html = home(client, world.users[role]).content.decode()
        assert "OUTSIDER" not in html, role
    # And the outsider sees Org B's, never Org A's (whose titles carry no tag).
    sections = shown(home(client, world.outsider))
    assert sections["reviews-due"] == [
        ("Plan it", "Management review of OUTSIDER IMS 0", True),
        ("Plan it", "Management review of OUTSIDER IMS 1", True),
    ]
    untagged = ("4.1 Understanding", "2 reports waiting")  # texts without a row's title
    titles = [title for items in sections.values() for _, title, _ in items]
    assert all("OUTSIDER" in title or title.startswith(untagged) for title in titles), titles


def test_items_link_to_where_they_are_done_and_the_activity_log_is_only_linked(client, world):
    html = home(client, world.users[R.TOP_MANAGEMENT]).content.decode()
    assert "/management-reviews/new/" in html  # plan the overdue review
    assert "Recent activity" not in html
    main = html[html.index("<main") :]
    assert main.count('href="/activity/"') == 1  # the menu has its own
    owner = shown(home(client, world.users[R.PROCESS_OWNER]))
    assert owner["objectives"]
    html = client.get("/").content.decode()
    assert '<span class="badge text-bg-danger">overdue</span>' in html
    assert 'id="capa-tasks-heading"' in html and 'id="home-training"' in html


def test_an_administrator_is_pointed_to_members_and_sites(client, world):
    response = home(client, world.users[R.ADMIN])
    assert set(shown(response)) == {"document-tasks", "training"}
    html = response.content.decode()
    assert 'href="/members/"' in html and 'href="/sites/"' in html


def test_a_member_of_two_organizations_sees_the_chosen_ones_tasks_only(client, world):
    owner = world.users[R.PROCESS_OWNER]
    Membership.objects.create(organization=world.other, user=owner, role=R.PROCESS_OWNER)
    login(client, owner)
    for org, action in ((world.org, "Retrain the night shift 0"), (world.other, None)):
        client.post("/organization/switch/", {"organization": org.pk, "next": "/"})
        sections = shown(client.get("/"))
        if action:
            assert sections["review-actions"] == [("Action", action, True)]
            assert "OUTSIDER" not in str(sections)
        else:
            assert sections["review-actions"] == [
                ("Action", "OUTSIDER Retrain the night shift 1", True)
            ]


@pytest.mark.parametrize("role", ROLES)
def test_the_home_makes_the_same_queries_at_two_sizes(client, personas, catalog, role):
    org_people = {r: personas.users[r] for r in ORGANIZATION_ROLES}
    user = personas.users[role]
    login(client, user)
    counts = []
    for start, stop in ((0, 1), (1, 4)):
        for i in range(start, stop):
            implementer_set(personas.org, org_people, i=i)
            cb_set(personas, i)
        client.get("/")  # the session and the user's roles
        queries, response = count_queries(lambda: client.get("/"))
        assert response.status_code == 200
        counts.append(queries)
    assert counts[0] == counts[1]


def test_a_cb_manager_sees_the_editions_their_certificates_must_leave(client, personas, catalog):
    from tests.certification.edition_factories import NEW_NAME, OLD_NAME, certified, editions

    manager = personas.users[Role.CB_MANAGER]
    assert "editions" not in shown(home(client, manager))
    editions()
    certified(personas.cb)
    certified(personas.cb)
    sections = shown(home(client, manager))
    assert sections["editions"] == [("2 certificates", f"{OLD_NAME} → {NEW_NAME}", False)]
    html = home(client, manager).content.decode()
    assert "provisional date" in html and "?in_transition=yes" in html
    # Only the manager's home: auditors and decision makers see it on the certificates list.
    assert "editions" not in shown(home(client, personas.users[Role.LEAD_AUDITOR]))
