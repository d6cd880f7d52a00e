"""The architecture as declared: every app has its layer, every hook its receiver, and the picture
in docs/ is the one the contracts draw. (`lint-imports` itself runs in `make test`.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.apps import apps

from pdca.core.hooks import Hook, Slot, declared_hooks

ROOT = Path(__file__).resolve().parent.parent


def _architecture():
    spec = importlib.util.spec_from_file_location("architecture", ROOT / "scripts/architecture.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_app_and_package_has_its_layer():
    layered = {m for modules, _ in _architecture().contract_layers() for m in modules}
    packages = {
        f"pdca.{path.name}"
        for path in (ROOT / "src/pdca").iterdir()
        if path.is_dir() and (path / "__init__.py").exists()
    }
    installed = {c.name for c in apps.get_app_configs() if c.name.startswith("pdca.")}
    assert installed <= packages
    assert packages - layered == set(), "a new app takes its place in pyproject's layers"


def _app_hooks():
    """The apps' hooks (not those these tests declare)."""
    return {n: h for n, h in declared_hooks().items() if not n.startswith("test.")}


def test_every_hook_has_a_receiver_once_the_apps_started():
    hooks = _app_hooks()
    assert {"core.membership_roles", "audits.finding_graded", "system.exclusion_added"} <= set(
        hooks
    )
    unfilled = [name for name, hook in hooks.items() if not hook.receivers]
    assert unfilled == []


def test_receivers_live_above_the_app_that_declares_the_hook():
    layers = _architecture().contract_layers()
    rank = {m.removeprefix("pdca."): i for i, (mods, _) in enumerate(layers) for m in mods}
    for name, hook in _app_hooks().items():
        declared_in = name.split(".")[0]
        for receiver in hook.receivers:
            received_in = receiver.__module__.split(".")[1]
            assert rank[received_in] < rank[declared_in], (name, receiver.__module__)


def test_the_picture_in_docs_is_drawn_from_the_contracts():
    architecture = _architecture()
    fresh = architecture.draw(architecture.contract_layers(), architecture.hook_edges())
    committed = (ROOT / "docs/architecture-layers.svg").read_text()
    assert committed == fresh, "run `make architecture` and commit the picture"


def test_a_hook_calls_its_receivers_in_order_and_registers_each_once():
    hook: Hook = Hook("test.ordered")
    calls: list[str] = []

    def first(value: int) -> str:
        calls.append(f"first {value}")
        return "a"

    def second(value: int) -> str:
        calls.append(f"second {value}")
        return "b"

    hook.register(first)
    hook.register(second)
    hook.register(first)  # a second ready() does not register it twice
    assert hook.call(7) == ["a", "b"]
    assert calls == ["first 7", "second 7"]


def test_a_receiver_that_fails_fails_the_caller():
    hook: Hook = Hook("test.failing")

    def refuse() -> None:
        raise ValueError("no")

    hook.register(refuse)
    with pytest.raises(ValueError):
        hook.call()


def test_an_empty_slot_names_who_should_fill_it_and_a_slot_takes_one_provider():
    slot: Slot = Slot("test.slot", filled_by="tenancy")
    with pytest.raises(RuntimeError, match="tenancy registers it"):
        slot.call()

    def provider() -> int:
        return 1

    def another() -> int:
        return 2

    slot.register(provider)
    slot.register(provider)
    assert slot.call() == 1
    with pytest.raises(RuntimeError, match="already provided"):
        slot.register(another)


def test_every_folder_of_python_modules_is_a_package():
    """A folder without `__init__.py` is a namespace package that the import contracts do not
    see: its imports would escape the layers (core.registers did)."""
    source = ROOT / "src/pdca"
    skip = {"templates", "static", "catalog", "starter", "migrations", "__pycache__"}
    missing = [
        str(folder.relative_to(source))
        for folder in source.rglob("*")
        if folder.is_dir()
        and not skip & set(folder.relative_to(source).parts)
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    ]
    assert missing == []
