"""Every owner picker offers exactly the people the services accept, and archived entries leave
the pickers (while a link made before the archiving stays valid)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pdca.core.exceptions import ValidationFailed
from pdca.core.registers.choices import choices_for
from pdca.core.registers.services import create_entry, update_entry
from pdca.core.roles import Role
from pdca.improvement.actions import add_corrective_action
from pdca.improvement.registers import NONCONFORMITIES
from pdca.improvement.validation import check_member
from pdca.improvement.workflow.forms import ActionForm, TriageForm
from pdca.system.models import Process
from pdca.system.registers import PROCESSES
from pdca.tenancy.models import Membership
from tests.improvement.factories import S, drive, in_days, make_cast

pytestmark = pytest.mark.usefixtures("catalog")


def _offered(form) -> set:
    return set(form.fields["owner"].queryset)


def test_the_owner_pickers_offer_exactly_whom_the_services_accept(personas):
    cast = make_cast(personas)
    org = personas.org
    members = {m.user for m in Membership.objects.filter(organization=org).select_related("user")}
    accepted = {
        user
        for user in members
        if not check_member(org.pk, user, "owner", required=True, owner=True)
    }
    assert personas.users[Role.ADMIN] not in accepted
    for form in (TriageForm(organization=org), ActionForm(organization=org)):
        assert _offered(form) == accepted
    assert set(choices_for(NONCONFORMITIES, "owner", org)) == accepted

    nc = drive(cast, S.CAUSE_ANALYSED)
    with pytest.raises(ValidationFailed) as caught:
        add_corrective_action(
            nc,
            actor=personas.manager,
            title="Recall list",
            owner=personas.users[Role.ADMIN],
            due_date=in_days(10),
        )
    assert caught.value.errors[0].field == "owner"


def test_archived_entries_leave_the_pickers_but_links_made_before_stay(personas):
    org, manager = personas.org, personas.manager
    old = Process.objects.create(organization=org, code="P-09", name="Old line")
    fields = {"description": "Ten parts scrapped.", "source": "internal_audit"}
    nc = create_entry(
        NONCONFORMITIES, org, actor=manager, title="Scrap at the old line", process=old, **fields
    )
    Process.objects.filter(pk=old.pk).update(
        archived_at=timezone.now(), archived_by=manager, archive_reason="Line closed"
    )
    assert old not in set(choices_for(NONCONFORMITIES, "process", org))
    assert old in set(choices_for(NONCONFORMITIES, "process", org, keep=[old.pk]))
    # Saving the entry unchanged keeps its link; a new link to the archived process is refused.
    update_entry(
        NONCONFORMITIES, nc, actor=manager, title="Scrap at the old line (P-09)", process=old
    )
    with pytest.raises(ValidationFailed) as caught:
        create_entry(NONCONFORMITIES, org, actor=manager, title="Another", process=old, **fields)
    assert caught.value.errors[0].field == "process"
    feeds = PROCESSES.model.objects.create(organization=org, code="P-10", name="New line")
    assert old not in set(choices_for(PROCESSES, "feeds", org))
    assert feeds in set(choices_for(PROCESSES, "feeds", org))
