"""`flask guidance ...`: thin commands over the services."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .content.tree import check_tree
from .models import ROLES
from .services import library, users


guidance = AppGroup("guidance", help="Manage the guidance library.")


@guidance.command("check")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def check(directory: Path) -> None:
    """Validate every Markdown file under DIRECTORY; one line per problem."""
    problems = check_tree(directory)
    for problem in problems:
        click.echo(f"{directory / problem.path}:{problem.line}: {problem.message}")
    count = len(list(directory.rglob("*.md")))
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {count} file(s)")
    click.echo(f"{count} file(s) checked, no problems")


@guidance.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_(directory: Path) -> None:
    """Publish new and changed files under DIRECTORY as revisions."""
    total = len(list(directory.rglob("*.md")))
    with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
        report = library.import_tree(directory, progress=lambda _: bar.update(1))
    for warning in report.warnings:
        click.echo(f"warning: {directory / warning.path}:{warning.line}: {warning.message}")
    for failed in report.failed:
        for problem in failed.problems:
            if problem.blocking:
                click.echo(f"not imported: {directory / problem.path}:{problem.line}: {problem.message}")
    click.echo(
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.failed)} not imported"
    )


@guidance.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export(directory: Path) -> None:
    """Write the published revisions to DIRECTORY as Markdown files."""
    count = library.export_tree(directory)
    click.echo(f"{count} file(s) written to {directory}")


@guidance.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True)
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


def register(app: Flask) -> None:
    app.cli.add_command(guidance)
