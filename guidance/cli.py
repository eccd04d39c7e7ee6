"""`flask guidance ...`: thin commands over the services."""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import events
from . import search as search_service
from .cli_examples import group as examples_group
from .content.files import count_markdown
from .content.tree import check_tree
from .models import Role
from .services import backup, library, schedule, tokens, users


@click.group("guidance", cls=AppGroup)
@click.pass_context
def guidance(context: click.Context) -> None:
    """Manage the guidance library."""
    context.meta[events.STARTED] = time.perf_counter()  # events say how long the command has run


@guidance.command("check")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def check(directory: Path) -> None:
    """Validate every Markdown file under DIRECTORY; one line per problem."""
    problems = check_tree(directory)
    for problem in problems:
        click.echo(f"{directory / problem.path}:{problem.line}: {problem.message}")
    count = count_markdown(directory)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {count} file(s)")
    click.echo(f"{count} file(s) checked, no problems")


@guidance.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Publish files also over documents changed in the app since their import.")
def import_(directory: Path, force: bool) -> None:
    """Publish new and changed files under DIRECTORY as revisions.

    A document edited, restored or archived in the app since its last import keeps the app's
    version, and its file is reported as kept, unless --force is given.
    """
    total = count_markdown(directory)
    with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
        report = library.import_tree(directory, force=force, progress=lambda _: bar.update(1))
    for warning in report.warnings:
        click.echo(f"warning: {directory / warning.path}:{warning.line}: {warning.message}")
    for failed in report.failed:
        for problem in failed.problems:
            if problem.blocking:
                click.echo(f"not imported: {directory / problem.path}:{problem.line}: {problem.message}")
    for path, why in report.kept:
        click.echo(f"kept: {directory / path}: {why}")
    kept = (
        f", {len(report.kept)} kept (changed in the app; --force publishes the files over them)" if report.kept else ""
    )
    click.echo(
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged{kept}, "
        f"{len(report.failed)} not imported"
    )


@guidance.command("publish-due")
def publish_due() -> None:
    """Publish approved drafts whose scheduled time has come (run it from cron, e.g. every minute)."""
    count = schedule.publish_due()
    click.echo(f"{count} scheduled draft(s) published")


@guidance.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export(directory: Path) -> None:
    """Write the published revisions to DIRECTORY as Markdown files."""
    count, refused = library.export_tree(directory)
    for path, reason in refused:
        click.echo(f"not written: {directory / path}: {reason}")
    if refused:
        raise click.ClickException(f"{count} file(s) written to {directory}, {len(refused)} not written")
    click.echo(f"{count} file(s) written to {directory}")


@guidance.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.AGENT.value, show_default=True)
@click.password_option(prompt=False, help="Leave out to generate one.")
def create_user(username: str, role: str, password: str | None) -> None:
    """Create a user and print its password."""
    try:
        user, password = users.create_user(username, role, password)
    except users.UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {user.role} '{user.username}' with password: {password}")


@guidance.command("demo-users")
def demo_users() -> None:
    """Create the demo users agent, author and admin (once) and print their passwords."""
    known = users.ensure_demo_users(Path(current_app.config["DATA_DIR"]))
    click.echo("Demo users (username / password):")
    for name, password in known.items():
        click.echo(f"  {name:<7} {password}")


@guidance.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
def search(query: str, as_json: bool, limit: int) -> None:
    """Search the published library; QUERY '-' reads one query per line from standard input."""
    engine = search_service.engine()
    queries = (line.rstrip("\n") for line in sys.stdin) if query == "-" else [query]
    for text in queries:
        found = engine.search(text, role=None, limit=limit, wait=True, snippets=False)
        if as_json:
            click.echo(json.dumps({**found.as_json(), "query": text}))
            continue
        if found.corrected:
            click.echo(f"(showing results for: {found.corrected})")
        for rank, hit in enumerate(found.hits, 1):
            step = f" › {hit.step_title}" if hit.step_title else ""
            click.echo(f"{rank:2}. {hit.title}{step}  [{hit.kind}, {hit.slug}, {hit.score:.2f}]")
        if not found.hits:
            click.echo(found.message or found.unavailable or "no results")


@guidance.command("index-status")
@click.option("--wait", is_flag=True, help="Block until both are current, doing the work if no one else is.")
def index_status(wait: bool) -> None:
    """Print how far the search index is: lexical (documents) and semantic (embedded passages)."""
    engine = search_service.engine()
    if wait:
        # Nothing else runs in this process: embedding may take every core (the handbook's 7,861
        # passages on 2 cores: 110 s, against 205 s on one). A server embeds on one, beside its requests.
        work = functools.partial(engine.wait_until_current, cores=usable_cores())
        worker = threading.Thread(target=_in_context(current_app._get_current_object(), work))
        worker.start()
        while worker.is_alive():
            worker.join(5)
            if worker.is_alive():
                click.echo(_status_line(engine.status()), err=True)
    click.echo(_status_line(engine.status()))


def usable_cores(most: int = 8) -> int:
    """The cores this process may run on (a container's CPU set, not the host's), at most `most`:
    a batch of 16 passages gains little from more, and idle threads would spin."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        count = os.cpu_count() or 1
    return max(1, min(count, most))


def _in_context(app: Flask, work):
    def run() -> None:
        with app.app_context():
            work()

    return run


def _status_line(status: dict) -> str:
    lexical, meaning = status["lexical"], status["semantic"]
    line = f"lexical: {lexical['state']}" + (f" ({lexical['behind']} behind)" if lexical.get("behind") else "")
    counts = f" ({meaning['embedded']}/{meaning['passages']} passages)" if "passages" in meaning else ""
    return f"{line}; semantic: {meaning['state']}{counts}"


@guidance.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database (searches keep working meanwhile)."""
    count = search_service.engine().rebuild()
    click.echo(f"indexed {count} entries")


@guidance.command("create-token")
@click.argument("username")
@click.option("--days", type=click.IntRange(1, 3650), help="Lifetime (default: API_TOKEN_DAYS, 90).")
def create_token(username: str, days: int | None) -> None:
    """Create an API token for USERNAME (for GET /api/v1/search) and print it."""
    try:
        token, _ = tokens.create_token(username, days or current_app.config["API_TOKEN_DAYS"])
    except tokens.TokenError as error:
        raise click.ClickException(str(error)) from error
    click.echo(token)  # alone on stdout, so scripts can capture it


@guidance.command("revoke-token")
@click.argument("token_id", type=int, required=False)
@click.option("--user", "username", help="Revoke every token of this user instead.")
def revoke_token(token_id: int | None, username: str | None) -> None:
    """Revoke the API token TOKEN_ID (ids are listed at /admin/tokens), or all of a user's."""
    if (token_id is None) == (username is None):
        raise click.UsageError("give a token id or --user NAME")
    try:
        if username is not None:
            count = tokens.revoke_user_tokens(username)
            click.echo(f"revoked {count} token(s) of {username}")
        else:
            click.echo(f"revoked token {token_id} of {tokens.revoke_token(token_id)}")
    except tokens.TokenError as error:
        raise click.ClickException(str(error)) from error


@guidance.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_(file: Path) -> None:
    """Write every table of the database to FILE (gzip-compressed JSON lines)."""
    counts = backup.backup(file)
    click.echo(f"{sum(counts.values()):,} rows from {len(counts)} tables written to {file}")


@guidance.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_(file: Path) -> None:
    """Load FILE into this empty database (run `flask db upgrade` first), then rebuild search."""
    try:
        counts = backup.restore(file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{sum(counts.values()):,} rows restored into {len(counts)} tables")
    click.echo(f"indexed {search_service.engine().rebuild()} entries")


guidance.add_command(examples_group)


def register(app: Flask) -> None:
    app.cli.add_command(guidance)
