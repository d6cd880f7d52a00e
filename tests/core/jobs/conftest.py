import pytest

import tests.core.jobs.kinds  # noqa: F401  (registers the test kinds)

#: A backend that stores tasks and runs nothing: the job stays queued until a test runs it.
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}


@pytest.fixture
def queued_only(settings):
    """Jobs wait in the queue instead of running at once (through pytest-django's `settings`,
    so that a test changing other settings too gets them all back in order)."""
    settings.TASKS = DUMMY
