"""Engagements: invitation, acceptance, decline, withdrawal, end; both activity logs."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from pdca.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.engagements.access import engagements_for, get_engagement, side_of
from pdca.engagements.models import AccessGrant, Engagement
from pdca.engagements.services import links
from tests.certification.factories import make_client
from tests.engagements.factories import document, grant, link, secret_of

pytestmark = pytest.mark.django_db


def _invite(personas, client=None, email=None):
    return links.invite_client(
        personas.cb,
        email=email or personas.manager.email,
        title="ISO 9001 certification",
        client=client or make_client(personas.cb),
        actor=personas.users[Role.CB_MANAGER],
    )


def test_invitation_mails_a_link_whose_secret_is_not_stored(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invited = _invite(personas)
    engagement = invited.engagement
    assert engagement.status == Engagement.Status.INVITED
    assert engagement.kind == Engagement.Kind.CERTIFICATION
    assert secret_of(invited.url) not in engagement.token_digest
    assert len(mail.outbox) == 1 and invited.url in mail.outbox[0].body
    # The client does not see a link it has not accepted; the body does.
    assert not engagements_for(personas.manager).exists()
    assert list(engagements_for(personas.users[Role.LEAD_AUDITOR])) == [engagement]


def test_invitation_input_is_checked(personas):
    manager = personas.users[Role.CB_MANAGER]
    with pytest.raises(ValidationFailed) as caught:
        links.invite_client(personas.cb, email="nope", title="", client=None, actor=manager)
    assert {e.field for e in caught.value.errors} == {"email", "title", "client"}
    with pytest.raises(PermissionDenied):
        links.invite_client(
            personas.cb,
            email="a@b.example",
            title="x",
            client=make_client(personas.cb, 1),
            actor=personas.users[Role.AUDITOR],
        )
    with pytest.raises(PermissionDenied):
        links.invite_client(personas.org, email="a@b.example", title="x", actor=personas.manager)
    assert not Engagement.objects.exists()


def test_one_open_link_per_client_record(personas):
    client = make_client(personas.cb)
    _invite(personas, client)
    with pytest.raises(Conflict):
        _invite(personas, client)


def test_accepting_links_both_sides_and_logs_in_both(personas):
    engagement = link(personas)
    assert engagement.status == Engagement.Status.ACTIVE
    assert engagement.client_organization == personas.org
    assert side_of(personas.manager, engagement) == "client"
    assert side_of(personas.users[Role.AUDITOR], engagement) == "provider"
    assert side_of(personas.employee, engagement) is None
    assert side_of(personas.outsider, engagement) is None
    for org in (personas.cb, personas.org):
        assert ActivityEntry.objects.filter(
            organization=org, object_type="engagements.engagement", action="accept"
        ).exists()
    with pytest.raises(NotFound):
        get_engagement(personas.outsider, engagement.pk)


def test_only_the_invited_address_may_answer_and_only_once(personas):
    invited = _invite(personas)
    secret = secret_of(invited.url)
    top = personas.users[Role.TOP_MANAGEMENT]
    with pytest.raises(PermissionDenied):
        links.accept_engagement(secret, personas.org, actor=top)
    with pytest.raises(ValidationFailed):
        links.accept_engagement(secret, personas.cb, actor=personas.manager)
    links.accept_engagement(secret, personas.org, actor=personas.manager)
    with pytest.raises(Conflict):
        links.decline_engagement(secret, actor=personas.manager)
    with pytest.raises(NotFound):
        links.engagement_for_token("wrong")


def test_expired_invitation_cannot_be_accepted(personas):
    invited = _invite(personas)
    Engagement.objects.filter(pk=invited.engagement.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(Conflict) as caught:
        links.accept_engagement(secret_of(invited.url), personas.org, actor=personas.manager)
    assert caught.value.code == "link_expired"


def test_decline_and_withdraw(personas):
    invited = _invite(personas)
    links.decline_engagement(secret_of(invited.url), actor=personas.manager)
    invited.engagement.refresh_from_db()
    assert invited.engagement.status == Engagement.Status.DECLINED
    second = _invite(personas, make_client(personas.cb, 1))
    with pytest.raises(PermissionDenied):
        links.withdraw_invitation(second.engagement, actor=personas.users[Role.AUDITOR])
    links.withdraw_invitation(second.engagement, actor=personas.users[Role.CB_MANAGER])
    assert Engagement.objects.get(pk=second.engagement.pk).status == Engagement.Status.WITHDRAWN


@pytest.mark.parametrize("side", ["client", "provider"])
def test_either_side_ends_the_link_and_open_grants_end_with_it(personas, side):
    engagement = link(personas)
    doc = document(personas.org)
    granted = grant(engagement, personas, documents=[doc.pk])
    actor = personas.manager if side == "client" else personas.users[Role.CB_MANAGER]
    with pytest.raises(ValidationFailed):
        links.end_engagement(engagement, "", actor=actor)
    links.end_engagement(engagement, "Contract ended", actor=actor)
    granted.refresh_from_db()
    assert granted.revoked_at is not None
    assert Engagement.objects.get(pk=engagement.pk).status == Engagement.Status.ENDED
    with pytest.raises(Conflict):
        links.end_engagement(engagement, "again", actor=actor)
    assert not AccessGrant.objects.filter(revoked_at__isnull=True).exists()


def test_employee_may_not_end_a_link(personas):
    engagement = link(personas)
    with pytest.raises((PermissionDenied, NotFound)):
        links.end_engagement(engagement, "no", actor=personas.employee)
    with pytest.raises(NotFound):
        links.end_engagement(engagement, "no", actor=personas.outsider)
