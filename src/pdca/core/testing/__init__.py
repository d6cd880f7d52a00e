"""Test support every app reuses: personas, and test bundles that a model's tests inherit.

A model's test class declares data (how to make a row, what to post, what is invalid, which
roles may do what) and inherits the permission matrix, the activity-log checks and the
query-count checks. See docs/testing.md.
"""

from pdca.core.testing.api_bundle import ApiBundle
from pdca.core.testing.personas import Personas
from pdca.core.testing.queries import count_queries
from pdca.core.testing.view_bundle import ViewBundle

__all__ = ["ApiBundle", "Personas", "ViewBundle", "count_queries"]
