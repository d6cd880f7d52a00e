"""The demo's move to a new edition: Acme's quality system carried to ISO 9001:2026, and the
integrated system carried to ISO 14001:2026 without losing anything."""

from __future__ import annotations

from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.models import ActivityEntry
from pdca.demo import load_demo
from pdca.standards.models import EditionMapping, Standard
from pdca.system.models import Exclusion, ManagementSystem, SystemTransition
from pdca.system.transition.services import transition_system


def leaves(standard: Standard) -> set[int]:
    reqs = list(standard.requirements.filter(retired=False))
    parents = {r.parent_id for r in reqs}
    return {r.pk for r in reqs if r.pk not in parents}


def test_the_demo_moves_acme_quality_to_2026_and_the_integrated_system_loses_nothing(catalog):
    load_demo()
    moved = ManagementSystem.objects.get(name="Acme quality system (ISO 9001:2026)")
    done = SystemTransition.objects.get(system=moved)
    assert (done.old_standard.code, done.new_standard.code) == ("iso9001-2015", "iso9001-2026")
    closed, current = moved.assessments.order_by("pk")
    assert (closed.status, current.status, current.copied_from) == ("closed", "open", closed)
    assert Exclusion.objects.filter(system=moved, requirement__standard__code="iso9001-2026")

    system = ManagementSystem.objects.get(name="Acme integrated management system")
    old, new = (
        Standard.objects.get(code="iso14001-2015"),
        Standard.objects.get(code="iso14001-2026"),
    )
    open_before = list(system.assessments.filter(status="open"))
    items_before = {
        a.pk: sorted(a.items.values_list("pk", "status", "owner_id", "notes", "evidence"))
        for a in system.assessments.all()
    }
    history_before = ActivityEntry.objects.filter(object_type="assessments.gapitem").count()
    manager = system.owner
    transition_system(system, new, actor=manager)

    # Nothing lost: every item of every earlier assessment is as it was, with its history.
    for assessment in system.assessments.filter(pk__in=items_before):
        assert (
            sorted(assessment.items.values_list("pk", "status", "owner_id", "notes", "evidence"))
            == items_before[assessment.pk]
        )
    assert ActivityEntry.objects.filter(object_type="assessments.gapitem").count() == (
        history_before
    )
    for assessment in open_before:
        assessment.refresh_from_db()
        assert assessment.status == GapAssessment.Status.CLOSED

    # Every item moved as its mapping says.
    successor = GapAssessment.objects.get(copied_from=open_before[0])
    previous = {
        r.pk: item
        for item in open_before[0].items.prefetch_related("covers")
        for r in item.covers.all()
    }
    covered = {
        r.pk: item for item in successor.items.prefetch_related("covers") for r in item.covers.all()
    }
    assert leaves(new) <= set(covered)
    for requirement_id in leaves(new):
        lines = list(EditionMapping.objects.filter(old_standard=old, new_id=requirement_id))
        item = covered[requirement_id]
        if item.status == GapItem.Status.NOT_APPLICABLE:
            continue
        sources = [previous[x.old_id] for x in lines if x.old_id in previous]
        if lines and all(x.change in EditionMapping.CARRIED for x in lines) and sources:
            assert item.status == sources[0].status, lines
            assert item.owner_id == sources[0].owner_id
        else:
            assert item.status == GapItem.Status.NOT_STARTED, lines
    # The other standards' work carried over unchanged.
    for requirement_id, item in covered.items():
        old_item = previous.get(requirement_id)
        if old_item is not None and old_item.covers.count() == 1:
            assert item.status == old_item.status
