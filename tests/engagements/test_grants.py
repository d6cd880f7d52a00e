"""Access grants: what the body reads of its client, until when, each read logged."""

import pytest

from pdca.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.engagements.models import AccessGrant
from pdca.engagements.services import grants, shared
from pdca.engagements.services.links import end_engagement
from tests.engagements.factories import document, evidence, expire, grant, link

pytestmark = pytest.mark.django_db


def _reads(org):
    return ActivityEntry.objects.filter(organization=org, action__in=["view", "download"])


def test_grant_names_only_the_clients_own_items(personas):
    engagement = link(personas)
    foreign = document(personas.other, "X-1", author=personas.outsider)
    with pytest.raises(ValidationFailed) as caught:
        grant(engagement, personas, documents=[foreign.pk], registers=["nope"])
    assert {e.field for e in caught.value.errors} == {"documents", "registers"}
    with pytest.raises(ValidationFailed):
        grant(engagement, personas)  # nothing chosen
    with pytest.raises(ValidationFailed):
        grant(engagement, personas, days=-1, documents=[document(personas.org).pk])
    assert not AccessGrant.objects.exists()


def test_only_the_clients_grantors_grant(personas):
    engagement = link(personas)
    doc = document(personas.org)
    for user in (personas.employee, personas.users[Role.PROCESS_OWNER]):
        with pytest.raises(PermissionDenied):
            grants.grant_access(
                engagement,
                purpose="x",
                starts_at=None,
                ends_at=None,
                documents=[doc.pk],
                actor=user,
            )
    with pytest.raises(NotFound):
        grants.grant_access(
            engagement,
            purpose="x",
            starts_at=None,
            ends_at=None,
            documents=[doc.pk],
            actor=personas.users[Role.LEAD_AUDITOR],
        )


def test_body_reads_granted_document_and_each_read_is_logged(personas):
    engagement = link(personas)
    doc = document(personas.org)
    document(personas.org, "QM-02")  # not granted
    draft = document(personas.org, "QM-03", status="draft")
    g = grant(engagement, personas, documents=[doc.pk, draft.pk])
    lead = personas.users[Role.LEAD_AUDITOR]
    now = shared.shared_now(engagement, actor=lead)
    assert [d.code for d in now.documents] == ["QM-01", "QM-03"]
    read = shared.read_document(engagement, doc.pk, actor=lead)
    assert [v.number for v in read.versions] == [1]
    # A draft is not in force: a document grant does not show it.
    assert shared.read_document(engagement, draft.pk, actor=lead).versions == []
    entries = shared.access_log(g)
    assert entries.count() == 2
    assert all(e.actor == lead for e in entries)
    assert "Stage 1 document review" in entries.first().message
    with pytest.raises(NotFound):
        shared.read_document(engagement, doc.pk + 1, actor=lead)


def test_access_ends_the_second_a_grant_expires_or_is_revoked(personas):
    engagement = link(personas)
    doc = document(personas.org)
    lead = personas.users[Role.LEAD_AUDITOR]
    g = grant(engagement, personas, documents=[doc.pk])
    shared.read_document(engagement, doc.pk, actor=lead)
    expire(g)
    with pytest.raises(NotFound):
        shared.read_document(engagement, doc.pk, actor=lead)
    g2 = grant(engagement, personas, documents=[doc.pk])
    shared.read_document(engagement, doc.pk, actor=lead)
    with pytest.raises(ValidationFailed):
        grants.revoke_grant(g2, "", actor=personas.manager)
    grants.revoke_grant(g2, "Stage 1 done", actor=personas.manager)
    with pytest.raises(NotFound):
        shared.read_document(engagement, doc.pk, actor=lead)
    with pytest.raises(Conflict):
        grants.revoke_grant(g2, "again", actor=personas.manager)


def test_access_ends_with_the_engagement(personas):
    engagement = link(personas)
    doc = document(personas.org)
    grant(engagement, personas, documents=[doc.pk])
    end_engagement(engagement, "Moved to another body", actor=personas.manager)
    with pytest.raises(NotFound):
        shared.read_document(engagement, doc.pk, actor=personas.users[Role.LEAD_AUDITOR])


def test_client_members_and_outsiders_do_not_read_through_the_provider_side(personas):
    engagement = link(personas)
    doc = document(personas.org)
    grant(engagement, personas, documents=[doc.pk])
    for user in (personas.manager, personas.outsider, personas.employee):
        with pytest.raises(NotFound):
            shared.read_document(engagement, doc.pk, actor=user)


def test_evidence_download_and_register_read(personas):
    engagement = link(personas)
    file = evidence(personas)
    other_file = evidence(personas, "other.txt", b"not shared")
    g = grant(engagement, personas, evidence=[file.pk], registers=["risks"])
    auditor = personas.users[Role.AUDITOR]
    download = shared.download_evidence(engagement, file.pk, actor=auditor)
    assert download.file.read() == b"calibration record"
    with pytest.raises(NotFound):
        shared.download_evidence(engagement, other_file.pk, actor=auditor)
    register = shared.read_register(engagement, "risks", actor=auditor)
    assert register.grant == g
    with pytest.raises(NotFound):
        shared.read_register(engagement, "objectives", actor=auditor)
    actions = list(_reads(personas.org).values_list("action", flat=True))
    assert sorted(actions) == ["download", "view"]
    # Nothing is logged in the body's own chain for a read of the client's data.
    assert not _reads(personas.cb).filter(object_type="documents.evidencefile").exists()


def test_a_bodys_administrator_does_not_read_under_a_grant(personas):
    from pdca.tenancy.models import Membership

    engagement = link(personas)
    doc = document(personas.org)
    grant(engagement, personas, documents=[doc.pk])
    admin = Membership.objects.get(organization=personas.cb, role=Role.ADMIN).user
    with pytest.raises(NotFound):
        shared.read_document(engagement, doc.pk, actor=admin)
