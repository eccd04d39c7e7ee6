"""Helpers every model module shares: the clock columns default to, and CHECK constraints for enums."""

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """A CHECK that `column` holds one of `values`, named ck_<table>_<column> (extensions.NAMING).

    The column stays a plain string, so existing rows and JSON keep their values; the database
    refuses any value the enum does not know.
    """
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)
