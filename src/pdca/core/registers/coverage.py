"""Which register entries answer which requirements, so a gap assessment item can show the
records that meet its clause: the entries linked to the requirement by hand, and the whole
register when the register as such answers the clause (context issues answer 4.1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from pdca.core.permissions import may, scope
from pdca.core.registers.spec import RegisterSpec, all_specs


@dataclass
class Answer:
    """One register's part in meeting a requirement."""

    spec: RegisterSpec
    #: Entries linked to the requirement by hand (at most 20 shown).
    linked: list = field(default_factory=list)
    linked_count: int = 0
    #: Entries of the whole register, when the register as such answers the clause.
    register_count: int | None = None

    @property
    def list_url(self) -> str:
        return reverse(self.spec.url_name("list"))


def _answers_by_clause(spec: RegisterSpec, requirement) -> bool:
    if not spec.clauses:
        return False
    if spec.clause_standards and requirement.standard.code not in spec.clause_standards:
        return False
    numbers = {requirement.number}
    if requirement.core_id:
        numbers.add(requirement.core.number)
    return bool(numbers & set(spec.clauses))


def answers_for(requirements, organization, user) -> list[Answer]:
    """The registers whose entries answer any of `requirements` (one gap item may cover a
    requirement of several standards), readable by `user`; a few queries per register."""
    requirements = list(requirements)
    ids = [r.pk for r in requirements]
    found = []
    for spec in all_specs():
        if not may(user, "view", spec.model, organization=organization):
            continue
        answer = Answer(spec)
        visible = scope(spec.model.objects.filter(organization=organization), user)
        if "requirements" in spec.fields:
            # Q: only some registers' models have `requirements` (the plugin checks OrgOwned).
            linked = visible.filter(Q(requirements__in=ids)).distinct()
            answer.linked_count = linked.count()
            if answer.linked_count:
                answer.linked = list(linked.order_by(*spec.ordering[:1] or ["pk"])[:20])
        if any(_answers_by_clause(spec, r) for r in requirements):
            answer.register_count = visible.count()
        if answer.linked_count or answer.register_count is not None:
            found.append(answer)
    return found
