"""The audit-time calculator: IAF MD 5 (QMS, EMS, OH&SMS) and ISO/IEC 27006-1 (ISMS) tables as
data files, and `calculate`, whose every figure carries the steps that reached it."""

from pdca.certification.audit_time.calculator import (
    ENTERED_STANDARDS,
    SCHEMES,
    STAGE1_SHARE,
    calculate,
)
from pdca.certification.audit_time.limits import (
    MAX_INTEGRATION_REDUCTION,
    MAX_REDUCTION,
    ON_SITE_MINIMUM,
    Adjustment,
)
from pdca.certification.audit_time.personnel import IdenticalActivity, RepetitiveFunctions
from pdca.certification.audit_time.result import AuditTimeResult, Figure, Step
from pdca.certification.audit_time.tables import Table, TableError, TableRow, load_table

__all__ = [
    "ENTERED_STANDARDS",
    "MAX_INTEGRATION_REDUCTION",
    "MAX_REDUCTION",
    "ON_SITE_MINIMUM",
    "SCHEMES",
    "STAGE1_SHARE",
    "Adjustment",
    "AuditTimeResult",
    "Figure",
    "IdenticalActivity",
    "RepetitiveFunctions",
    "Step",
    "Table",
    "TableError",
    "TableRow",
    "calculate",
    "load_table",
]
