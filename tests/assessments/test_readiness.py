"""Readiness arithmetic: implemented counts 1, partial 0.5, planned and not started 0; a
not-applicable item leaves the denominator; a shared item counts once overall and once for
each standard it covers."""

from functools import partial

import pytest

from pdca.assessments import services
from pdca.assessments.readiness import (
    Score,
    compute_readiness,
    items_for_readiness,
    overall_scores,
    score,
)
from pdca.core.testing import count_queries
from pdca.standards.models import (
    CoreClause,
    Requirement,
    RequirementGroup,
    Standard,
    number_sort_key,
)
from pdca.system import services as system_services

# --- Score ----------------------------------------------------------------------------------


def test_a_score_counts_implemented_1_partial_half_and_leaves_out_not_applicable():
    result = score(
        ["implemented", "implemented", "partial", "planned", "not_started"] + ["not_applicable"] * 3
    )
    assert result.counts == {
        "not_started": 1,
        "planned": 1,
        "partial": 1,
        "implemented": 2,
        "not_applicable": 3,
    }
    assert (result.total, result.applicable, result.points, result.percent) == (8, 5, 2.5, 50.0)


@pytest.mark.parametrize(
    "statuses, percent",
    [
        (["implemented"], 100.0),
        (["not_started", "planned"], 0.0),
        (["partial"], 50.0),
        (["partial", "not_started", "not_started"], 16.7),
        (["implemented", "not_started", "not_started"], 33.3),
        (["implemented", "implemented", "not_started"], 66.7),
        (["implemented", "not_applicable", "not_applicable"], 100.0),
        # Half-way cases round up, as people do (Python's round() gave 6.2 and 56.2).
        (["partial"] + ["not_started"] * 7, 6.3),
        (["implemented"] * 4 + ["partial"] + ["not_started"] * 3, 56.3),
        (["partial"] + ["not_started"] * 39, 1.3),
    ],
)
def test_percent_has_one_decimal(statuses, percent):
    assert score(statuses).percent == percent


@pytest.mark.parametrize("statuses", [[], ["not_applicable"], ["not_applicable"] * 4])
def test_nothing_applicable_gives_no_percent(statuses):
    result = score(statuses)
    assert result.percent is None
    assert result.applicable == 0
    assert result.as_dict()["percent"] is None


def test_as_dict():
    assert score(["implemented", "partial", "not_applicable"]).as_dict() == {
        "percent": 75.0,
        "applicable": 2,
        "points": 1.5,
        "counts": {
            "not_started": 0,
            "planned": 0,
            "partial": 1,
            "implemented": 1,
            "not_applicable": 1,
        },
    }


def test_an_empty_score_is_zero_everywhere():
    assert Score().counts == dict.fromkeys(Score().counts, 0)
    assert (Score().total, Score().points) == (0, 0.0)


# --- compute_readiness on three small standards ---------------------------------------------
#
# Alpha: 4 (4.1 [core 4.1], 4.2 [core 4.2]), 5.1 [core 5.1], 8.5 (own)
# Beta:  4.1 [core 4.1], 5.1 [core 5.1], 10.2 [core 10.2], Annex A.5 (A.5.1, A.5.2), A.6 (A.6.1)
# Gamma: 4.1 [core 4.1], Annex A.5 (A.5.1), a group with the same code as Beta's
#
# Items: 4.1 shared by the three, 5.1 shared by Alpha and Beta, and one item for each other.


def _standard(name: str) -> Standard:
    return Standard.objects.create(
        code=name.lower(),
        name=name,
        title=f"{name} management systems",
        edition="2026",
        discipline="other",
        structure="hs",
    )


def _req(standard, number, *, core=None, parent=None, group=None) -> Requirement:
    return Requirement.objects.create(
        standard=standard,
        number=number,
        title=f"{standard.name} {number}",
        kind="control" if group else "clause",
        parent=parent,
        group=group,
        core=CoreClause.objects.get(number=core) if core else None,
        summary="Our own words.",
        sort_key=number_sort_key(number),
        depth=number.count("."),
    )


def _group(standard, code, title) -> RequirementGroup:
    return RequirementGroup.objects.create(
        standard=standard, code=code, title=title, sort_key=number_sort_key(code)
    )


@pytest.fixture
def small(personas, catalog):
    alpha, beta, gamma = _standard("Alpha"), _standard("Beta"), _standard("Gamma")
    four = _req(alpha, "4")
    _req(alpha, "4.1", core="4.1", parent=four)
    _req(alpha, "4.2", core="4.2", parent=four)
    _req(alpha, "5.1", core="5.1")
    _req(alpha, "8.5")
    _req(beta, "4.1", core="4.1")
    _req(beta, "5.1", core="5.1")
    _req(beta, "10.2", core="10.2")
    beta_a5 = _group(beta, "A.5", "Beta organizational controls")
    beta_a6 = _group(beta, "A.6", "Beta people controls")
    _req(beta, "A.5.1", group=beta_a5)
    _req(beta, "A.5.2", group=beta_a5)
    _req(beta, "A.6.1", group=beta_a6)
    _req(gamma, "4.1", core="4.1")
    _req(gamma, "A.5.1", group=_group(gamma, "A.5", "Gamma impact assessment"))
    system = system_services.create_system(
        personas.org,
        name="Small system",
        standards=[alpha, beta, gamma],
        actor=personas.manager,
    )
    assessment = services.create_assessment(system, title="Baseline", actor=personas.manager)
    statuses = {
        ("Alpha", "4.1"): "implemented",
        ("Alpha", "4.2"): "partial",
        ("Alpha", "5.1"): "not_applicable",
        ("Alpha", "8.5"): "planned",
        ("Beta", "10.2"): "implemented",
        ("Beta", "A.5.1"): "partial",
        ("Beta", "A.5.2"): "not_started",
        ("Beta", "A.6.1"): "implemented",
        ("Gamma", "A.5.1"): "partial",
    }
    for (name, number), status in statuses.items():
        assessment.items.filter(covers__standard__name=name, covers__number=number).update(
            status=status, justification="Does not apply" if status == "not_applicable" else ""
        )
    return {
        "system": system,
        "assessment": assessment,
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
    }


def _readiness(small):
    system = small["system"]
    return compute_readiness(small["assessment"], system_services.active_standards(system))


def _rows(clauses) -> list[tuple]:
    return [(c.key, c.title, c.score.applicable, c.score.points, c.score.percent) for c in clauses]


def test_the_small_system_has_nine_items(small):
    assessment = small["assessment"]
    assert assessment.items.count() == 9
    shared = assessment.items.get(covers__number="4.1", covers__standard__name="Gamma")
    assert shared.covers.count() == 3


def test_overall_counts_a_shared_item_once(small):
    overall = _readiness(small).overall
    # 9 items, one not applicable: 8 applicable; 1 + 0.5 + 1 + 0.5 + 1 + 0.5 points.
    assert (overall.total, overall.applicable, overall.points, overall.percent) == (
        9,
        8,
        4.5,
        56.3,
    )


def test_each_standard_counts_the_shared_items_it_covers(small):
    by_standard = {s.standard.name: s.score for s in _readiness(small).by_standard}
    assert list(by_standard) == ["Alpha", "Beta", "Gamma"]
    # Alpha: 4.1 implemented, 4.2 partial, 5.1 n/a, 8.5 planned.
    assert (by_standard["Alpha"].applicable, by_standard["Alpha"].points) == (3, 1.5)
    assert by_standard["Alpha"].percent == 50.0
    # Beta: 4.1 implemented, 5.1 n/a, 10.2 implemented, A.5.1 partial, A.5.2 not started,
    # A.6.1 implemented.
    assert (by_standard["Beta"].applicable, by_standard["Beta"].points) == (5, 3.5)
    assert by_standard["Beta"].percent == 70.0
    # Gamma: 4.1 implemented, A.5.1 partial.
    assert (by_standard["Gamma"].applicable, by_standard["Gamma"].points) == (2, 1.5)
    assert by_standard["Gamma"].percent == 75.0


def test_by_clause_lists_the_core_clauses_then_each_annex_group(small):
    core = dict(CoreClause.objects.values_list("number", "title"))
    assert _rows(_readiness(small).by_clause) == [
        ("4", core["4"], 2, 1.5, 75.0),
        ("5", core["5"], 0, 0.0, None),
        ("8", core["8"], 1, 0.0, 0.0),
        ("10", core["10"], 1, 1.0, 100.0),
        ("Beta A.5", "Beta organizational controls", 2, 0.5, 25.0),
        ("Beta A.6", "Beta people controls", 1, 1.0, 100.0),
        ("Gamma A.5", "Gamma impact assessment", 1, 0.5, 50.0),
    ]


def test_each_standard_has_its_own_clauses_with_its_own_group_titles(small):
    """Regression: two standards with an Annex group of the same code (27001 A.5
    Organizational controls, 42001 A.5 Assessing impacts of AI systems) both showed the title
    of whichever came last."""
    core = dict(CoreClause.objects.values_list("number", "title"))
    clauses = {s.standard.name: _rows(s.clauses) for s in _readiness(small).by_standard}
    assert clauses == {
        "Alpha": [
            ("4", core["4"], 2, 1.5, 75.0),
            ("5", core["5"], 0, 0.0, None),
            ("8", core["8"], 1, 0.0, 0.0),
        ],
        "Beta": [
            ("4", core["4"], 1, 1.0, 100.0),
            ("5", core["5"], 0, 0.0, None),
            ("10", core["10"], 1, 1.0, 100.0),
            ("A.5", "Beta organizational controls", 2, 0.5, 25.0),
            ("A.6", "Beta people controls", 1, 1.0, 100.0),
        ],
        "Gamma": [
            ("4", core["4"], 1, 1.0, 100.0),
            ("A.5", "Gamma impact assessment", 1, 0.5, 50.0),
        ],
    }


def test_dropping_a_standard_removes_it_from_readiness_but_keeps_its_items(personas, small):
    system_services.drop_standard(small["system"], small["gamma"], actor=personas.manager)
    readiness = _readiness(small)
    assert small["assessment"].items.count() == 9
    assert [s.standard.name for s in readiness.by_standard] == ["Alpha", "Beta"]
    # Gamma's own A.5.1 item no longer counts; the shared 4.1 item still does, once.
    assert (readiness.overall.applicable, readiness.overall.points) == (7, 4.0)
    assert readiness.overall.percent == 57.1
    assert [c.key for c in readiness.by_clause] == ["4", "5", "8", "10", "Beta A.5", "Beta A.6"]


def test_items_covering_only_dropped_standards_do_not_count(personas, small):
    for code in ("beta", "gamma"):
        system_services.drop_standard(small["system"], small[code], actor=personas.manager)
    readiness = _readiness(small)
    # Left: 4.1 (implemented), 4.2 (partial), 5.1 (n/a), 8.5 (planned).
    assert (readiness.overall.total, readiness.overall.applicable) == (4, 3)
    assert readiness.overall.percent == 50.0
    assert [c.key for c in readiness.by_clause] == ["4", "5", "8"]


def test_readiness_of_standards_given_explicitly(small):
    readiness = compute_readiness(small["assessment"], [small["gamma"]])
    assert [s.standard.name for s in readiness.by_standard] == ["Gamma"]
    assert (readiness.overall.applicable, readiness.overall.points) == (2, 1.5)


def test_a_split_item_counts_once_per_part(personas, small):
    assessment = small["assessment"]
    shared = assessment.items.get(covers__number="4.1", covers__standard__name="Alpha")
    services.split_item(shared, actor=personas.manager)
    readiness = _readiness(small)
    # three implemented items instead of one shared: 11 items, 10 applicable, 6.5 points
    assert (readiness.overall.total, readiness.overall.applicable) == (11, 10)
    assert readiness.overall.points == 6.5
    by_standard = {s.standard.name: s.score.percent for s in readiness.by_standard}
    assert by_standard == {"Alpha": 50.0, "Beta": 70.0, "Gamma": 75.0}


def test_as_dict_carries_every_figure(small):
    data = _readiness(small).as_dict()
    assert data["overall"]["percent"] == 56.3
    assert [c["clause"] for c in data["by_clause"]] == [
        "4",
        "5",
        "8",
        "10",
        "Beta A.5",
        "Beta A.6",
        "Gamma A.5",
    ]
    assert [(s["standard"], s["name"], s["percent"]) for s in data["by_standard"]] == [
        ("alpha", "Alpha:2026", 50.0),
        ("beta", "Beta:2026", 70.0),
        ("gamma", "Gamma:2026", 75.0),
    ]
    assert data["by_standard"][2]["clauses"][1] == {
        "clause": "A.5",
        "title": "Gamma impact assessment",
        "percent": 50.0,
        "applicable": 1,
        "points": 0.5,
        "counts": {
            "not_started": 0,
            "planned": 0,
            "partial": 1,
            "implemented": 0,
            "not_applicable": 0,
        },
    }


# --- the real catalogs ----------------------------------------------------------------------


@pytest.fixture
def integrated(personas, catalog):
    codes = ["iso9001-2015", "iso27001-2022", "iso42001-2023"]
    system = system_services.create_system(
        personas.org,
        name="Integrated",
        standards=[Standard.objects.get(code=c) for c in codes],
        actor=personas.manager,
    )
    assessment = services.create_assessment(system, title="Baseline", actor=personas.manager)
    return system, assessment


def test_clauses_of_the_integrated_system_come_in_reading_order(integrated):
    system, assessment = integrated
    readiness = compute_readiness(assessment, system_services.active_standards(system))
    assert [c.key for c in readiness.by_clause] == [
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
        "ISO/IEC 27001 A.5",
        "ISO/IEC 27001 A.6",
        "ISO/IEC 27001 A.7",
        "ISO/IEC 27001 A.8",
        "ISO/IEC 42001 A.2",
        "ISO/IEC 42001 A.3",
        "ISO/IEC 42001 A.4",
        "ISO/IEC 42001 A.5",
        "ISO/IEC 42001 A.6",
        "ISO/IEC 42001 A.7",
        "ISO/IEC 42001 A.8",
        "ISO/IEC 42001 A.9",
        "ISO/IEC 42001 A.10",
    ]
    titles = {c.key: c.title for c in readiness.by_clause}
    assert titles["ISO/IEC 27001 A.5"] == "Organizational controls"
    assert titles["ISO/IEC 42001 A.5"] == "Assessing impacts of AI systems"
    ai = next(s for s in readiness.by_standard if s.standard.code == "iso42001-2023")
    assert {c.key: c.title for c in ai.clauses}["A.5"] == "Assessing impacts of AI systems"
    assert [c.key for c in ai.clauses][-2:] == ["A.9", "A.10"]


def test_an_untouched_assessment_is_at_zero_and_a_finished_one_at_100(integrated):
    system, assessment = integrated
    standards = system_services.active_standards(system)
    readiness = compute_readiness(assessment, standards)
    assert readiness.overall.percent == 0.0
    assert readiness.overall.applicable == assessment.items.count()
    assert sum(s.score.applicable for s in readiness.by_standard) == (
        sum(item.covers.count() for item in assessment.items.all())
    )
    assessment.items.update(status="implemented")
    readiness = compute_readiness(assessment, standards)
    assert {s.score.percent for s in readiness.by_standard} == {100.0}
    assert {c.score.percent for c in readiness.by_clause} == {100.0}


def test_readiness_takes_the_same_queries_for_any_size(personas, small, integrated):
    _, big = integrated
    small_count, _ = count_queries(lambda: _readiness(small))
    big_count, _ = count_queries(
        lambda: compute_readiness(big, system_services.active_standards(big.system))
    )
    # active_standards is one query; compute_readiness three.
    assert small_count == big_count == 4


def test_prefetched_items_give_the_same_readiness_in_one_more_query(personas, small, integrated):
    """Pages pass the items they already read; the result must not depend on it."""
    for assessment in (small["assessment"], integrated[1]):
        items = list(assessment.items.all())
        for index, item in enumerate(items):
            item.status = ["implemented", "partial", "planned", "not_started"][index % 4]
        type(items[0]).objects.bulk_update(items, ["status"])
        standards = system_services.active_standards(assessment.system)
        prefetched = list(items_for_readiness(assessment))
        queries, given = count_queries(
            partial(compute_readiness, assessment, standards, prefetched)
        )
        assert queries == 1  # the core clause titles
        assert given.as_dict() == compute_readiness(assessment, standards).as_dict()


def test_overall_scores_of_several_assessments_match_compute_readiness(small, personas):
    system = small["system"]
    standards = system_services.active_standards(system)
    second = services.create_assessment(system, title="Empty", actor=personas.manager)
    scores = overall_scores([small["assessment"], second], standards)
    assert scores[small["assessment"].pk].counts == _readiness(small).overall.counts
    assert (scores[small["assessment"].pk].percent, scores[second.pk].percent) == (56.3, 0.0)
    # Without the shared Alpha/Beta standards only Gamma's two items count.
    only_gamma = overall_scores([small["assessment"]], [small["gamma"]])
    assert only_gamma[small["assessment"].pk].total == 2
