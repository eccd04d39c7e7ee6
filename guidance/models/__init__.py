"""Database models: the run-time source of truth."""
from .documents import Document, DocumentContactReason, DocumentTag, Revision, RevisionStep
from .feedback import STATUSES, Notification, StepNote, StepRating
from .runs import GuideRun, Pin
from .search import ApiToken, ContentState, SearchLog, SynonymGroup
from .security import RateLimit
from .users import ROLES, User

__all__ = [
    "ROLES",
    "STATUSES",
    "ApiToken",
    "ContentState",
    "Document",
    "DocumentContactReason",
    "DocumentTag",
    "GuideRun",
    "Notification",
    "Pin",
    "RateLimit",
    "Revision",
    "RevisionStep",
    "SearchLog",
    "StepNote",
    "StepRating",
    "SynonymGroup",
    "User",
]
