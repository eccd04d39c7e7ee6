"""The audit log for admins: who created, edited, submitted, returned, approved, published,
restored, archived or imported which document, and when; filtered and paged."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..models import AuditAction
from ..services import audit
from .access import role_required

bp = Blueprint("audit", __name__, url_prefix="/admin")


@bp.get("/audit")
@role_required("admin")
def index():
    filters = audit.AuditFilters.from_args(request.args)
    return render_template(
        "admin/audit.html",
        page=audit.events(filters),
        filters=filters,
        actions=[action.value for action in AuditAction],
        people=audit.people(),
    )
