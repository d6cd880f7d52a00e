"""Rows of this app made directly (not through the services), for tests."""

from __future__ import annotations

import datetime as dt

from pdca.environment.models import Aspect, ComplianceEvaluation, ComplianceObligation


def make_aspect(org, index: int = 0, **fields) -> Aspect:
    values = {
        "code": f"EA-{index:03}",
        "title": f"Use of cutting fluid {index}",
        "activity": "CNC machining",
        "impact": "Contamination of water if it reaches drains",
        **fields,
    }
    return Aspect.objects.create(organization=org, **values)


def make_obligation(org, index: int = 0, **fields) -> ComplianceObligation:
    values = {
        "title": f"Waste duty of care {index}",
        "reference": "Environmental Protection Act 1990 s.34",
        "requires": "Hand waste only to registered carriers, with a transfer note",
        **fields,
    }
    return ComplianceObligation.objects.create(organization=org, **values)


def make_evaluation(org, index: int = 0, **fields) -> ComplianceEvaluation:
    obligation = fields.pop("obligation", None) or make_obligation(org, 1000 + index)
    values = {
        "evaluated_on": dt.date(2026, 11, 2),
        "result": ComplianceEvaluation.Result.COMPLIANT,
        **fields,
    }
    return ComplianceEvaluation.objects.create(organization=org, obligation=obligation, **values)
