"""The version workflow's services: every step from every status (allowed and refused), the
author who may not approve, supersession, the frozen content hash, records that never change,
one open version at a time, and who may write versions."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.documents.models import Approval, Document, DocumentVersion, EvidenceFile
from pdca.documents.permissions import APPROVERS
from pdca.documents.versions import services
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db

Status = DocumentVersion.Status
TODAY = services.today()


# --- helpers (the other test modules of versions and acknowledgements use them too) ---------


def make_document(org, code: str = "QP-001", **fields) -> Document:
    found = Document.objects.filter(organization=org, code=code).first()
    return found or Document.objects.create(
        organization=org, code=code, title=fields.pop("title", f"Document {code}"), **fields
    )


def make_version(org, status: str = Status.DRAFT, *, document=None, author=None, **fields):
    """A version inserted directly, in `status` (an approved one carries its hash)."""
    from pdca.tenancy.models import Membership

    document = document or make_document(org)
    if author is None:
        author = Membership.objects.filter(organization=org).order_by("pk").first().user
    number = fields.pop("number", None) or document.versions.count() + 1
    values = {
        "content": f"# {document.title}\n\nVersion {number}.",
        "change_summary": f"Change {number} of {org.slug}",
        **fields,
    }
    version = DocumentVersion(
        organization=org, document=document, number=number, status=status, author=author, **values
    )
    if status not in (Status.DRAFT, Status.IN_REVIEW):
        version.content_sha256 = hashlib.sha256(version.content.encode()).hexdigest()
    if status in (Status.PUBLISHED, Status.SUPERSEDED, Status.OBSOLETE):
        version.published_at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        version.effective_date = dt.date(2026, 1, 5)
    version.save()
    return version


def make_file(org, content: bytes = b"%PDF-1.7 policy", **fields) -> EvidenceFile:
    return EvidenceFile.objects.create(
        organization=org,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type="application/pdf",
        original_name=fields.pop("original_name", "policy.pdf"),
        **fields,
    )


def publish(document, *, author, approver, content: str = "# Policy", summary: str = "First"):
    """Write, review, approve and publish a version through the services."""
    version = services.create_version(
        document, actor=author, content=content, change_summary=summary
    )
    services.submit_version(version, actor=author)
    services.approve_version(version, actor=approver)
    return services.publish_version(version, actor=approver)


def steps_of(version) -> list[str]:
    return list(
        ActivityEntry.objects.filter(
            object_type="documents.documentversion", object_id=str(version.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- every step from every status -----------------------------------------------------------

STEPS = sorted(services.TRANSITIONS)
STATUSES = [s.value for s in Status]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("step", STEPS)
def test_each_step_from_each_status(personas, status, step):
    author = personas.users[Role.CONSULTANT]
    # The author withdraws; every other step is taken by a system manager, who may do them all.
    actor = author if step == "withdraw" else personas.manager
    version = make_version(personas.org, status, author=author)
    expected = services.TRANSITIONS[step]
    if status == expected.source:
        services.transition_version(version, step, actor=actor, comment="Because")
        version.refresh_from_db()
        assert version.status == expected.target
        assert steps_of(version)[-1] == step
    else:
        with pytest.raises(Conflict) as caught:
            services.transition_version(version, step, actor=actor, comment="Because")
        assert caught.value.code == "invalid_transition"
        assert f"{status} → {expected.target}" in caught.value.message
        version.refresh_from_db()
        assert version.status == status
        assert steps_of(version) == []
        assert not Approval.objects.exists()


@pytest.mark.parametrize(
    ("status", "to", "expected"),
    [
        ("draft", "in_review", "in_review"),
        ("in_review", "approved", "approved"),
        ("approved", "published", "published"),
        ("published", "obsolete", "obsolete"),
        ("draft", "approved", None),
        ("draft", "published", None),
        ("in_review", "published", None),
        ("approved", "draft", None),
        ("approved", "in_review", None),
        ("published", "draft", None),
        ("published", "superseded", None),
        ("superseded", "published", None),
        ("obsolete", "published", None),
    ],
)
def test_steps_named_by_the_status_to_reach(personas, status, to, expected):
    version = make_version(personas.org, status, author=personas.users[Role.CONSULTANT])
    if expected:
        services.transition_version(version, to, actor=personas.manager, comment="Reason")
        assert version.status == expected
    else:
        with pytest.raises(Conflict) as caught:
            services.transition_version(version, to, actor=personas.manager, comment="Reason")
        assert caught.value.code == "invalid_transition"
        assert f"{status} → {to}" in caught.value.message
        version.refresh_from_db()
        assert version.status == status


def test_back_to_draft_is_a_withdrawal_for_the_author_and_a_rejection_for_others(personas):
    author = personas.users[Role.CONSULTANT]
    mine = make_version(personas.org, Status.IN_REVIEW, author=author)
    services.transition_version(mine, "draft", actor=author)
    assert (mine.status, steps_of(mine)) == ("draft", ["withdraw"])
    other = make_version(
        personas.org, Status.IN_REVIEW, author=author, document=make_document(personas.org, "X-1")
    )
    services.transition_version(other, "draft", actor=personas.manager, comment="Too long")
    assert (other.status, steps_of(other)) == ("draft", ["reject"])


def test_an_unknown_step_names_the_field(personas):
    version = make_version(personas.org)
    with pytest.raises(ValidationFailed) as caught:
        services.transition_version(version, "burn", actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["to"]


# --- review ---------------------------------------------------------------------------------


def test_the_author_never_approves_their_own_version(personas):
    author = personas.manager
    version = make_version(personas.org, Status.IN_REVIEW, author=author)
    with pytest.raises(PermissionDenied) as caught:
        services.approve_version(version, actor=author)
    assert caught.value.code == "author_cannot_approve"
    assert caught.value.message == "You wrote this version, so another person must approve it."
    version.refresh_from_db()
    assert (version.status, version.approved_by, version.content_sha256) == ("in_review", None, "")
    assert not Approval.objects.exists()
    assert steps_of(version) == []
    with pytest.raises(PermissionDenied) as caught:
        services.reject_version(version, actor=author, comment="No")
    assert caught.value.code == "author_cannot_reject"


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_who_approves(personas, role):
    version = make_version(personas.org, Status.IN_REVIEW, author=personas.users[Role.CONSULTANT])
    if role == Role.CONSULTANT:
        pytest.skip("the author")
    user = personas.users[role]
    if role in APPROVERS:
        services.approve_version(version, actor=user, comment="Fine")
        assert (version.status, version.approved_by) == ("approved", user)
        approval = Approval.objects.get()
        assert (approval.reviewer, approval.decision, approval.comment) == (
            user,
            "approved",
            "Fine",
        )
    else:
        with pytest.raises(PermissionDenied):
            services.approve_version(version, actor=user)
        version.refresh_from_db()
        assert version.status == "in_review"
        assert not Approval.objects.exists()


def test_the_outsider_takes_no_step(personas):
    version = make_version(personas.org, Status.IN_REVIEW)
    for step in ("approve", "reject", "withdraw"):
        with pytest.raises(PermissionDenied):
            services.transition_version(version, step, actor=personas.outsider, comment="x")
    version.refresh_from_db()
    assert version.status == "in_review"


def test_submission_needs_content_and_a_change_summary(personas):
    version = make_version(personas.org, content="  ", change_summary="")
    with pytest.raises(ValidationFailed) as caught:
        services.submit_version(version, actor=personas.manager)
    assert {e.field: e.message for e in caught.value.errors} == {
        "content": "Write the content or attach a file before submitting.",
        "change_summary": "Say what changed in this version.",
    }
    version.refresh_from_db()
    assert (version.status, version.submitted_at) == ("draft", None)
    with_file = make_version(
        personas.org,
        document=make_document(personas.org, "F-1"),
        content="",
        file=make_file(personas.org),
    )
    services.submit_version(with_file, actor=personas.manager)
    assert with_file.status == "in_review"
    assert with_file.submitted_at is not None


def test_a_rejection_needs_its_reason_and_is_recorded(personas):
    version = make_version(personas.org, Status.IN_REVIEW, author=personas.users[Role.CONSULTANT])
    with pytest.raises(ValidationFailed) as caught:
        services.reject_version(version, actor=personas.manager, comment="  ")
    assert [e.field for e in caught.value.errors] == ["comment"]
    assert not Approval.objects.exists()
    services.reject_version(version, actor=personas.manager, comment="Scope is missing")
    assert (version.status, version.submitted_at) == ("draft", None)
    approval = Approval.objects.get()
    assert (approval.decision, approval.comment, approval.reviewer) == (
        "rejected",
        "Scope is missing",
        personas.manager,
    )
    entry = ActivityEntry.objects.filter(action="reject").get()
    assert (entry.actor, entry.message) == (personas.manager, "Scope is missing")


# --- publication ----------------------------------------------------------------------------


def test_publication_supersedes_the_published_version(personas):
    document = make_document(personas.org, review_interval_months=12)
    author, approver = personas.users[Role.CONSULTANT], personas.users[Role.TOP_MANAGEMENT]
    first = publish(document, author=author, approver=approver, content="# One")
    assert (first.status, first.effective_date, first.published_at is not None) == (
        "published",
        TODAY,
        True,
    )
    document.refresh_from_db()
    assert document.review_due == services.add_months(TODAY, 12)
    second = services.create_version(document, actor=author, change_summary="Second")
    assert (second.number, second.content) == (2, "# One")  # starts from the published content
    services.submit_version(second, actor=author)
    services.approve_version(second, actor=approver)
    services.publish_version(second, actor=approver, effective_date=dt.date(2027, 1, 31))
    first.refresh_from_db()
    assert first.status == "superseded"
    assert list(document.versions.filter(status="published")) == [second]
    document.refresh_from_db()
    assert document.review_due == dt.date(2028, 1, 31)
    assert steps_of(first) == ["create", "submit", "approve", "publish", "supersede"]
    assert steps_of(second) == ["create", "submit", "approve", "publish"]
    assert (
        ActivityEntry.objects.filter(
            object_type="documents.document", object_id=str(document.pk), action="publish"
        ).count()
        == 2
    )


def test_no_review_date_without_a_review_interval(personas):
    document = make_document(personas.org, review_interval_months=0)
    publish(document, author=personas.manager, approver=personas.users[Role.TOP_MANAGEMENT])
    document.refresh_from_db()
    assert document.review_due is None


def test_approved_content_is_frozen_by_its_hash(personas):
    version = make_version(personas.org, Status.IN_REVIEW, content="# Approved text")
    services.approve_version(version, actor=personas.users[Role.TOP_MANAGEMENT])
    assert version.content_sha256 == hashlib.sha256(b"# Approved text").hexdigest()
    # Someone alters the row behind the services' back.
    DocumentVersion.objects.filter(pk=version.pk).update(content="# Something else")
    with pytest.raises(Conflict) as caught:
        services.publish_version(version, actor=personas.manager)
    assert caught.value.code == "content_changed"
    version.refresh_from_db()
    assert (version.status, version.published_at) == ("approved", None)
    assert "publish" not in steps_of(version)


def test_a_file_version_is_frozen_by_the_file_hash(personas):
    evidence = make_file(personas.org)
    version = make_version(personas.org, Status.IN_REVIEW, content="", file=evidence)
    services.approve_version(version, actor=personas.manager)
    assert version.content_sha256 == evidence.sha256
    services.publish_version(version, actor=personas.manager)
    assert version.status == "published"


def test_withdrawing_a_document_makes_its_published_version_obsolete(personas):
    document = make_document(personas.org)
    with pytest.raises(Conflict) as caught:
        services.make_obsolete(document, actor=personas.manager, reason="Replaced")
    assert caught.value.code == "invalid_transition"
    version = make_version(personas.org, Status.PUBLISHED, document=document)
    with pytest.raises(ValidationFailed) as caught:
        services.make_obsolete(document, actor=personas.manager, reason="")
    assert [e.field for e in caught.value.errors] == ["reason"]
    with pytest.raises(PermissionDenied):
        services.make_obsolete(document, actor=personas.employee, reason="Old")
    services.make_obsolete(document, actor=personas.manager, reason="Replaced by QP-009")
    version.refresh_from_db()
    assert version.status == "obsolete"
    assert document.obsolete is True
    assert steps_of(version)[-1] == "obsolete"


# --- records never change -------------------------------------------------------------------


@pytest.mark.parametrize("status", ["published", "superseded", "obsolete"])
def test_a_published_version_is_never_changed_or_deleted(personas, status):
    version = make_version(personas.org, status)
    for call in (
        lambda: services.update_version(version, actor=personas.manager, content="# New"),
        lambda: services.delete_version(version, actor=personas.manager),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert caught.value.code == "version_locked"
    version.refresh_from_db()
    assert version.content.startswith("# Document")
    assert steps_of(version) == []


@pytest.mark.parametrize("status", ["in_review", "approved"])
def test_a_version_under_review_is_not_changed(personas, status):
    version = make_version(personas.org, status)
    with pytest.raises(Conflict) as caught:
        services.update_version(version, actor=personas.manager, content="# New")
    assert caught.value.code == "not_draft"
    with pytest.raises(Conflict):
        services.delete_version(version, actor=personas.manager)
    assert DocumentVersion.objects.filter(pk=version.pk, status=status).exists()


# --- writing versions -----------------------------------------------------------------------


def test_one_open_version_at_a_time(personas):
    document = make_document(personas.org)
    first = services.create_version(document, actor=personas.manager, content="# A")
    assert (first.number, first.status, first.author) == (1, "draft", personas.manager)
    with pytest.raises(Conflict) as caught:
        services.create_version(document, actor=personas.manager, content="# B")
    assert caught.value.code == "open_version_exists"
    assert document.versions.count() == 1
    services.delete_version(first, actor=personas.manager)
    assert services.create_version(document, actor=personas.manager).number == 1


def test_bad_input_names_the_field_and_writes_nothing(personas):
    document = make_document(personas.org)
    foreign = make_file(personas.other)
    cases = [
        ({"file": foreign}, "file"),
        ({"content": "# Text", "file": make_file(personas.org)}, "file"),
        ({"content": 5}, "content"),
        ({"change_summary": ["x"]}, "change_summary"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            services.create_version(document, actor=personas.manager, **fields)
        assert [e.field for e in caught.value.errors] == [field]
    assert not DocumentVersion.objects.exists()
    version = make_version(personas.org, document=document)
    with pytest.raises(ValidationFailed) as caught:
        services.update_version(version, actor=personas.manager, number=9)
    assert [e.field for e in caught.value.errors] == ["number"]
    assert steps_of(version) == []


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_who_writes_versions(personas, role):
    user = personas.users[role]
    owned = make_document(personas.org, "OWN-1", owner=personas.users[Role.PROCESS_OWNER])
    other = make_document(personas.org, "OTHER-1")
    for document in (owned, other):
        allowed = role in IMPLEMENTERS or (role == Role.PROCESS_OWNER and document == owned)
        if allowed:
            version = services.create_version(document, actor=user, content="# Mine")
            services.update_version(version, actor=user, change_summary="Edited")
            services.submit_version(version, actor=user)
            assert version.status == "in_review"
        else:
            with pytest.raises(PermissionDenied):
                services.create_version(document, actor=user, content="# Mine")
            assert not document.versions.exists()


def test_the_published_file_is_carried_into_the_next_version(personas):
    document = make_document(personas.org)
    evidence = make_file(personas.org)
    make_version(personas.org, Status.PUBLISHED, document=document, content="", file=evidence)
    draft = services.create_version(document, actor=personas.manager)
    assert (draft.number, draft.content, draft.file) == (2, "", evidence)


def test_months_are_added_by_the_calendar():
    assert services.add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert services.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert services.add_months(dt.date(2026, 11, 15), 14) == dt.date(2028, 1, 15)


def test_actions_offered_say_why_not(personas):
    author = personas.users[Role.TOP_MANAGEMENT]
    version = make_version(personas.org, Status.IN_REVIEW, author=author)
    offered = {a.name: a for a in services.actions_for(version, author)}
    assert offered["approve"].allowed is False
    assert offered["approve"].reason == "You wrote this version, so another person must approve it."
    assert offered["withdraw"].allowed is True
    assert "reject" in offered and offered["reject"].allowed is False
    assert services.actions_for(version, personas.employee) == []
    by_manager = {a.name: a.allowed for a in services.actions_for(version, personas.manager)}
    assert by_manager == {"withdraw": True, "approve": True, "reject": True}
