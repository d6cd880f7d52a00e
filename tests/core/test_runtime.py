"""A serving process settles before its first request: start-up's objects frozen out of the
garbage collector's sight, and the serving thresholds set (pdca/core/runtime.py)."""

import gc

import pytest

from pdca.core import runtime


@pytest.fixture
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settling_freezes_what_start_up_loaded_and_sets_the_serving_thresholds(
    restored_gc, monkeypatch
):
    monkeypatch.delenv("PDCA_GC_THRESHOLD", raising=False)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    runtime.settle_process()
    assert gc.get_freeze_count() > 10_000  # Django, the URL modules, the layout template
    assert gc.get_threshold() == runtime.DEFAULT_THRESHOLD


def test_the_thresholds_can_be_set_or_left_as_python_has_them(restored_gc, monkeypatch):
    monkeypatch.setenv("PDCA_GC_THRESHOLD", "1000,5,5")
    runtime.settle_process()
    assert gc.get_threshold() == (1000, 5, 5)
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv("PDCA_GC_THRESHOLD", "default")
    runtime.settle_process()
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("value", ["fast", "1,2,3,4", "-1"])
def test_a_threshold_that_is_not_up_to_three_counts_is_refused(value, monkeypatch):
    monkeypatch.setenv("PDCA_GC_THRESHOLD", value)
    with pytest.raises(ValueError):
        runtime._threshold()
