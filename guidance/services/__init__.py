"""Services: the operations views and CLI commands call. They take explicit arguments (the user,
the document, the typed text) and need no request, so tests and the CLI call them as views do.

Who commits: the service. A service function that changes data is one unit of work: it checks
its input, makes the change and commits once. Views and CLI commands never call
`db.session.commit()` or `rollback()`; when a service returns, what it did is saved.

When the input is wrong, a service raises a domain error (FeedbackError, NavigationError,
UserError, EditConflict, ...) whose message a person can act on, and leaves nothing
half-written: it raises before it writes, or rolls back what it had done. A caller may show the
message and go on reading the database.

A function documented "the caller commits" is a building block of a larger unit of work (as
`inbox.incorporate` is of `editing.publish_edit`); only other services call it.

Reading changes nothing: what a view calls for a GET does not write. (The search log is the one
record of reading; it is queued and written off the request path, by its own writer.)
"""
