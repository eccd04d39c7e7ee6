"""`flask guidance examples ...`: customers' own words for contact reasons, from a CRM's closed cases."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from .services import examples as service

SHOWN = 200  # rows `examples list` prints before it summarises the rest


@click.group("examples", cls=AppGroup)
def group() -> None:
    """Import, list and clear examples (searched, never shown to agents)."""


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--text-column", default="text", show_default=True, help="The column with the customer's words.")
@click.option(
    "--reason-column", default="contact_reason", show_default=True, help="The column with the contact reason."
)
def import_(file: Path, text_column: str, reason_column: str) -> None:
    """Add FILE's rows (CSV, UTF-8, with a header) as examples of the documents holding their reasons.

    Importing the same file again changes nothing. Rows whose reason no document lists are counted
    and reported, not imported.
    """
    try:
        rows = service.read_rows(file, text_column, reason_column)  # a bad file fails before the bar
        with click.progressbar(length=len(rows), label="Importing examples", file=sys.stderr) as bar:
            report = service.import_rows(file.name, rows, progress=bar.update)
    except service.ExampleFileError as error:
        raise click.ClickException(f"{error}; nothing was imported") from error
    for reason, count in sorted(report.unknown.items(), key=lambda item: (-item[1], item[0])):
        click.echo(f"unknown reason: {reason} ({count} row{'s' if count != 1 else ''}; no document lists it)")
    unknown = sum(report.unknown.values())
    click.echo(
        f"{report.rows} rows: {report.added} added, {report.unchanged} already imported, "
        f"{unknown} with an unknown reason, {report.empty} empty; {report.documents} document(s) re-indexed"
    )


@group.command("list")
@click.option("--reason", help="Only this contact reason's examples.")
def list_(reason: str | None) -> None:
    """Print examples (reason, source, text); without --reason, the counts per reason and source."""
    if not reason:
        rows = service.counts()
        for code, source, count in rows:
            click.echo(f"{code or '(learned)'}\t{source}\t{count}")
        click.echo(f"{sum(r[2] for r in rows)} example(s)")
        return
    found = service.listing(reason)
    for example in found[:SHOWN]:
        click.echo(f"{example.contact_reason}\t{example.source}\t{example.text}")
    more = f" ({len(found) - SHOWN} more not shown)" if len(found) > SHOWN else ""
    click.echo(f"{len(found)} example(s){more}")


@group.command("clear")
@click.option("--source", help="Only the examples of this source (a file name, or 'learned').")
@click.option("--yes", is_flag=True, help="Confirm the deletion.")
def clear(source: str | None, yes: bool) -> None:
    """Delete examples (all of them, or one source's) and re-index their documents."""
    if not yes:
        raise click.UsageError("this deletes examples: add --yes to confirm")
    click.echo(f"{service.clear(source)} example(s) deleted")
