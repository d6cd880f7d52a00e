import pytest

from pdca.tenancy.testing import make_personas


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database starts with every shipped standards catalog loaded."""
    from pdca.standards.services import load_catalogs

    with django_db_blocker.unblock():
        load_catalogs()


@pytest.fixture
def catalog(db):
    """The shipped catalogs, for tests that need them (reloaded after a transactional test
    emptied the database)."""
    from pdca.standards.services import ensure_catalogs_loaded

    ensure_catalogs_loaded()


@pytest.fixture
def personas(db):
    """The standard cast: see pdca.core.testing.personas."""
    return make_personas()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (the browser tests, the threaded ones) empties the database when it
    ends; the shipped catalogs are loaded again right after, outside any test's transaction, so
    the tests that run next on the same worker find them as they would at the session's start."""
    yield
    marker = item.get_closest_marker("django_db")
    # After the worker's last test the test database is gone (the session has ended).
    if nextitem is None or marker is None or not marker.kwargs.get("transaction"):
        return
    from pytest_django.plugin import blocking_manager_key

    from pdca.standards.services import ensure_catalogs_loaded

    with item.config.stash[blocking_manager_key].unblock():
        ensure_catalogs_loaded()
