"""Requests holding what no database column can: shared by the SQLite and PostgreSQL tests."""

from __future__ import annotations

WIRE = "/d/processes/send-wire"
STEP = f"{WIRE}/steps/verify"
HUGE = str(10**30)
HX = {"HX-Request": "true"}

# (method, path, form or query, who): each holds a NUL somewhere a database would get it.
NUL_REQUESTS = [
    ("POST", f"{STEP}/notes", {"body": "call back\x00later", "back": STEP}, "agent"),
    ("POST", f"{STEP}/rating", {"rating": "down", "reason": "wrong", "comment": "bad\x00", "back": STEP}, "agent"),
    ("GET", "/search", {"q": "wire\x00transfer"}, "agent"),
    ("GET", "/search", {"q": "wire\x00", "live": "1"}, "agent"),
    ("GET", "/search/suggest", {"q": "wi\x00"}, "agent"),
    ("GET", "/api/v1/search", {"q": "wire\x00"}, "agent"),
    ("GET", "/go/a%00b", {}, "agent"),
    ("GET", "/d/processes/send-wire%00", {}, "agent"),
    ("POST", "/admin/synonyms", {"groups": "remittance\x00, wire transfer"}, "admin"),
    ("GET", "/admin/inbox", {"author": "agent\x00"}, "admin"),
]

# (method, path, form or query): ids no INTEGER column can hold.
HUGE_IDS = [
    ("GET", f"/notes/{HUGE}/edit", {}),
    ("POST", f"/notes/{HUGE}/edit", {"body": "x"}),
    ("POST", f"/notes/{HUGE}/delete", {}),
    ("GET", f"/notes/{2**31}/edit", {}),
    ("GET", f"/runs/{HUGE}/steps/verify", {}),
    ("POST", f"/runs/{HUGE}/steps/verify", {"nav": "next"}),
    ("GET", f"/runs/{HUGE}/done", {}),
]


def send(session, method: str, path: str, values: dict, headers: dict | None = None):
    if method == "GET":
        return session.get(path, query_string=values, headers=headers)
    return session.post(path, values, headers=headers)
