"""The management system's demo data (`pdca.demo` calls `load` of every app's `demo`)."""

from pdca.system.demo.base import load

__all__ = ["load"]
