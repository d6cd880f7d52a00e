"""Every organization-owned model has API and page tests, or a written reason why not."""

import importlib
from pathlib import Path

from django.apps import apps

from pdca.core.models import OrgOwned
from pdca.core.testing import ApiBundle, ViewBundle

#: "app_label.model": {"api" or "views": the reason that bundle does not apply}
EXEMPT: dict[str, dict[str, str]] = {
    "reviews.reviewinput": {
        "api": "compiled by a review, never created alone: /api/v1/management-reviews/{id}/"
        "inputs/, /compile/ and /api/v1/review-inputs/{id}/ are tested role by role in "
        "tests/reviews/test_steps.py",
        "views": "shown and assessed on its review's page: the role matrix of compiling and "
        "assessing is in tests/reviews/test_steps.py",
    },
    "reviews.reviewplan": {
        "api": "one per system at /api/v1/management-reviews/schedule/: role matrix in "
        "tests/reviews/test_steps.py",
        "views": "the schedule page and its interval form: role matrix in "
        "tests/reviews/test_steps.py",
    },
    "food.foodsafetymethod": {
        "api": "one per organization at /api/v1/food-safety-method/ (GET, PUT): role matrix in "
        "tests/food/test_services.py (test_method_api_by_role)",
        "views": "one per organization, with no list: its pages are tested role by role in "
        "tests/food/test_services.py (test_method_pages_by_role)",
    },
    "environment.significancemethod": {
        "views": "one per organization, with no list: its pages (view, edit) and the role "
        "matrix are tested in tests/environment/test_method.py",
        "api": "one per organization at /api/v1/significance-method/ (GET, PUT): its role "
        "matrix is in tests/environment/test_method.py",
    },
    "continuity.biamethod": {
        "views": "one per organization, with no list: its pages (view, edit) and the role "
        "matrix are tested in tests/continuity/test_steps.py",
        "api": "one per organization at /api/v1/continuity-method/ (GET, PUT): its role matrix "
        "is in tests/continuity/test_steps.py",
    },
    "safety.hazardmethod": {
        "api": "one per organization at /api/v1/hazard-method/ (GET, PUT with ETag): role, "
        "stale-version and other-organization cases in tests/safety/test_method.py",
        "views": "one per organization, with no list: its page and edit page are tested role by "
        "role in tests/safety/test_method.py",
    },
    "tenancy.invitation": {
        "api": "nested under its organization (/organizations/{slug}/invitations/, resend and "
        "revoke steps, no PATCH or DELETE) plus accept and decline by token: role matrix in "
        "tests/tenancy/test_invitations_api.py",
        "views": "listed on the Members page for managers only and answered on a public link "
        "page: role matrix in tests/tenancy/test_invitation_pages.py",
    },
    "improvement.correctiveaction": {
        "api": "planned, changed, cancelled and implemented only through the nonconformity's "
        "workflow endpoints: role matrix in tests/improvement/test_actions_api.py",
        "views": "forms on the nonconformity's page, tested role by role in "
        "tests/improvement/test_workflow_pages.py",
    },
    "improvement.effectivenesscheck": {
        "api": "created only by the verify step and read in the workflow view: role matrix in "
        "tests/improvement/test_workflow_api.py",
        "views": "made and shown on the nonconformity's page: tested in "
        "tests/improvement/test_workflow_pages.py",
    },
    "improvement.capapolicy": {
        "api": "one per organization at /api/v1/capa-policy/ (GET, PUT): role matrix in "
        "tests/improvement/test_tasks_policy_api.py",
        "views": "one per organization, with no list: its page is tested in "
        "tests/improvement/test_policy_page.py",
    },
    "documents.approval": {
        "api": "created only by the approve and reject steps; read per version at "
        "/api/v1/document-versions/{id}/approvals/: role matrix in "
        "tests/documents/test_acknowledgements_api.py (test_approvals_are_read_by_every_member) "
        "and tests/documents/test_versions_api.py",
        "views": "shown on the version page; the steps' role matrix is in "
        "tests/documents/test_versions_pages.py",
    },
    "documents.acknowledgement": {
        "api": "report roles see every request, anyone else only their own, so the bundle's "
        "'every reader sees the row' does not hold; created and confirmed through the version's "
        "endpoints: explicit role matrix in tests/documents/test_acknowledgements_api.py",
        "views": "the request, confirm, report and to-read pages are tested role by role in "
        "tests/documents/test_acknowledgements_api.py (test_pages_by_role)",
    },
    "risks.riskmethod": {
        "views": "one per organization, with no list: its pages (view, edit) and the role "
        "matrix are tested in tests/risks/test_method.py",
        "api": "one per organization at /api/v1/risk-method/ (GET, PUT): its role matrix is in "
        "tests/risks/test_method.py",
    },
    "system.raciassignment": {
        "views": "edited as cells of the RACI grid (/responsibilities/raci/): the grid's role "
        "matrix is tested in tests/system/test_raci.py",
        "api": "set through PUT /api/v1/responsibilities/{id}/raci/ and read in /api/v1/raci/: "
        "the role matrix is in tests/system/test_raci_api.py",
    },
    "people.course": {
        "views": "a course's pages (list, detail with its modules, edit, lessons, questions, "
        "import and export) are not a register's: tested role by role in "
        "tests/people/test_pages.py",
    },
    "people.trainingpath": {
        "views": "a path's pages (list, detail with its assignment form, edit, start) are "
        "tested role by role in tests/people/test_pages.py",
    },
    "people.enrolment": {
        "views": "taken by its person only (start, resume, lessons, quizzes): tested in "
        "tests/people/test_pages.py, which also shows another member cannot answer it",
    },
    "people.quizattempt": {
        "views": "created by submitting a quiz and shown on its result page: tested in "
        "tests/people/test_pages.py (the key hidden before a pass)",
    },
    "system.systemtransition": {
        "views": "made by the move on /systems/{id}/transition/{code}/, whose preview and "
        "plan are tested role by role, with another organization, in "
        "tests/system/transition/test_api_and_pages.py",
        "api": "nested under its system: /systems/{id}/transitions/ (list, preview, move, "
        "plan), tested role by role in tests/system/transition/test_api_and_pages.py",
    },
    "system.adoptedstandard": {
        "views": "managed on the system page: adopt and drop are tested in "
        "tests/system/test_views.py",
        "api": "nested under its system: listed, adopted and dropped on "
        "/systems/{id}/standards/ and shown in the system detail; the role matrix is in "
        "tests/system/test_api.py (test_adopt_and_drop_by_role)",
    },
    "certification.certificateevent": {
        "api": "a certificate's history, written only by its transitions and read in "
        "GET /api/v1/cb/certificates/{id}/ (events): tested in "
        "tests/certification/test_certificates_api.py",
        "views": "shown as the status history on the certificate's page: tested role by role "
        "in tests/certification/test_certificates_pages.py",
    },
    "certification.certificationbodyprofile": {
        "api": "one per certification body at /api/v1/cb/profile/ (GET, PATCH with If-Match, "
        "image upload), no list or delete: role matrix in tests/certification/"
        "test_intake_profile.py (test_api_by_role)",
        "views": "one per certification body, with no list: its page and images are tested "
        "role by role in tests/certification/test_intake_profile.py",
    },
    "certification.audittimecalculation": {
        "api": "made only by calculating an application's audit time, read and written at "
        "/api/v1/cb/applications/{id}/audit-time/: tested in tests/certification/"
        "test_intake_audit_time.py (test_time_api)",
        "views": "shown and made on the application's audit-time page: role matrix in "
        "tests/certification/test_intake_audit_time.py (test_time_page_by_role)",
    },
    "certification.certificationcycle": {
        "api": "opened from an accepted application and changed only by the programme's steps "
        "and the decision: role matrix in tests/certification/test_programme_api.py",
        "views": "cycle list and cycle page with step forms, tested role by role in "
        "tests/certification/test_programme_api.py (test_reads_by_role, "
        "test_every_write_by_role)",
    },
    "certification.cycleaudit": {
        "api": "planned by the cycle services, never a register; read at "
        "/api/v1/cb/cycle-audits/{id}/ and the calendar, written by schedule, stage1-outcome "
        "and delivered-days: role matrix in tests/certification/test_programme_api.py",
        "views": "rows of the calendar and the cycle page with their forms, and the team "
        "selection page: tests/certification/test_programme_api.py and test_auditor_pool.py",
    },
    "certification.findingreview": {
        "api": "created by the audits' finding_graded hook; answer, review and verify steps: "
        "role matrix in tests/certification/test_programme_api.py",
        "views": "forms on the cycle page: tests/certification/test_programme_api.py "
        "(test_every_write_by_role)",
    },
    "certification.certificationdecision": {
        "api": "created only by POST /api/v1/cb/cycles/{id}/decisions/, never changed or "
        "deleted: tests/certification/test_programme_api.py (test_decide_by_role)",
        "views": "decision form and list on the cycle page: tests/certification/"
        "test_programme_api.py (test_every_write_by_role)",
    },
    # Engagements are not registers: each side reaches them through the engagement, whose
    # access rules (pdca.engagements.access) the tests below exercise role by role, on both
    # sides, for the outsider, and after a grant expires or is revoked.
    "engagements.engagement": {
        "api": "invite, accept, decline, withdraw, end, consultancy by role and side: "
        "tests/engagements/test_api.py",
        "views": "list, invite, invitation link and detail from both sides: "
        "tests/engagements/test_pages.py",
    },
    "engagements.accessgrant": {
        "api": "grant, revoke and every read under a grant, by role, side, expiry and "
        "revocation: tests/engagements/test_api_grants.py",
        "views": "grant form, grant page with its access log, reads under it: "
        "tests/engagements/test_pages.py (test_grant_page_and_reads_under_it)",
    },
    "engagements.evidencerequest": {
        "api": "ask, answer, review, withdraw by role and side: "
        "tests/engagements/test_api_requests.py",
        "views": "request form and page: tests/engagements/test_pages.py "
        "(test_evidence_request_pages)",
    },
    "engagements.auditrelease": {
        "api": "made only by POST /api/v1/engagements/{id}/audits/{audit_id}/release/, never "
        "changed: tests/engagements/test_api_audits.py",
        "views": "the release button and the client's audit page: tests/engagements/"
        "test_pages.py (test_client_sees_released_audits_only_and_sends_its_plan)",
    },
    "engagements.findinglink": {
        "api": "made by the finding flow; read and send-plan by role: "
        "tests/engagements/test_api_audits.py",
        "views": "findings section and send-plan form: tests/engagements/test_pages.py, "
        "tests/e2e/test_engagement.py",
    },
    "engagements.rehearsal": {
        "api": "run and read by role, and by a body under an open, expired or revoked grant: "
        "tests/engagements/rehearsal/test_access.py",
        "views": "system, run, detail and PDF pages by role and grant: "
        "tests/engagements/rehearsal/test_access.py",
    },
    "engagements.predictedfinding": {
        "api": "rows of a rehearsal, never written on their own: read with their rehearsal in "
        "tests/engagements/rehearsal/test_access.py",
        "views": "listed on the rehearsal pages: tests/engagements/rehearsal/test_access.py",
    },
}

TESTS = Path(__file__).parent


def _bundles() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        if "e2e" in path.parts:
            continue
        module = importlib.import_module(
            ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        )
        for value in vars(module).values():
            if not isinstance(value, type) or not hasattr(value, "model"):
                continue
            kind = (
                "api"
                if issubclass(value, ApiBundle)
                else "views"
                if issubclass(value, ViewBundle)
                else None
            )
            if kind and value not in (ApiBundle, ViewBundle):
                found.setdefault(value.model._meta.label_lower, set()).add(kind)
    return found


def org_owned_models() -> list[str]:
    return sorted(
        m._meta.label_lower
        for m in apps.get_models()
        if issubclass(m, OrgOwned) and not m._meta.abstract
    )


def test_every_org_owned_model_has_api_and_page_tests():
    bundles = _bundles()
    missing = []
    for label in org_owned_models():
        for kind in ("api", "views"):
            if kind not in bundles.get(label, set()) and kind not in EXEMPT.get(label, {}):
                missing.append(f"{label}: no {kind} bundle")
    assert not missing, "\n".join(missing)


def test_exemptions_name_real_models_and_give_reasons():
    labels = set(org_owned_models())
    for label, reasons in EXEMPT.items():
        assert label in labels, f"{label} is exempt but is not an org-owned model"
        for kind, reason in reasons.items():
            assert kind in {"api", "views"}
            assert len(reason.split()) >= 4, f"{label}/{kind}: give a real reason"


def test_the_meta_test_sees_the_tenancy_models():
    assert {"tenancy.site", "tenancy.membership"} <= set(org_owned_models())
    assert _bundles()["tenancy.site"] == {"api", "views"}


def test_api_schema_class_names_are_unique():
    """django-ninja files a schema in the OpenAPI document under its class name: two classes of
    one name would document one endpoint with the other's fields."""
    from collections import defaultdict

    from ninja import Schema

    import pdca.api  # noqa: F401 - imports every router and its schemas

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    modules: dict[str, set[str]] = defaultdict(set)
    for schema in subclasses(Schema):
        if schema.__module__.startswith("pdca."):
            modules[schema.__name__].add(schema.__module__)
    assert {name: sorted(m) for name, m in modules.items() if len(m) > 1} == {}
