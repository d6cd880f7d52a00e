"""The invitation's mail is a job on the mail queue: it makes the link's secret itself (the
secret is in no job, queue row or log), a resend supersedes a mail still waiting, and a mail
server that fails leaves a job that is retried."""

import hashlib
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from pdca.core.jobs import builtin  # noqa: F401  (kinds registered)
from pdca.core.jobs.models import Job
from pdca.core.jobs.runner import execute
from pdca.core.jobs.services import retry_job
from pdca.core.roles import Role
from pdca.tenancy.invitations import services as invitations

pytestmark = pytest.mark.django_db
LINK = re.compile(re.escape(settings.PDCA_BASE_URL) + r"/invitations/([A-Za-z0-9_-]+)/")
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}


def invite(personas, capture):
    with capture(execute=True):
        return invitations.invite_member(
            personas.org, email="new@example.com", role=Role.EMPLOYEE, actor=personas.manager
        )


def test_the_job_makes_the_secret_and_keeps_only_its_digest(
    personas, django_capture_on_commit_callbacks
):
    invitation = invite(personas, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="invitation_mail")
    assert (job.status, job.organization, job.requested_by, job.progress_message) == (
        "succeeded",
        personas.org,
        None,
        "Sent to new@example.com.",
    )
    (secret,) = LINK.findall(mail.outbox[-1].body)
    invitation.refresh_from_db()
    assert invitation.token_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(job.params) and secret not in job.title
    assert job.params == {"invitation": invitation.pk, "sent": 1}


def test_a_resend_supersedes_a_mail_still_waiting(personas, django_capture_on_commit_callbacks):
    with override_settings(TASKS=QUEUED_ONLY):
        invitation = invite(personas, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            invitations.resend_invitation(invitation, actor=personas.manager)
    first, second = Job.objects.filter(kind="invitation_mail").order_by("pk")
    assert execute(first.pk) == "succeeded"
    assert execute(second.pk) == "succeeded"
    first.refresh_from_db()
    assert (first.result, first.progress_message) == (
        {"sent": False},
        "A newer link was sent since.",
    )
    (message,) = mail.outbox
    (secret,) = LINK.findall(message.body)
    assert invitations.invitation_for_token(secret) == invitation


def test_a_revoked_invitation_is_not_mailed(personas, django_capture_on_commit_callbacks):
    with override_settings(TASKS=QUEUED_ONLY):
        invitation = invite(personas, django_capture_on_commit_callbacks)
    invitations.revoke_invitation(invitation, actor=personas.manager)
    job = Job.objects.get(kind="invitation_mail")
    execute(job.pk)
    assert mail.outbox == []


def test_a_failed_invitation_mail_is_seen_by_managers_and_retried(
    personas, django_capture_on_commit_callbacks, settings, client
):
    from pdca.core.testing.api_bundle import login

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    invitation = invite(personas, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="invitation_mail")
    assert job.status == "failed"
    login(client, personas.manager)
    assert client.get(f"/api/v1/jobs/{job.pk}/").json()["status"] == "failed"
    login(client, personas.users[Role.PROCESS_OWNER])
    assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_job(job, actor=personas.manager).status == "succeeded"
    (secret,) = LINK.findall(mail.outbox[-1].body)
    assert invitations.invitation_for_token(secret) == invitation
