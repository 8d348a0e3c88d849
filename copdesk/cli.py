"""The ``copdesk`` command: the window with no arguments, headless commands otherwise.

::

    copdesk [--db PATH|URL]                       open the window (on that store)
    copdesk --version
    copdesk communities --db PATH                 one line per community, name first
    copdesk demo --db PATH [--seed N] [--size large|xlarge]   create the demo community
    copdesk members import FILE.csv --db PATH [--community NAME] [--dry-run]
    copdesk members export FILE.csv --db PATH [--community NAME]
    copdesk report roster --db PATH --out FILE.pdf [--community NAME]
    copdesk report session --session ID --kind runsheet|summary --db PATH --out FILE.pdf
    copdesk report fitness --db PATH --out FILE.pdf [--community NAME] [--assessment ID]
    copdesk report values --db PATH --out FILE.pdf [--from DATE] [--to DATE] [--community NAME]
    copdesk report overview --db PATH --out FILE.pdf [--from DATE] [--to DATE]
                            [--community NAME] [--sections a,b,c]
    copdesk sessions list --db PATH [--community NAME]
    copdesk calendar --db PATH --out FILE.ics [--community NAME]
    copdesk fitness list --db PATH [--community NAME]
    copdesk values list --db PATH [--community NAME]
    copdesk backup --db PATH --out FILE
    copdesk restore --db PATH --from FILE
    copdesk check --db PATH

``--db`` is accepted before or after the command; without it the default store is used.
Commands that only read (communities, export, report, sessions, calendar, fitness,
values, backup, check) refuse a store file that does not exist rather than create an
empty one. Commands that write (demo, members import, restore) lock the store like the
window does, so they refuse while a window has it open. backup, restore and check work
on SQLite store files only. Dates are ISO ``YYYY-MM-DD``.

Exit status: 0 on success; 1 on a failure, with exactly one line ``copdesk: error: ...``
on stderr and no traceback (set ``COPDESK_DEBUG=1`` to see one for an unexpected error);
2 on wrong usage (including a date that is not ``YYYY-MM-DD`` or an unknown report
section).

``sessions list`` prints one line per session, ordered by when it starts: id, start
(``YYYY-MM-DD HH:MM`` in the session's own time zone, followed by the zone), title and
status, tab-separated. ``calendar`` writes the planned sessions as an iCalendar file;
warnings about single sessions (a missing time zone) go to stderr and do not change the
exit status.

``fitness list`` prints one line per assessment, newest first: id, date, checklist,
overall score (a percentage of the maximum, ``-`` when nothing is scored yet) and
``final`` or ``draft``. ``values list`` prints one line per value entry, newest first: id,
date, kind of value, value-creation cycle and title. Both are tab-separated.

``check`` prints what it checked (integrity, foreign keys, schema version, counts) and
exits 1 naming the problem if anything is wrong. ``restore`` keeps a copy of the store it
replaces and says where.

``members import`` adds every valid, non-duplicate row in one transaction and lists the
rows it skipped: invalid rows on stderr as ``FILE:LINE: reason`` and duplicates in the
summary on stdout. It exits 1 when no row at all could be imported (every row invalid
or a duplicate, or no rows), so a script can tell that nothing happened.

Nothing here imports Qt: the window is imported only when it is opened, and the report
builder only when a report is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from copdesk import __version__

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from copdesk.data.csvio import ImportPreview
    from copdesk.data.store import Store

PROG = "copdesk"
#: The session report kinds (copdesk.reports.session_reports.KINDS; kept here so that
#: parsing the command line does not load ReportLab).
SESSION_REPORT_KINDS = ("runsheet", "summary")
#: The sizes of ``copdesk demo --size`` (copdesk.data.demo_large).
DEMO_SIZES = ("large", "xlarge")


class CliError(Exception):
    """An expected failure; the message becomes the one ``copdesk: error:`` line."""


class UsageError(Exception):
    """Wrong usage found after parsing: reported by the command's parser (exit 2)."""


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


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid date {text!r}: use YYYY-MM-DD, for example 2025-01-31"
        ) from None


def _period_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", metavar="DATE", type=_iso_date,
                        help="the first day of the period (YYYY-MM-DD; default: the start)")
    parser.add_argument("--to", dest="end", metavar="DATE", type=_iso_date,
                        help="the last day of the period (YYYY-MM-DD; default: today)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


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
        description="Create the demo community: about 60 members, a year of sessions "
        "with agendas, attendance, outcomes and follow-up actions, a year of value "
        "entries with value-creation stories, and four quarterly fitness checks. A store "
        "holds at most one demo community. --size makes a large community instead, to "
        "measure speed: large is 10,000 members and 2,000 sessions, xlarge twice that.",
    )
    p.add_argument("--seed", metavar="N", type=_positive_int,
                   help="the same seed gives the same community (default: 7; 1 with --size)")
    p.add_argument("--size", choices=DEMO_SIZES,
                   help="a large community for benchmarks instead of the usual demo")
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
        "report", parents=[db],
        help="write a PDF report (roster, session, fitness, values, overview)",
        description="Write a PDF report. Each report has its own options: "
        "'copdesk report REPORT --help'.",
    )
    sub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True,
                           title="reports")
    def report(
        name: str, summary: str, description: str, *, period: bool = False,
        community: bool = True,
    ) -> argparse.ArgumentParser:
        """One report's parser: its --out, and the period and community where it has them."""
        parser = sub.add_parser(name, parents=[db], help=summary, description=description)
        parser.add_argument("--out", metavar="FILE.pdf", type=Path, required=True)
        if period:
            _period_args(parser)
        if community:
            _community_arg(parser)
        return parser

    report(
        "roster", "the roster PDF for the host",
        "The roster PDF: counts, the knowledge map and the directory of members who "
        "consented to host reports.",
    ).set_defaults(handler=cmd_report_roster)
    one = report(
        "session", "a session's run sheet or summary PDF",
        "The run sheet for the room (agenda with clock times, owners, materials and space "
        "for notes) or the summary after the meeting (attendance, outcomes, decisions and "
        "follow-up actions). Session ids come from 'copdesk sessions list'.",
        community=False,
    )
    one.add_argument("--session", metavar="ID", type=int, required=True,
                     help="the session's id (see 'copdesk sessions list')")
    one.add_argument("--kind", choices=SESSION_REPORT_KINDS, required=True,
                     help="runsheet: for the room; summary: after the meeting")
    one.set_defaults(handler=cmd_report_session)
    fit = report(
        "fitness", "a fitness assessment's report PDF",
        "The fitness report: the assessment's scores per dimension with their bands, every "
        "question with its score, evidence and action, the trend since earlier "
        "assessments and the action plan. The latest assessment by default; ids come from "
        "'copdesk fitness list'.",
    )
    fit.add_argument("--assessment", metavar="ID", type=int,
                     help="the assessment's id (default: the latest; see 'copdesk fitness list')")
    fit.set_defaults(handler=cmd_report_fitness)
    report(
        "values", "the value report PDF for a period",
        "The value report: the value matrix (kinds against cycles), highlights per kind, "
        "the value-creation stories told in full and the measures summed by unit, for a "
        "period (all time by default).",
        period=True,
    ).set_defaults(handler=cmd_report_values)
    ov = report(
        "overview", "the community overview PDF for the host",
        "The overview report for the host: the community's members, sessions, value and "
        "fitness in one document, for a period (the last twelve months by default), "
        "compared with the period before.",
        period=True,
    )
    ov.add_argument("--sections", metavar="a,b,c",
                    help="only these sections, comma-separated (default: all; an unknown "
                    "name lists the valid ones)")
    ov.set_defaults(handler=cmd_report_overview, parser=ov)

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

    p = commands.add_parser("fitness", parents=[db], help="list the fitness assessments")
    sub = p.add_subparsers(dest="fitness_command", metavar="ACTION", required=True)
    lst = sub.add_parser(
        "list", parents=[db], help="one line per assessment",
        description="One line per fitness assessment, newest first: id, date, checklist, "
        "overall score, final or draft (tab-separated).",
    )
    _community_arg(lst)
    lst.set_defaults(handler=cmd_fitness_list)

    p = commands.add_parser("values", parents=[db], help="list the value log")
    sub = p.add_subparsers(dest="values_command", metavar="ACTION", required=True)
    lst = sub.add_parser(
        "list", parents=[db], help="one line per value entry",
        description="One line per value entry, newest first: id, date, kind of value, "
        "value-creation cycle, title (tab-separated).",
    )
    _community_arg(lst)
    lst.set_defaults(handler=cmd_values_list)

    p = commands.add_parser(
        "backup", parents=[db], help="make a verified backup copy of the store",
        description="Copy the store with SQLite's online backup API (safe while the window "
        "has it open) and verify the copy before it is put in place. SQLite store files "
        "only.",
    )
    p.add_argument("--out", metavar="FILE", type=Path, required=True)
    p.set_defaults(handler=cmd_backup)
    p = commands.add_parser(
        "restore", parents=[db], help="put a backup in place of the store",
        description="Check the backup, keep a copy of the current store beside it, then put "
        "the backup in its place. Refused while a copdesk window has the store open. "
        "SQLite store files only.",
    )
    p.add_argument("--from", dest="source", metavar="FILE", type=Path, required=True)
    p.set_defaults(handler=cmd_restore)
    p = commands.add_parser(
        "check", parents=[db], help="check the store's integrity and schema",
        description="Check the store's integrity, foreign keys and schema version, and count "
        "what it holds; exits 1 naming the problem if anything is wrong. Read-only. SQLite "
        "store files only.",
    )
    p.set_defaults(handler=cmd_check)
    p = commands.add_parser(
        "transfer", help="copy a community with everything it holds to another store",
        description="Copy one community (members, sessions, assessments, value entries and "
        "their history) from one store to another, for example from this laptop's SQLite "
        "file to a shared PostgreSQL server or back. All or nothing; an existing community "
        "of that name in the target is only replaced with --replace. Server passwords come "
        "from ~/.pgpass or PGPASSWORD, never from the command line.",
    )
    p.add_argument("--from", dest="source", metavar="STORE", required=True,
                   help="the store to copy from: an SQLite file or an SQLAlchemy URL")
    p.add_argument("--to", dest="target", metavar="STORE", required=True,
                   help="the store to copy to (created if it is a new SQLite file)")
    p.add_argument("--community", metavar="NAME", required=True)
    p.add_argument("--replace", action="store_true",
                   help="replace a community of that name in the target")
    p.set_defaults(handler=cmd_transfer)
    return parser


# --- helpers -------------------------------------------------------------------------------
def _out(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _one_line(text: object) -> str:
    return " ".join(str(text).split()) or "failed"


def _open_store(db: str | None, *, must_exist: bool, exclusive: bool = False) -> Store:
    """Open the store; with ``must_exist``, refuse an SQLite file that is not there.

    ``exclusive`` (commands that write) locks the store as the window does, so that a
    command refuses, with one clear line, while a window has the store open.
    """
    from copdesk.data.store import Store, describe, resolve_url, sqlite_path

    url = resolve_url(db)
    path = sqlite_path(url)
    if must_exist and path is not None and not path.exists():
        raise CliError(f"no store at {describe(url)} (create one with 'copdesk demo' or "
                       "'copdesk members import', or open the window)")
    return Store.open(url, exclusive=exclusive)


def _store_file(db: str | None, command: str, *, must_exist: bool = True) -> Path:
    """The SQLite file behind ``--db`` for the file commands (backup, restore, check)."""
    from copdesk.data.store import describe, resolve_url, sqlite_path

    url = resolve_url(db)
    path = sqlite_path(url)
    if path is None:
        raise CliError(f"'copdesk {command}' works on SQLite store files only; "
                       f"{describe(url)} is not one (use your database's own tools)")
    if path.is_dir():
        raise CliError(f"{path} is a folder, not a store file")
    if must_exist and not path.exists():
        raise CliError(f"no store at {path}")
    return path


def _period(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    start: dt.date | None = args.start
    end: dt.date | None = args.end
    if start is not None and end is not None and start > end:
        raise CliError(f"the period starts ({start.isoformat()}) after it ends "
                       f"({end.isoformat()}); swap --from and --to")
    return start, end


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{round(share * 100)}%"


_SINGULAR = {"communities": "community", "value entries": "value entry"}


def _counts(counts: dict[str, int]) -> str:
    """"1 community, 62 members, ..." from the check's counts (plural labels)."""
    words = (f"{n:,} {_SINGULAR.get(label, label.removesuffix('s')) if n == 1 else label}"
             for label, n in counts.items())
    return ", ".join(words) or "nothing counted"


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
    from sqlalchemy import func, select

    from copdesk.data import communities, demo
    from copdesk.data.models import CopSession

    if args.size is not None:
        try:
            from copdesk.data.demo_large import create_large_demo
        except ImportError as exc:
            raise CliError(f"the {args.size} demo is not available in this copdesk "
                           f"({exc})") from exc
        size: str = args.size
        seed = 1 if args.seed is None else args.seed

        def make(session: Session) -> int:
            return create_large_demo(session, size=size, seed=seed)
    else:
        seed = 7 if args.seed is None else args.seed

        def make(session: Session) -> int:
            return demo.create_demo(session, seed=seed)

    store = _open_store(args.db, must_exist=False, exclusive=True)
    with store:
        cid = store.run(make)
        with store.session() as session:
            info = communities.get_community(session, cid)
            count = session.scalar(
                select(func.count(CopSession.id)).where(CopSession.community_id == cid)
            ) or 0
    what = "demo community" if args.size is None else f"{args.size} demo community"
    _out(f"Created the {what} {info.name!r} with {info.member_count:,} members "
         f"and {count:,} sessions.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:

    from copdesk.data import communities, csvio

    path: Path = args.file
    # A dry run against a store that does not exist yet must not create it.
    if args.dry_run and not _store_exists(args.db):
        target: str | None = "sqlite://"
    else:
        target = args.db
    store = _open_store(target, must_exist=False, exclusive=not args.dry_run)

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


def cmd_fitness_list(args: argparse.Namespace) -> int:
    from copdesk.data import communities, fitness

    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        info = communities.find_community(session, args.community)
        rows = fitness.list_assessments(session, info.id)
    if not rows:
        _err(f"copdesk: {info.name!r} has no fitness assessments yet")
    for row in rows:
        _out("\t".join((str(row.id), row.held_on.isoformat(), _safe_field(row.checklist_label),
                        _percent(row.overall), row.status)))
    return 0


def cmd_values_list(args: argparse.Namespace) -> int:
    from copdesk.data import communities, values

    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        info = communities.find_community(session, args.community)
        rows = values.list_entries(session, info.id)
    if not rows:
        _err(f"copdesk: {info.name!r} has no value entries yet")
    for row in rows:
        _out("\t".join((str(row.id), row.entry_date.isoformat(), row.kind_label,
                        row.cycle_label, _safe_field(row.title))))
    return 0


def cmd_report_fitness(args: argparse.Namespace) -> int:
    from copdesk.data import communities, fitness

    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        info = communities.find_community(session, args.community)
        from copdesk.reports.errors import ReportError
        from copdesk.reports.fitness_report import build_fitness_pdf

        try:
            out = build_fitness_pdf(session, info.id, args.out, assessment_id=args.assessment)
        except ReportError as exc:
            raise CliError(str(exc)) from exc
        chosen = args.assessment or fitness.list_assessments(session, info.id)[0].id
        view = fitness.get_assessment(session, chosen)
    draft = ", a draft" if view.is_draft else ""
    _out(f"Wrote the fitness report of {info.name!r} ({view.checklist_label} of "
         f"{view.held_on.isoformat()}{draft}) to {out}.")
    return 0


def _period_words(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"from {start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    if end:
        return f"up to {end.isoformat()}"
    return "all time"


def cmd_report_values(args: argparse.Namespace) -> int:
    from copdesk.data import communities

    start, end = _period(args)
    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        info = communities.find_community(session, args.community)
        from copdesk.reports.errors import ReportError
        from copdesk.reports.values_report import build_values_pdf

        try:
            out = build_values_pdf(session, info.id, args.out, start=start, end=end)
        except ReportError as exc:
            raise CliError(str(exc)) from exc
    _out(f"Wrote the value report of {info.name!r} ({_period_words(start, end)}) to {out}.")
    return 0


def cmd_report_overview(args: argparse.Namespace) -> int:
    from copdesk.data import communities

    start, end = _period(args)
    try:
        from copdesk.reports.overview import SECTIONS, build_overview_pdf
    except ImportError as exc:
        raise CliError(f"the overview report is not available in this copdesk ({exc})") from exc
    sections: tuple[str, ...] | None = None
    if args.sections is not None:
        sections = tuple(dict.fromkeys(s.strip() for s in args.sections.split(",")
                                       if s.strip()))
        unknown = [s for s in sections if s not in SECTIONS]
        if unknown or not sections:
            what = (f"unknown section{'s' if len(unknown) > 1 else ''} "
                    f"{', '.join(map(repr, unknown))}" if unknown else "no section named")
            raise UsageError(f"argument --sections: {what}; choose from "
                             f"{', '.join(SECTIONS)}")
    store = _open_store(args.db, must_exist=True)
    with store, store.session() as session:
        info = communities.find_community(session, args.community)
        from copdesk.reports.errors import ReportError

        try:
            out = build_overview_pdf(session, info.id, args.out, start=start, end=end,
                                     sections=sections)
        except ReportError as exc:
            raise CliError(str(exc)) from exc
    from copdesk.reports.overview import default_period

    period = default_period(dt.date.today(), start, end)
    _out(f"Wrote the overview of {info.name!r} ({_period_words(period.start, period.end)}) "
         f"to {out}.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from copdesk.data.backup import backup_file

    path = _store_file(args.db, "backup")
    target: Path = args.out.expanduser().resolve()
    if target == path.resolve():
        raise CliError("the backup cannot replace the store itself; choose another --out")
    result = backup_file(path, target)
    _out(f"Backed up {path} to {result.path} (verified: {_counts(result.counts)}).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from copdesk.data.backup import check_file, restore_file
    from copdesk.data.store import StoreLock

    path = _store_file(args.db, "restore", must_exist=False)
    source: Path = args.source.expanduser().resolve()
    if source == path.resolve():
        raise CliError("the backup is the store itself; choose the backup file with --from")
    if not source.is_file():
        raise CliError(f"no backup at {source}")
    if not path.parent.is_dir():
        raise CliError(f"cannot restore into {path}: the folder {path.parent} does not exist")
    existed = path.exists()
    lock = StoreLock(path)
    lock.acquire()  # StoreInUseError while a window (or another command) has the store
    try:
        kept = restore_file(path, source)
    finally:
        lock.release()
    check = check_file(path)
    _out(f"Restored {path} from {source} ({_counts(check.counts)}).")
    if existed:
        _out(f"The store it replaced was kept as {kept}.")
    return 0


def cmd_transfer(args: argparse.Namespace) -> int:
    from copdesk.data.transfer import transfer_community

    report = transfer_community(args.source, args.target, args.community, replace=args.replace)
    verb = "Replaced" if report.replaced else "Copied"
    _out(f"{verb} {report.community!r} from {report.source} to {report.target} "
         f"({report.total:,} rows).")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from copdesk.data.backup import check_file
    from copdesk.data.store import head_revision

    path = _store_file(args.db, "check")
    result = check_file(path)
    problems = result.problems

    def status(*starts: str) -> str:
        found = [p for p in problems if any(w in p for w in starts)]
        return "FAILED" if found else "ok"

    unreadable = any(w in p for p in problems
                     for w in ("not an SQLite", "cannot read", "cannot open"))
    _out(f"Checked {path}")
    if unreadable:
        _out("  not an SQLite database that can be read: nothing else checked")
    else:
        _out(f"  integrity:      {status('integrity check failed', 'damaged')}")
        _out(f"  foreign keys:   {status('broken references')}")
        head = head_revision()
        if result.revision is None:
            schema = "FAILED (none)"
        elif result.revision == head:
            schema = f"{result.revision} (current)"
        elif any("schema" in p for p in problems):
            schema = f"FAILED ({result.revision}, unknown to this copdesk)"
        else:
            schema = f"{result.revision} (upgraded to {head} when next opened)"
        _out(f"  schema version: {schema}")
        _out(f"  counts:         {_counts(result.counts)}")
    if problems:
        raise CliError(f"{path} has {'a problem' if len(problems) == 1 else 'problems'}: "
                       + "; ".join(problems))
    _out("No problems found.")
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
    except UsageError as exc:
        sub: argparse.ArgumentParser = getattr(args, "parser", parser)
        sub.error(str(exc))  # exits 2 with the command's usage
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
