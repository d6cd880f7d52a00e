"""Models of the documents app: documented information (documents kept up to date and records
retained), their versions with review, approval, publication and acknowledgement, the
numbering schemes that give documents their codes, and the evidence store."""

from pdca.documents.models.documents import Document, DocumentVersion, NumberingScheme
from pdca.documents.models.evidence import EvidenceFile
from pdca.documents.models.workflow import Acknowledgement, Approval

__all__ = [
    "Acknowledgement",
    "Approval",
    "Document",
    "DocumentVersion",
    "EvidenceFile",
    "NumberingScheme",
]
