import pytest

from pdca.core.testing import make_personas


@pytest.fixture
def personas(db):
    """The standard cast: see pdca.core.testing.personas."""
    return make_personas()


@pytest.fixture(autouse=True)
def _fresh_permission_cache():
    # Users are fetched anew per request in real life; in tests the same objects are reused.
    yield
