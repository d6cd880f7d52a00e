"""Two people move the same system to a new edition at once, on PostgreSQL with real threads:
one move happens, the other is refused, and the system has one open assessment.
Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdca_conc pytest
tests/system/transition/test_concurrency_postgres.py"""

from __future__ import annotations

import pytest
from django.db import connection

from pdca.assessments.models import GapAssessment
from pdca.core.exceptions import Conflict
from pdca.core.roles import Role
from pdca.system.models import AdoptedStandard, SystemTransition
from pdca.system.transition.services import transition_system
from tests.core.test_concurrency_postgres import run_at_once
from tests.system.transition.conftest import make_scene, std

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes every writer; row locks only show on PostgreSQL",
    ),
]


def test_a_system_moves_once(personas, catalog):
    scene = make_scene(personas)
    new = std("iso9001-2026")
    consultant = personas.users[Role.CONSULTANT]
    results = run_at_once(
        [
            lambda: transition_system(scene.system, new, actor=personas.manager),
            lambda: transition_system(scene.system, new, actor=consultant),
        ]
    )
    done = [r for r in results if isinstance(r, SystemTransition)]
    assert len(done) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in done), results
    assert SystemTransition.objects.filter(system=scene.system).count() == 1
    assert GapAssessment.objects.filter(system=scene.system, status="open").count() == 1
    assert AdoptedStandard.objects.filter(system=scene.system, standard=new).count() == 1
