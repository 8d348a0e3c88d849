"""``copdesk sessions list``, ``copdesk calendar`` and ``copdesk report session``, run as
real subprocesses against one demo store (the commands only read it)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from copdesk import cli
from copdesk.data import communities
from copdesk.data import sessions as S
from copdesk.data.demo import DEMO_NAME, create_demo
from copdesk.data.store import Store
from tests.cli.test_cli import Run, _run, failed, ok

pytestmark = pytest.mark.slow

BAD_ZONE = "Mars/Olympus_Mons"


@pytest.fixture
def run() -> Run:
    return _run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory,
       new_store_target: Callable[[Path], Path | str]) -> Iterator[Path | str]:
    """The demo community, and a second community whose one planned session has a time
    zone no calendar knows (written past the validation, as an old or foreign store might)."""
    path = new_store_target(tmp_path_factory.mktemp("sessions") / "store.sqlite")
    with Store.open(path) as store:
        store.run(create_demo, today=dt.date.today())
        cid = store.run(communities.create_community, "Second CoP")
        start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=10), dt.time(15))
        sid = store.run(S.create_session, cid, S.SessionData(
            "Tea & <talk> on the roof", start, "Europe/Vienna", 45))
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE cop_session SET time_zone = :zone WHERE id = :id"),
                         {"zone": BAD_ZONE, "id": sid})
    yield path


def demo_sessions(db: Path) -> list[S.SessionRow]:
    with Store.open(db) as store, store.session() as s:
        return S.list_sessions(s, communities.find_community(s, DEMO_NAME).id)


def test_report_kinds_match_the_builder() -> None:
    from copdesk.reports.session_reports import KINDS

    assert tuple(KINDS) == cli.SESSION_REPORT_KINDS


# --- sessions list ----------------------------------------------------------------------------
LINE = re.compile(
    r"^(\d+)\t(\d{4}-\d\d-\d\d \d\d:\d\d)(?: (\S+))?\t([^\t]+)\t(planned|held|cancelled)$"
)


def test_sessions_list(run: Run, db: Path, tmp_path: Path) -> None:
    out = ok(run("sessions", "list", "--db", db, "--community", DEMO_NAME))
    rows = {r.id: r for r in demo_sessions(db)}
    lines = out.splitlines()
    assert len(lines) == len(rows) >= 18
    instants = []
    for line in lines:
        match = LINE.match(line)
        assert match, line
        sid, when, zone, title, status = match.groups()
        row = rows[int(sid)]
        assert when == f"{row.starts_at:%Y-%m-%d %H:%M}"  # in the session's own zone
        assert zone == row.time_zone
        assert (title, status) == (row.title, row.status)
        instants.append(row.starts_at.replace(tzinfo=ZoneInfo(row.time_zone)))
    assert instants == sorted(instants)
    assert {line.split("\t")[3] for line in lines} == {"held", "planned", "cancelled"}

    failed(run("sessions", "list", "--db", db), "several communities", DEMO_NAME,
           "Second CoP")
    failed(run("sessions", "list", "--db", db, "--community", "Nope"),
           "no community named 'Nope'")
    failed(run("sessions", "list", "--db", tmp_path / "missing.sqlite"), "no store at")
    assert not (tmp_path / "missing.sqlite").exists()


# --- calendar -----------------------------------------------------------------------------------
def test_calendar_parses_back_with_time_zones(run: Run, db: Path, tmp_path: Path) -> None:
    import icalendar

    out_file = tmp_path / "cal" / "demo.ics"
    out_file.parent.mkdir()
    result = run("calendar", "--db", db, "--out", out_file, "--community", DEMO_NAME)
    planned = [r for r in demo_sessions(db) if r.status == "planned"]
    assert f"Wrote {len(planned)} sessions to {out_file}" in ok(result)
    assert result.stderr == ""
    assert list(out_file.parent.iterdir()) == [out_file]

    cal = icalendar.Calendar.from_ical(out_file.read_bytes())
    events = cal.walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(r.title for r in planned)
    zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    by_title = {r.title: r for r in planned}
    for event in events:
        row = by_title[str(event["SUMMARY"])]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert event["DTSTART"].params["TZID"] == row.time_zone in zones
        assert start.replace(tzinfo=None) == row.starts_at
        assert start.utcoffset() == row.aware_start.utcoffset()
        assert end - start == dt.timedelta(minutes=row.planned_minutes)
    assert {r.time_zone for r in planned} <= zones


def test_calendar_warnings_and_failures(run: Run, db: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "second.ics"
    result = run("calendar", "--db", db, "--out", out_file, "--community", "Second CoP")
    assert "Wrote 1 session to" in ok(result)
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith("copdesk: warning: ")
    assert "Tea & <talk> on the roof" in warnings[0] and BAD_ZONE in warnings[0]
    assert "UTC" in warnings[0]
    assert b"Tea & <talk> on the roof" in out_file.read_bytes()

    missing = tmp_path / "nope" / "x.ics"
    failed(run("calendar", "--db", db, "--out", missing, "--community", DEMO_NAME),
           "cannot write", "does not exist")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["second.ics"]


# --- report session -------------------------------------------------------------------------------
def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_report_session_run_sheet_and_summary(run: Run, db: Path, tmp_path: Path) -> None:
    with Store.open(db) as store, store.session() as s:
        cid = communities.find_community(s, DEMO_NAME).id
        actions = S.list_actions(s, cid)
        held = next(r for r in S.list_sessions(s, cid)
                    if r.status == "held" and any(a.session_id == r.id for a in actions))
        blocks = S.list_blocks(s, held.id)
        titles = [a.title for a in actions if a.session_id == held.id]
    sheet = tmp_path / "runsheet.pdf"
    out = ok(run("report", "session", "--session", held.id, "--kind", "runsheet",
                 "--db", db, "--out", sheet))
    assert f"session {held.id}" in out and str(sheet) in out
    text = _pdf_text(sheet)
    assert "run sheet" in text.lower()
    for block in blocks:
        assert block.title in text
    assert f"{held.starts_at:%H:%M}" in text

    summary = tmp_path / "summary.pdf"
    ok(run("report", "session", "--kind", "summary", "--session", held.id,
           "--out", summary, "--db", db))
    text = _pdf_text(summary)
    assert "session summary" in text.lower()
    assert "Attendance" in text and "Follow-up actions" in text
    for title in titles:
        assert title in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runsheet.pdf", "summary.pdf"]


def test_report_session_failures(run: Run, db: Path, tmp_path: Path) -> None:
    line = failed(run("report", "session", "--session", "99999", "--kind", "runsheet",
                      "--db", db, "--out", tmp_path / "x.pdf"))
    assert line == "copdesk: error: no session with id 99999"
    result = run("report", "session", "--session", "1", "--kind", "agenda", "--db", db,
                 "--out", tmp_path / "x.pdf")
    assert result.returncode == 2
    assert "usage: copdesk report session" in result.stderr
    assert "invalid choice: 'agenda'" in result.stderr
    assert "Traceback" not in result.stderr
    failed(run("report", "session", "--session", "1", "--kind", "summary", "--db", db,
               "--out", tmp_path / "nope" / "x.pdf"), "does not exist")
    failed(run("report", "session", "--session", "1", "--kind", "summary",
               "--db", tmp_path / "missing.sqlite", "--out", tmp_path / "x.pdf"),
           "no store at")
    assert list(tmp_path.iterdir()) == []


def test_report_help_lists_every_report(run: Run) -> None:
    out = ok(run("report", "--help"))
    for kind in ("roster", "session", "fitness", "values", "overview"):
        assert re.search(rf"^\s+{kind}\s+\S", out, re.MULTILINE), out
    out = ok(run("report", "session", "--help"))
    assert "runsheet" in out and "summary" in out and "--session" in out
