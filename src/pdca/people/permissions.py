"""Who may do what with competence and training (see docs/permissions.md).

Implementers (and a certification body's manager, for its own auditors) keep requirements,
records, courses, paths, assignments, campaigns and qualifications. Top management and
auditors read everything: training evidence is what an audit samples. Every other member sees
their own records, enrolments and answers only, and takes the training assigned to them.
"""

from django.db import models

from pdca.core.permissions import register
from pdca.core.roles import ALL_ROLES, Role
from pdca.people.models import (
    Assignment,
    AwarenessCampaign,
    CompetenceRequirement,
    Course,
    Enrolment,
    Qualification,
    QuizAttempt,
    TrainingPath,
    TrainingRecord,
)

#: Who keeps the people records.
KEEPERS = frozenset({Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.CB_MANAGER})
#: Who reads every person's records.
READERS = KEEPERS | {
    Role.ADMIN,
    Role.TOP_MANAGEMENT,
    Role.INTERNAL_AUDITOR,
    Role.LEAD_AUDITOR,
    Role.CERTIFICATION_DECISION_MAKER,
}
#: Who may follow up competence actions (gaps turned into assignments).
FOLLOWERS = KEEPERS | {Role.TOP_MANAGEMENT, Role.PROCESS_OWNER}
#: Everyone else sees only rows about themselves.
SELF_ONLY = ALL_ROLES - READERS

model: type[models.Model]
for model in (CompetenceRequirement, Course, TrainingPath):
    # What is asked and what can be learnt is no secret: every member reads it.
    register(model, view=ALL_ROLES, add=KEEPERS, change=KEEPERS, delete=KEEPERS)

for model in (TrainingRecord, Qualification):
    register(
        model,
        view=READERS,
        add=KEEPERS,
        change=KEEPERS,
        delete=KEEPERS,
        evaluate=KEEPERS | {Role.TOP_MANAGEMENT},
        reader_fields=("person",),
        reader_roles=SELF_ONLY,
    )

register(
    Assignment,
    view=READERS,
    add=KEEPERS,
    change=KEEPERS,
    delete=KEEPERS,
    reader_fields=("person",),
    reader_roles=SELF_ONLY,
)
register(AwarenessCampaign, view=READERS, add=KEEPERS, change=KEEPERS, delete=KEEPERS)
for model in (Enrolment, QuizAttempt):
    register(
        model,
        view=READERS,
        reader_fields=("person",) if model is Enrolment else ("enrolment__person",),
        reader_roles=SELF_ONLY,
    )
