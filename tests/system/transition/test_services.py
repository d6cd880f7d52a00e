"""Moving a system to a new edition: the preview matches the move, every register carries its
work along the catalog's mapping, nothing is lost, and refusals write nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.standards.models import EditionMapping
from pdca.system.models import AdoptedStandard, Exclusion, SystemTransition
from pdca.system.transition.services import (
    next_editions,
    preview_transition,
    transition_system,
)
from pdca.tenancy.models import Organization
from tests.system.transition.conftest import item_of, make_scene, req, std
from tests.tenancy.factories import make_member

NEW = "iso9001-2026"


def history(obj) -> list[tuple]:
    return list(
        ActivityEntry.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk)
        .order_by("seq")
        .values_list("seq", "action", "hash")
    )


def test_next_editions_names_the_successor_of_each_adopted_standard(scene):
    found = {(old.code, new.code) for old, new in next_editions(scene.system)}
    assert ("iso9001-2015", NEW) in found
    assert ("iso14001-2015", "iso14001-2026") in found


def test_the_preview_writes_nothing(scene, personas):
    before = (ActivityEntry.objects.count(), GapItem.objects.count(), Exclusion.objects.count())
    preview = preview_transition(scene.system, std(NEW), actor=personas.manager)
    assert {s.key for s in preview.sections} >= {"exclusions", "links", "gap_items", "audits"}
    assert preview.total > 0
    after = (ActivityEntry.objects.count(), GapItem.objects.count(), Exclusion.objects.count())
    assert before == after


def test_the_move_swaps_the_adopted_edition_and_records_it(scene, personas):
    done = transition_system(scene.system, std(NEW), actor=personas.manager)
    adoptions = {a.standard.code: a for a in AdoptedStandard.objects.filter(system=scene.system)}
    assert adoptions["iso9001-2015"].dropped_on is not None
    assert adoptions[NEW].dropped_on is None
    assert adoptions["iso14001-2015"].dropped_on is None
    assert done.old_standard.code == "iso9001-2015"
    assert {row["key"] for row in done.summary} >= {"gap_items", "exclusions"}
    assert SystemTransition.objects.filter(system=scene.system).count() == 1


def test_the_old_assessment_is_closed_untouched(scene, personas):
    old_items = list(scene.assessment.items.order_by("pk").values_list("pk", "status", "owner_id"))
    old_covers = sorted(
        GapItem.covers.through.objects.filter(gapitem__assessment=scene.assessment).values_list(
            "gapitem_id", "requirement_id"
        )
    )
    item = item_of(scene.assessment, "iso9001-2015", "7.1.5.1")
    item_history = history(item)
    transition_system(scene.system, std(NEW), actor=personas.manager)
    scene.assessment.refresh_from_db()
    assert scene.assessment.status == GapAssessment.Status.CLOSED
    assert list(scene.assessment.items.order_by("pk").values_list("pk", "status", "owner_id")) == (
        old_items
    )
    assert (
        sorted(
            GapItem.covers.through.objects.filter(gapitem__assessment=scene.assessment).values_list(
                "gapitem_id", "requirement_id"
            )
        )
        == old_covers
    )
    assert history(item) == item_history


def successor(scene) -> GapAssessment:
    return GapAssessment.objects.get(copied_from=scene.assessment)


def test_each_new_requirement_is_assessed_once_as_its_mapping_says(scene, personas):
    transition_system(scene.system, std(NEW), actor=personas.manager)
    new = successor(scene)
    assert new.status == GapAssessment.Status.OPEN
    covered = list(
        GapItem.covers.through.objects.filter(gapitem__assessment=new).values_list(
            "requirement_id", flat=True
        )
    )
    assert len(covered) == len(set(covered))
    leaves_2026 = {
        r.pk for r in std(NEW).requirements.filter(retired=False) if not r.children.exists()
    }
    assert leaves_2026 <= set(covered)
    assert not set(covered) & set(std("iso9001-2015").requirements.values_list("pk", flat=True))
    for line in EditionMapping.objects.filter(
        old_standard=std("iso9001-2015"), new__in=leaves_2026
    ):
        item = new.items.get(covers=line.new)
        lines = EditionMapping.objects.filter(old_standard=std("iso9001-2015"), new=line.new)
        if item.status == GapItem.Status.NOT_APPLICABLE:
            continue
        if all(x.change in EditionMapping.CARRIED for x in lines):
            continue
        assert item.status == GapItem.Status.NOT_STARTED, line
        assert line.note.split()[0] in item.notes


def test_carried_work_keeps_status_owner_notes_and_dates(scene, personas):
    transition_system(scene.system, std(NEW), actor=personas.manager)
    item = item_of(successor(scene), NEW, "7.1.5.1")
    assert (item.status, item.owner, item.notes) == (
        "implemented",
        personas.manager,
        "Work on 7.1.5.1",
    )
    assert item.target_date is not None


def test_a_split_requirement_opens_not_started_with_the_change_note_and_its_owner(scene, personas):
    transition_system(scene.system, std(NEW), actor=personas.manager)
    new = successor(scene)
    for number in ("6.1.2", "6.1.3"):
        item = item_of(new, NEW, number)
        assert item.status == GapItem.Status.NOT_STARTED
        assert item.owner == personas.manager
        assert item.target_date is None
        assert "ISO 9001:2026" in item.notes


def test_merged_requirements_carry_and_say_so(scene, personas):
    transition_system(scene.system, std(NEW), actor=personas.manager)
    item = item_of(successor(scene), NEW, "10.1")
    # 2015's 10.1 was not started and 10.3 planned: the merge stands at the least advanced,
    # and keeps 10.3's notes.
    assert item.status == "not_started"
    assert "Work on 10.3" in item.notes
    assert "Merged in ISO 9001:2026" in item.notes


def test_a_shared_item_keeps_the_other_standards_work(scene, personas):
    shared = item_of(scene.assessment, "iso14001-2015", "7.3")
    assert shared.covers.count() == 2
    from pdca.assessments import services as gap

    gap.update_item(shared, actor=personas.manager, status="implemented")
    transition_system(scene.system, std(NEW), actor=personas.manager)
    new = successor(scene)
    env = item_of(new, "iso14001-2015", "7.3")
    assert env.status == "implemented"
    quality = item_of(new, NEW, "7.3")
    assert quality.pk != env.pk
    assert quality.status == GapItem.Status.NOT_STARTED


def test_exclusions_are_carried_with_their_justification(scene, personas):
    transition_system(scene.system, std(NEW), actor=personas.manager)
    carried = Exclusion.objects.get(system=scene.system, requirement=req(NEW, "8.3"))
    assert carried.justification.startswith("We build to customer drawings")
    assert Exclusion.objects.filter(system=scene.system, requirement=req("iso9001-2015", "8.3"))
    item = item_of(successor(scene), NEW, "8.3.1")
    assert item.status == GapItem.Status.NOT_APPLICABLE


def test_register_links_gain_the_new_requirements_and_keep_the_old(scene, personas):
    transition_system(scene.system, std(NEW), actor=personas.manager)
    numbers = {(r.standard.code, r.number) for r in scene.document.requirements.all()}
    assert {("iso9001-2015", "8.5.1"), (NEW, "8.5.1"), ("iso9001-2015", "10.3"), (NEW, "10.1")} <= (
        numbers
    )
    assert {r.number for r in scene.risk.requirements.filter(standard__code=NEW)} == {
        "6.1.2",
        "6.1.3",
    }


def test_planned_audits_move_and_finished_ones_keep_their_edition(scene, personas):
    transition_system(scene.system, std(NEW), actor=personas.manager)
    assert {s.code for s in scene.planned.standards.all()} == {NEW}
    assert {(r.standard.code, r.number) for r in scene.planned.requirements.all()} == {
        (NEW, "8.5.1"),
        (NEW, "10.1"),
    }
    assert {s.code for s in scene.finished.standards.all()} == {"iso9001-2015"}
    assert {r.number for r in scene.finished.requirements.all()} == {"9.3.1"}


def test_the_move_does_what_the_preview_said(scene, personas):
    preview = preview_transition(scene.system, std(NEW), actor=personas.manager)
    done = transition_system(scene.system, std(NEW), actor=personas.manager)
    assert [s.as_summary() for s in preview.sections] == done.summary


@pytest.mark.parametrize(
    "role", ["employee", "internal_auditor", "process_owner", "top_management", "outsider"]
)
def test_only_system_managers_move_a_system(scene, personas, role):
    actor = personas.outsider if role == "outsider" else personas.users[role]
    with pytest.raises(PermissionDenied):
        transition_system(scene.system, std(NEW), actor=actor)
    assert not SystemTransition.objects.exists()


def test_refusals_write_nothing(scene, personas):
    count = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed):
        transition_system(scene.system, std("iso45001-2018"), actor=personas.manager)
    transition_system(scene.system, std(NEW), actor=personas.manager)
    count = ActivityEntry.objects.count()
    with pytest.raises(Conflict):
        transition_system(scene.system, std(NEW), actor=personas.manager)
    assert ActivityEntry.objects.count() == count


def test_a_system_without_the_old_edition_is_refused(personas, catalog):
    from pdca.system import services

    system = services.create_system(
        personas.org,
        name="Environment only",
        standards=[std("iso14001-2015")],
        actor=personas.manager,
    )
    with pytest.raises(ValidationFailed) as exc:
        transition_system(system, std(NEW), actor=personas.manager)
    assert "does not adopt" in exc.value.errors[0].message


def test_the_preview_reads_the_same_number_of_queries_at_two_sizes(personas, catalog):
    small = make_scene(personas)
    with CaptureQueriesContext(connection) as few:
        preview_transition(small.system, std(NEW), actor=personas.manager)
    big_org = Organization.objects.create(name="Big", slug="big")
    manager = make_member(big_org, "system_manager").user
    big = make_scene(personas, org=big_org, manager=manager, extra_documents=30)
    with CaptureQueriesContext(connection) as many:
        preview_transition(big.system, std(NEW), actor=manager)
    assert len(many) == len(few)
