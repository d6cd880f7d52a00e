"""The password-reset mail is a job on the mail queue that makes its own token: the token is
in no job row, and a mail server that fails leaves a job to retry, not a broken page."""

import pytest
from django.core import mail

from pdca.core.jobs.models import Job
from pdca.core.jobs.services import retry_job

pytestmark = pytest.mark.django_db


def test_the_reset_mail_is_a_job_that_keeps_no_token(client, personas):
    client.post("/accounts/password/reset/", {"email": personas.manager.email})
    job = Job.objects.get(kind="password_reset_mail")
    assert (job.status, job.organization, job.requested_by) == ("succeeded", None, None)
    (message,) = mail.outbox
    token = message.body.split("/accounts/reset/")[1].split("/")[1]
    assert len(token) > 20
    assert token not in str(job.params)
    assert set(job.params) == {
        "user",
        "domain",
        "site_name",
        "protocol",
        "subject_template",
        "body_template",
        "html_template",
    }


def test_a_mail_server_that_fails_leaves_the_page_working_and_a_job_to_retry(
    client, personas, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    response = client.post("/accounts/password/reset/", {"email": personas.manager.email})
    assert response["Location"] == "/accounts/password/reset/sent/"
    job = Job.objects.get(kind="password_reset_mail")
    assert job.status == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_job(job, actor=None).status == "succeeded"
    assert [m.to for m in mail.outbox] == [[personas.manager.email]]
