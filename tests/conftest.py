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
