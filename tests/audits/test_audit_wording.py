"""An entry's page heads its linked requirements with what the link means in its register:
an audit's are the requirements in its scope, a nonconformity's those it failed to meet."""

from __future__ import annotations

import pytest

from pdca.core.testing.api_bundle import login
from tests.audits.test_findings import ISO9001, make_audit, raise_minor, requirement

pytestmark = pytest.mark.django_db


def heading(html: str) -> str:
    start = html.index('id="requirements-title">') + len('id="requirements-title">')
    return html[start : html.index("</h2>", start)]


def test_an_audit_lists_the_requirements_in_its_scope(client, personas, catalog):
    audit = make_audit(personas.org)
    audit.requirements.set([requirement(ISO9001, "8.5.1")])
    login(client, personas.manager)
    html = client.get(f"/audits/{audit.pk}/").content.decode()
    assert heading(html) == "Requirements in scope"
    assert "Requirements it answers" not in html


def test_a_nonconformity_lists_the_requirements_it_did_not_meet(client, personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_minor(audit, personas.manager, requirements=[requirement(ISO9001, "8.5.1")])
    login(client, personas.manager)
    html = client.get(f"/nonconformities/{finding.nonconformity_id}/").content.decode()
    assert heading(html) == "Requirements not met"
