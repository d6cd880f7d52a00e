"""The read replica (core/db_routing.py): report jobs read from it when it is configured, and
nothing else does; without it nothing changes.

The replica here is a second alias on the same test database (as `PDCA_REPLICA_DATABASE_URL`
would add one), so the assertions are about which connection ran each query.
"""

from __future__ import annotations

import pytest
from django.db import connections, router, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from pdca.audits.models import Finding
from pdca.audits.report.jobs import DRAFT_PDF_KIND
from pdca.core.db_routing import REPLICA, reading_from_replica, replica_configured
from pdca.core.jobs.models import Job
from pdca.core.jobs.runner import execute
from pdca.core.jobs.services import enqueue_job
from tests.audits.test_report import stage2  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
}
ROUTERS = ["pdca.core.db_routing.ReplicaRouter"]


@pytest.fixture
def replica():
    """A second connection to the test database under the alias "replica", with the router
    installed. (Made directly, not declared in DATABASES: Django's test case refuses aliases
    it was not told about when the test started.)"""
    connections.settings[REPLICA] = {**connections["default"].settings_dict}
    try:
        connection = connections.create_connection(REPLICA)
    finally:
        del connections.settings[REPLICA]
    connections[REPLICA] = connection
    try:
        with override_settings(DATABASE_ROUTERS=ROUTERS):
            yield connection
    finally:
        connection.close()
        del connections[REPLICA]


def _queued_draft(audit, actor) -> Job:
    """The draft report job, queued (not run) as the web process would queue it."""
    with override_settings(TASKS=DATABASE_QUEUE):
        return enqueue_job(
            DRAFT_PDF_KIND,
            organization=audit.organization,
            actor=actor,
            params={"audit": audit.pk},
            title="Draft",
        )


def _finding_reads(queries) -> list[str]:
    table = Finding._meta.db_table
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]
    ]


def test_without_a_replica_report_jobs_read_the_primary(stage2, personas):  # noqa: F811
    assert not replica_configured()
    job = _queued_draft(stage2, personas.manager)
    with CaptureQueriesContext(connections["default"]) as primary:
        assert execute(job.pk) == Job.Status.SUCCEEDED
    assert _finding_reads(primary.captured_queries)
    with reading_from_replica():
        assert router.db_for_read(Finding) == "default"


def test_a_report_job_reads_from_the_replica_and_writes_its_result_to_the_primary(
    stage2,  # noqa: F811
    personas,
    replica,
):
    job = _queued_draft(stage2, personas.manager)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as secondary,
    ):
        assert execute(job.pk) == Job.Status.SUCCEEDED
    # The findings (and the audit, its team, the organization) were read from the replica...
    assert _finding_reads(secondary.captured_queries)
    assert not _finding_reads(primary.captured_queries)
    # ...which was only read from; the job's claim, progress and file went to the primary.
    assert all(
        q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
        for q in secondary.captured_queries
    )
    assert any(q["sql"].lstrip().upper().startswith("UPDATE") for q in primary.captured_queries)
    job.refresh_from_db()
    assert job.result_file


def test_other_jobs_and_pages_keep_reading_the_primary(stage2, personas, replica):  # noqa: F811
    assert router.db_for_read(Finding) == "default"
    with CaptureQueriesContext(replica) as secondary:
        list(Finding.objects.all())
    assert secondary.captured_queries == []


def test_inside_a_transaction_reads_stay_on_the_primary(replica):
    with reading_from_replica():
        assert router.db_for_read(Finding) == REPLICA
        with transaction.atomic():
            # A transaction that writes must read its own writes (and take its locks) there.
            assert router.db_for_read(Finding) == "default"
        assert router.db_for_write(Finding) == "default"
        # The queue's and the jobs' own rows are written while the report runs: read there.
        assert router.db_for_read(Job) == "default"
    assert router.db_for_read(Finding) == "default"
