"""Database models: the run-time source of truth."""
from .documents import Document, DocumentContactReason, DocumentTag, Revision, RevisionStep
from .runs import GuideRun, Pin
from .users import ROLES, User

__all__ = [
    "ROLES",
    "Document",
    "DocumentContactReason",
    "DocumentTag",
    "GuideRun",
    "Pin",
    "Revision",
    "RevisionStep",
    "User",
]
