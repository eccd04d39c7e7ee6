"""Database models: the run-time source of truth."""

from .audit import AuditAction, AuditEvent
from .documents import (
    OPEN_STATUSES,
    Document,
    DocumentContactReason,
    DocumentTag,
    Revision,
    RevisionOrigin,
    RevisionStatus,
    RevisionStep,
)
from .feedback import (
    FeedbackKind,
    FeedbackStatus,
    Notification,
    NotificationKind,
    RatingReason,
    StepNote,
    StepRating,
)
from .runs import GuideRun, Pin, RunStatus
from .search import ApiToken, ContentState, Example, SearchLog, SearchSource, SynonymGroup
from .security import RateLimit
from .users import Role, User

__all__ = [
    "OPEN_STATUSES",
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "ContentState",
    "Document",
    "DocumentContactReason",
    "DocumentTag",
    "Example",
    "FeedbackKind",
    "FeedbackStatus",
    "GuideRun",
    "Notification",
    "NotificationKind",
    "Pin",
    "RateLimit",
    "RatingReason",
    "Revision",
    "RevisionOrigin",
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
