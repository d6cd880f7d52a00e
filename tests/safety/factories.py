"""Rows of the safety registers made directly (not through the services), for tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.safety.models import Consultation, Hazard, HazardControl, Incident


def make_hazard(org, index: int = 0, **fields) -> Hazard:
    values = {
        "code": f"HZ-{index + 100:03d}",
        "title": f"Entanglement in lathe chuck {index}",
        "activity": "Turning bar stock",
        "hazard_type": Hazard.HazardType.MECHANICAL,
        "affects_employees": True,
        "harm": "Hand or sleeve caught by the rotating chuck",
        **fields,
    }
    return Hazard.objects.create(organization=org, **values)


def make_control(org, index: int = 0, **fields) -> HazardControl:
    hazard = fields.pop("hazard", None) or make_hazard(org, 1000 + index)
    values = {
        "title": f"Interlocked chuck guard {index}",
        "level": HazardControl.Level.ENGINEERING,
        "rank": 3,
        **fields,
    }
    return HazardControl.objects.create(organization=org, hazard=hazard, **values)


def make_consultation(org, index: int = 0, **fields) -> Consultation:
    values = {
        "title": f"Toolbox talk on guarding {index}",
        "held_on": dt.date(2026, 3, 2),
        "topic": Consultation.Topic.HAZARDS,
        "format": Consultation.Format.TOOLBOX_TALK,
        "other_participants": "Agency machinist",
        **fields,
    }
    return Consultation.objects.create(organization=org, **values)


def make_incident(org, index: int = 0, **fields) -> Incident:
    values = {
        "reference": f"INC-2026-{index + 100:03d}",
        "title": f"Cut finger on swarf {index}",
        "kind": Incident.Kind.INJURY,
        "occurred_at": timezone.now() - dt.timedelta(days=3),
        "description": "Cleared swarf by hand without gloves",
        "severity": Incident.Severity.FIRST_AID,
        "involved_employees": True,
        **fields,
    }
    return Incident.objects.create(organization=org, **values)
