"""The password-reset mail, sent by a job so that a slow mail server never holds the sign-in
pages. The job makes the link's token itself: the token is never stored, not even in the
queue (the request queues only whom to mail and the site's address)."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from pdca.accounts.models import User
from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobOutcome, Progress, job_kind
from pdca.core.jobs.services import enqueue_job

RESET_MAIL = "password_reset_mail"


def queue_reset_mail(
    user: User,
    *,
    domain: str,
    site_name: str,
    protocol: str,
    subject_template: str,
    body_template: str,
    html_template: str | None = None,
) -> Job:
    """Queue the mail with a link to choose a new password (the job makes the link)."""
    return enqueue_job(
        RESET_MAIL,
        organization=None,
        actor=None,
        params={
            "user": user.pk,
            "domain": domain,
            "site_name": site_name,
            "protocol": protocol,
            "subject_template": subject_template,
            "body_template": body_template,
            "html_template": html_template,
        },
        title=f"Password reset e-mail to {user.email}",
    )


@job_kind(RESET_MAIL, title="Password reset e-mail", queue="mail", logged=False)
def run_reset_mail(job: Job, progress: Progress) -> JobOutcome:
    """Render and send the reset mail as Django's reset form would, with a fresh token."""
    params = job.params
    progress(0, 1, "Sending the password reset mail")
    user = User.objects.filter(pk=params["user"], is_active=True).first()
    if user is None:
        return JobOutcome(summary={"sent": False}, message="The account is no longer active.")
    context = {
        "email": user.email,
        "domain": params["domain"],
        "site_name": params["site_name"],
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": params["protocol"],
    }
    subject = "".join(loader.render_to_string(params["subject_template"], context).splitlines())
    body = loader.render_to_string(params["body_template"], context)
    message = EmailMultiAlternatives(subject, body, None, [user.email])
    if params.get("html_template"):
        message.attach_alternative(
            loader.render_to_string(params["html_template"], context), "text/html"
        )
    message.send()
    return JobOutcome(summary={"sent": True}, message=f"Sent to {user.email}.")
