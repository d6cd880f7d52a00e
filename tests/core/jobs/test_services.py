"""Asking for work and asking again: the same work is queued once, a failed job is retried,
uploads are stored (never kept in the parameters)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from pdca.core.exceptions import Conflict, PermissionDenied
from pdca.core.jobs.builtin import send_mail_later
from pdca.core.jobs.models import Job
from pdca.core.jobs.runner import execute
from pdca.core.jobs.services import enqueue_job, job_storage, read_input, retry_job
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role

pytestmark = pytest.mark.django_db


def _enqueue(personas, user=None, **params):
    return enqueue_job(
        "test_summary",
        organization=personas.org,
        actor=user or personas.employee,
        params=params,
    )


def test_the_same_work_asked_twice_while_it_waits_is_one_job(personas, queued_only):
    first = _enqueue(personas, n=1)
    again = _enqueue(personas, n=1)
    assert again.pk == first.pk
    assert Job.objects.count() == 1
    assert ActivityEntry.objects.filter(object_type="core.job", action="enqueue").count() == 1


def test_other_parameters_or_another_person_is_other_work(personas, queued_only):
    first = _enqueue(personas, n=1)
    assert _enqueue(personas, n=2).pk != first.pk
    assert _enqueue(personas, user=personas.manager, n=1).pk != first.pk
    assert Job.objects.count() == 3


def test_once_a_job_finished_the_same_work_is_a_new_job(personas, queued_only):
    first = _enqueue(personas, n=1)
    execute(first.pk)
    assert _enqueue(personas, n=1).pk != first.pk


def test_the_database_refuses_a_second_waiting_job_for_the_same_work(personas, queued_only):
    first = _enqueue(personas, n=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(
            kind=first.kind,
            title="again",
            requested_by=personas.employee,
            params_key=first.params_key,
        )


def test_an_upload_is_stored_and_read_back_and_part_of_the_works_identity(personas, queued_only):
    job = enqueue_job(
        "test_summary",
        organization=personas.org,
        actor=personas.employee,
        upload=b"PK fake workbook",
        upload_name="my edits.xlsx",
    )
    assert job.params == {}
    assert job.input_name == "my edits.xlsx"
    assert job.input_file.startswith("jobs/input/")
    assert job.input_file.endswith("/my_edits.xlsx")
    assert read_input(job) == b"PK fake workbook"
    same = enqueue_job(
        "test_summary",
        organization=personas.org,
        actor=personas.employee,
        upload=b"PK fake workbook",
        upload_name="copy.xlsx",
    )
    other = enqueue_job(
        "test_summary",
        organization=personas.org,
        actor=personas.employee,
        upload=b"PK other workbook",
        upload_name="my edits.xlsx",
    )
    assert same.pk == job.pk
    assert other.pk != job.pk


def test_a_failed_job_is_retried_and_runs_again(personas):
    job = enqueue_job(
        "test_fail", organization=personas.org, actor=personas.employee, params={"until": 2}
    )
    assert job.status == Job.Status.FAILED
    job = retry_job(job, actor=personas.employee)
    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 2
    assert job.error == ""
    assert job.result == {"attempt": 2}
    entry = ActivityEntry.objects.get(object_type="core.job", action="retry")
    assert entry.actor == personas.employee
    assert entry.changes == {"status": ["failed", "queued"]}
    assert entry.message.startswith("The job stopped on an unexpected error (RuntimeError)")


@pytest.mark.parametrize("status", ["queued", "running", "succeeded"])
def test_only_a_failed_job_may_be_retried(personas, queued_only, status):
    job = _enqueue(personas)
    Job.objects.filter(pk=job.pk).update(status=status)
    with pytest.raises(Conflict) as refused:
        retry_job(job, actor=personas.employee)
    assert refused.value.code == "job_not_failed"
    job.refresh_from_db()
    assert job.status == status
    assert not ActivityEntry.objects.filter(action="retry").exists()


def test_a_retry_while_the_same_work_waits_again_is_refused(personas, queued_only):
    job = _enqueue(personas)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)
    waiting = _enqueue(personas)
    with pytest.raises(Conflict) as refused:
        retry_job(job, actor=personas.employee)
    assert refused.value.code == "job_already_active"
    assert (
        refused.value.message == f"The same work is already waiting or running as job {waiting.pk}."
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.SYSTEM_MANAGER, True), (Role.ADMIN, True), (Role.PROCESS_OWNER, False)],
)
def test_a_manager_may_retry_someone_elses_job_and_a_colleague_may_not(personas, role, allowed):
    job = enqueue_job("test_fail", organization=personas.org, actor=personas.employee)
    if allowed:
        assert retry_job(job, actor=personas.users[role]).attempts == 2
    else:
        with pytest.raises(PermissionDenied):
            retry_job(job, actor=personas.users[role])


def test_an_outsider_may_not_retry(personas):
    job = enqueue_job("test_fail", organization=personas.org, actor=personas.employee)
    with pytest.raises(PermissionDenied):
        retry_job(job, actor=personas.outsider)
    job.refresh_from_db()
    assert job.attempts == 1


def test_mail_is_sent_by_a_job_after_the_change_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_later("someone@example.com", "Subject", "Body")
        assert mail.outbox == []
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["someone@example.com"], "Subject", "Body")
    ]
    job = Job.objects.get(kind="send_email")
    assert (job.status, job.organization, job.requested_by) == ("succeeded", None, None)
    assert not ActivityEntry.objects.filter(object_type="core.job").exists()


def test_a_mail_server_that_fails_fails_the_job_which_can_be_retried(
    db, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_later("someone@example.com", "Subject", "Body")
    job = Job.objects.get(kind="send_email")
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("The job stopped on an unexpected error (ConnectionRefusedError)")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_job(job, actor=None).status == Job.Status.SUCCEEDED
    assert len(mail.outbox) == 1


def test_old_finished_jobs_are_cleared_with_their_files(personas, settings):
    import datetime as dt

    from django.utils import timezone

    old = enqueue_job("test_count", organization=personas.org, actor=personas.employee)
    recent = enqueue_job(
        "test_count", organization=personas.org, actor=personas.employee, params={"n": 2}
    )
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=31))
    prune = enqueue_job("prune_jobs", organization=None, actor=None)
    assert prune.result == {"jobs": 1, "files": 1, "tasks": 0}
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, prune.pk}
    assert not job_storage().exists(old.result_file)
    assert job_storage().exists(recent.result_file)
