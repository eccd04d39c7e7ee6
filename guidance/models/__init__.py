"""Database models: the run-time source of truth."""

from .documents import Document, DocumentContactReason, DocumentTag, Revision, RevisionStatus, RevisionStep
from .feedback import FeedbackKind, FeedbackStatus, Notification, RatingReason, StepNote, StepRating
from .runs import GuideRun, Pin, RunStatus
from .search import ApiToken, ContentState, SearchLog, SearchSource, SynonymGroup
from .security import RateLimit
from .users import Role, User

__all__ = [
    "ApiToken",
    "ContentState",
    "Document",
    "DocumentContactReason",
    "DocumentTag",
    "FeedbackKind",
    "FeedbackStatus",
    "GuideRun",
    "Notification",
    "Pin",
    "RateLimit",
    "RatingReason",
    "Revision",
    "RevisionStatus",
    "RevisionStep",
    "Role",
    "RunStatus",
    "SearchLog",
    "SearchSource",
    "StepNote",
    "StepRating",
    "SynonymGroup",
    "User",
]
