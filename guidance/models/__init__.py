"""Database models: the run-time source of truth."""
from .documents import Document, DocumentContactReason, DocumentTag, Revision, RevisionStep
from .runs import GuideRun, Pin
from .search import ApiToken, ContentState, SearchLog, SynonymGroup
from .users import ROLES, User

__all__ = [
    "ROLES",
    "ApiToken",
    "ContentState",
    "Document",
    "DocumentContactReason",
    "DocumentTag",
    "GuideRun",
    "Pin",
    "Revision",
    "RevisionStep",
    "SearchLog",
    "SynonymGroup",
    "User",
]
