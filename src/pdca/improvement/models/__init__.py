"""Models of the improvement app: nonconformities from any source (audit findings first)."""

from pdca.improvement.models.nonconformity import Nonconformity

__all__ = ["Nonconformity"]
