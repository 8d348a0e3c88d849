"""The ``copdesk`` command: the window with no arguments, headless commands otherwise.

::

    copdesk [--db PATH|URL]                       open the window (on that store)
    copdesk --version
    copdesk communities --db PATH                 one line per community, name first
    copdesk demo --db PATH                        create the demo community
    copdesk members import FILE.csv --db PATH [--community NAME] [--dry-run]
    copdesk members export FILE.csv --db PATH [--community NAME]
    copdesk report roster --db PATH --out FILE.pdf [--community NAME]
    copdesk report session --session ID --kind runsheet|summary --db PATH --out FILE.pdf
    copdesk sessions list --db PATH [--community NAME]
    copdesk calendar --db PATH --out FILE.ics [--community NAME]

``--db`` is accepted before or after the command; without it the default store is used.
Commands that only read (communities, export, report, sessions, calendar) refuse a store
file that does not exist rather than create an empty one.

Exit status: 0 on success; 1 on a failure, with exactly one line ``copdesk: error: ...``
on stderr and no traceback (set ``COPDESK_DEBUG=1`` to see one for an unexpected error);
2 on wrong usage.

``sessions list`` prints one line per session, ordered by when it starts: id, start
(``YYYY-MM-DD HH:MM`` in the session's own time zone, followed by the zone), title and
status, tab-separated. ``calendar`` writes the planned sessions as an iCalendar file;
warnings about single sessions (a missing time zone) go to stderr and do not change the
exit status.

``members import`` adds every valid, non-duplicate row in one transaction and lists the
rows it skipped: invalid rows on stderr as ``FILE:LINE: reason`` and duplicates in the
summary on stdout. It exits 1 when no row at all could be imported (every row invalid
or a duplicate, or no rows), so a script can tell that nothing happened.

Nothing here imports Qt: the window is imported only when it is opened, and the report
builder only when a report is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from copdesk import __version__

if TYPE_CHECKING:
    from copdesk.data.csvio import ImportPreview
    from copdesk.data.store import Store

PROG = "copdesk"
#: The session report kinds (copdesk.reports.session_reports.KINDS; kept here so that
#: parsing the command line does not load ReportLab).
SESSION_REPORT_KINDS = ("runsheet", "summary")


class CliError(Exception):
    """An expected failure; the message becomes the one ``copdesk: error:`` line."""


# --- the parser ----------------------------------------------------------------------------
def _db_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the store: an SQLite file or an SQLAlchemy URL (default: your default store)",
    )
    return parent


def _community_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--community",
        metavar="NAME",
        help="the community to work on (needed when the store holds several)",
    )


def build_parser() -> argparse.ArgumentParser:
    db = _db_parent()
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A desktop workbench for Communities of Practice. With no command, "
        "opens the window.",
        epilog="Exit status: 0 success, 1 failure (one 'copdesk: error:' line), 2 wrong usage.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--db", metavar="PATH", default=None,
        help="the store: an SQLite file or an SQLAlchemy URL (default: your default store)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser(
        "communities", parents=[db], help="list the store's communities, one per line",
        description="One line per community: name, members, host organisation, stage "
        "(tab-separated).",
    )
    p.set_defaults(handler=cmd_communities)

    p = commands.add_parser(
        "demo", parents=[db], help="create the demo community",
        description="Create the demo community: about 60 members and a year of sessions "
        "with agendas, attendance, outcomes and follow-up actions. A store holds at most "
        "one demo community.",
    )
    p.set_defaults(handler=cmd_demo)

    p = commands.add_parser("members", parents=[db], help="import or export the roster")
    sub = p.add_subparsers(dest="members_command", metavar="ACTION", required=True)
    imp = sub.add_parser(
        "import", parents=[db], help="add members from a CSV file",
        description="Add members from a CSV file (UTF-8 or Excel's Windows encoding, comma "
        "or semicolon). Every valid row that is not a duplicate is added; invalid rows are "
        "listed on stderr. Exits 1 if no row could be imported. A store with no community "
        "gets one (named by --community).",
    )
    imp.add_argument("file", metavar="FILE.csv", type=Path)
    _community_arg(imp)
    imp.add_argument("--dry-run", action="store_true",
                     help="check the file and show what would happen; write nothing")
    imp.set_defaults(handler=cmd_import)
    exp = sub.add_parser(
        "export", parents=[db], help="write the roster to a CSV file for Excel",
        description="Write the roster as CSV (UTF-8 with a byte-order mark, for Excel).",
    )
    exp.add_argument("file", metavar="FILE.csv", type=Path)
    _community_arg(exp)
    exp.set_defaults(handler=cmd_export)

    p = commands.add_parser(
        "report", parents=[db], help="write a PDF report (roster, session)",
        description="Write a PDF report. Each report has its own options: "
        "'copdesk report REPORT --help'.",
    )
    sub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True,
                           title="reports")
    roster = sub.add_parser(
        "roster", parents=[db], help="the roster PDF for the host",
        description="The roster PDF: counts, the knowledge map and the directory of "
        "members who consented to host reports.",
    )
    roster.add_argument("--out", metavar="FILE.pdf", type=Path, required=True)
    _community_arg(roster)
    roster.set_defaults(handler=cmd_report_roster)
    one = sub.add_parser(
        "session", parents=[db], help="a session's run sheet or summary PDF",
        description="The run sheet for the room (agenda with clock times, owners, "
        "materials and space for notes) or the summary after the meeting (attendance, "
        "outcomes, decisions and follow-up actions). Session ids come from "
        "'copdesk sessions list'.",
    )
    one.add_argument("--session", metavar="ID", type=int, required=True,
                     help="the session's id (see 'copdesk sessions list')")
    one.add_argument("--kind", choices=SESSION_REPORT_KINDS, required=True,
                     help="runsheet: for the room; summary: after the meeting")
    one.add_argument("--out", metavar="FILE.pdf", type=Path, required=True)
    one.set_defaults(handler=cmd_report_session)

    p = commands.add_parser("sessions", parents=[db], help="list the community's sessions")
    sub = p.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    lst = sub.add_parser(
        "list", parents=[db], help="one line per session",
        description="One line per session, ordered by start: id, start (YYYY-MM-DD HH:MM "
        "in the session's time zone, then the zone), title, status (tab-separated).",
    )
    _community_arg(lst)
    lst.set_defaults(handler=cmd_sessions_list)

    p = commands.add_parser(
        "calendar", parents=[db], help="write the planned sessions as an iCalendar file",
        description="Write the community's planned sessions as an iCalendar (.ics) file "
        "with their time zones, for calendar programs to import.",
    )
    p.add_argument("--out", metavar="FILE.ics", type=Path, required=True)
    _community_arg(p)
    p.set_defaults(handler=cmd_calendar)
    return parser


# --- helpers -------------------------------------------------------------------------------
def _out(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _one_line(text: object) -> str:
    return " ".join(str(text).split()) or "failed"


def _open_store(db: str | None, *, must_exist: bool) -> Store:
    """Open the store; with ``must_exist``, refuse an SQLite file that is not there."""
    from copdesk.data.store import Store, describe, resolve_url, sqlite_path

    url = resolve_url(db)
    path = sqlite_path(url)
    if must_exist and path is not None and not path.exists():
        raise CliError(f"no store at {describe(url)} (create one with 'copdesk demo' or "
                       "'copdesk members import', or open the window)")
    return Store.open(url)


def _store_exists(db: str | None) -> bool:
    from copdesk.data.store import resolve_url, sqlite_path

    path = sqlite_path(resolve_url(db))
    return path is None or path.exists()


# --- commands ------------------------------------------------------------------------------
def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from copdesk.ui.app import run_gui
    except ImportError as exc:
        raise CliError(f"the window cannot be opened: {exc}") from exc
    return int(run_gui(args.db))


def cmd_communities(args: argparse.Namespace) -> int:
    from copdesk.data import communities
    from copdesk.framework import Stage

    store = _open_store(args.db, must_exist=True)
    with store:
        with store.session() as session:
            infos = communities.list_communities(session)
        if not infos:
            _err("copdesk: the store has no community yet")
        for info in infos:
            count = f"{info.member_count} member" + ("" if info.member_count == 1 else "s")
            fields = [info.name, count, info.host_organisation or "-", Stage(info.stage).label]
            if info.is_demo:
                fields.append("demo")
            _out("\t".join(fields))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from copdesk.data import communities, demo, sessions

    store = _open_store(args.db, must_exist=False)
    with store:
        cid = store.run(demo.create_demo)
        with store.session() as session:
            info = communities.get_community(session, cid)
            count = len(sessions.list_sessions(session, cid))
    _out(f"Created the demo community {info.name!r} with {info.member_count} members "
         f"and {count} sessions.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from copdesk.data import communities, csvio

    path: Path = args.file
    # A dry run against a store that does not exist yet must not create it.
    if args.dry_run and not _store_exists(args.db):
        target: str | None = "sqlite://"
    else:
        target = args.db
    store = _open_store(target, must_exist=False)

    def work(
        session: Session,
    ) -> tuple[csvio.ImportPreview, str, bool, list[int]]:
        infos = communities.list_communities(session)
        if not infos:
            name = args.community or communities.DEFAULT_COMMUNITY_NAME
            cid = None
        else:
            info = communities.find_community(session, args.community)
            name, cid = info.name, info.id
        preview = csvio.preview_import(session, cid, path)
        if args.dry_run or not preview.valid_rows:
            return preview, name, cid is None, []
        created = cid is None
        if cid is None:
            cid = communities.create_community(session, name)
        return preview, name, created, csvio.commit_import(session, cid, preview)

    with store:
        preview, name, new_community, ids = store.run(work)
    _report_import(args, preview, name, new_community, ids)
    if args.dry_run:
        return 0 if preview.valid_rows else _nothing_to_import(preview)
    if not ids:
        return _nothing_to_import(preview)
    return 0


def _report_import(
    args: argparse.Namespace,
    preview: ImportPreview,
    name: str,
    new_community: bool,
    ids: list[int],
) -> None:
    path = args.file
    sep = {",": "comma", ";": "semicolon"}.get(preview.delimiter, preview.delimiter)
    _out(f"Read {len(preview.rows)} rows from {path} ({preview.encoding}, {sep}-separated).")
    if preview.unmapped:
        _out(f"Ignored columns: {', '.join(preview.unmapped)}")
    _out(f"  valid:      {len(preview.valid_rows)}")
    _out(f"  invalid:    {len(preview.invalid_rows)}"
         + (" (listed on stderr)" if preview.invalid_rows else ""))
    _out(f"  duplicates: {len(preview.duplicate_rows)}"
         + (" (not imported)" if preview.duplicate_rows else ""))
    for row in preview.duplicate_rows:
        assert row.data is not None
        if row.duplicates:
            dup = row.duplicates[0]
            why = "same email" if dup.reason == "email" else "same name"
            _out(f"    line {row.line}: {row.data.full_name} is already in the community "
                 f"as {dup.full_name} ({why})")
        else:
            _out(f"    line {row.line}: {row.data.full_name} repeats line "
                 f"{row.duplicate_in_file}")
    for row in preview.invalid_rows:
        for reason in row.errors:
            _err(f"{path}:{row.line}: {_one_line(reason)}")
    if args.dry_run:
        if preview.valid_rows:
            if new_community:
                _out(f"Would create the community {name!r}.")
            _out(f"Dry run: {len(preview.valid_rows)} members would be imported into "
                 f"{name!r}; nothing was written.")
        return
    if ids:
        if new_community:
            _out(f"Created the community {name!r}.")
        _out(f"Imported {len(ids)} members into {name!r}.")


def _nothing_to_import(preview: ImportPreview) -> int:
    if not preview.rows:
        raise CliError(f"{preview.path} has no member rows, only a header")
    raise CliError(
        f"nothing imported from {preview.path}: {len(preview.invalid_rows)} invalid, "
        f"{len(preview.duplicate_rows)} duplicates"
    )


def cmd_export(args: argparse.Namespace) -> int:
    from copdesk.data import communities, csvio

    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        info = communities.find_community(session, args.community)
        count = csvio.export_csv(session, info.id, args.file)
    _out(f"Exported {count} members of {info.name!r} to {args.file}.")
    return 0


def cmd_report_roster(args: argparse.Namespace) -> int:
    from copdesk.data import communities
    from copdesk.reports.errors import ReportError
    from copdesk.reports.roster import build_roster_pdf

    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        info = communities.find_community(session, args.community)
        try:
            out = build_roster_pdf(session, info.id, args.out)
        except ReportError as exc:
            raise CliError(str(exc)) from exc
    _out(f"Wrote the roster of {info.name!r} to {out}.")
    return 0


def _safe_field(text: str) -> str:
    """One tab-separated field: no tabs or line breaks inside."""
    return " ".join(text.split())


def cmd_sessions_list(args: argparse.Namespace) -> int:
    import datetime as dt
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from copdesk.data import communities, sessions

    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        info = communities.find_community(session, args.community)
        rows = sessions.list_sessions(session, info.id)

    def instant(row: sessions.SessionRow) -> dt.datetime:
        try:
            zone = ZoneInfo(row.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return row.starts_at.replace(tzinfo=zone).astimezone(dt.UTC)

    if not rows:
        _err(f"copdesk: {info.name!r} has no sessions yet")
    for row in sorted(rows, key=lambda r: (instant(r), r.id)):
        when = f"{row.starts_at:%Y-%m-%d %H:%M} {row.time_zone or 'UTC'}"
        _out("\t".join((str(row.id), when, _safe_field(row.title), row.status)))
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from copdesk.data import communities
    from copdesk.data.files import WriteError, write_bytes_atomically
    from copdesk.data.ical import calendar_ics

    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        info = communities.find_community(session, args.community)
        export = calendar_ics(session, info.id)
    try:
        out = write_bytes_atomically(args.out, export.data)
    except WriteError as exc:
        raise CliError(str(exc)) from exc
    for warning in export.warnings:
        _err(f"copdesk: warning: {_one_line(warning)}")
    noun = "session" if export.events == 1 else "sessions"
    _out(f"Wrote {export.events} {noun} to {out} (the planned sessions of {info.name!r}).")
    if not export.events:
        _err(f"copdesk: {info.name!r} has no planned sessions; the calendar is empty")
    return 0


def cmd_report_session(args: argparse.Namespace) -> int:
    from copdesk.data import sessions

    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        try:
            row = sessions.get_session(session, args.session)
        except LookupError:
            raise CliError(f"no session with id {args.session}") from None
        from copdesk.reports.errors import ReportError
        from copdesk.reports.session_reports import build_session_pdf

        try:
            out = build_session_pdf(session, row.id, args.out, kind=args.kind)
        except ReportError as exc:
            raise CliError(str(exc)) from exc
    what = "run sheet" if args.kind == "runsheet" else "summary"
    _out(f"Wrote the {what} of session {row.id} ({_safe_field(row.title)!r}, "
         f"{row.starts_at:%Y-%m-%d}) to {out}.")
    return 0


# --- the entry point --------------------------------------------------------------------
def _expected_errors() -> tuple[type[BaseException], ...]:
    from copdesk.data.communities import CommunityError
    from copdesk.data.csvio import CsvError
    from copdesk.data.demo import DemoExistsError
    from copdesk.data.store import StoreError
    from copdesk.data.validation import ValidationError

    return (CliError, StoreError, CsvError, CommunityError, DemoExistsError, ValidationError)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", cmd_gui)
    try:
        return handler(args)
    except KeyboardInterrupt:
        _err(f"{PROG}: error: interrupted")
        return 130
    except Exception as exc:
        if isinstance(exc, _expected_errors()):
            _err(f"{PROG}: error: {_one_line(exc)}")
            return 1
        if isinstance(exc, OSError):
            where = f" ({exc.filename})" if exc.filename else ""
            _err(f"{PROG}: error: {_one_line(exc.strerror or exc)}{where}")
            return 1
        if os.environ.get("COPDESK_DEBUG") == "1":
            raise
        _err(f"{PROG}: error: unexpected error: {_one_line(f'{type(exc).__name__}: {exc}')}")
        return 1
