"""Demo data: every app with a `demo` module adds its part, in INSTALLED_APPS order."""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps
from django.db import transaction
from django.test.utils import override_settings

from pdca.core.context import channel


def load_demo() -> dict:
    """Load (or complete) the demo data; running it again changes nothing."""
    context: dict = {}
    # The demo people are fictitious: the assignments and reports it makes send no e-mail.
    quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    with quiet, channel("cli"), transaction.atomic():
        for config in apps.get_app_configs():
            if not config.name.startswith("pdca."):
                continue
            module_name = f"{config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            importlib.import_module(module_name).load(context)
    return context
