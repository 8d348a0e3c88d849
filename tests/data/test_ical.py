"""The iCalendar export, parsed back with the icalendar package."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from copdesk.data import members
from copdesk.data import sessions as S
from copdesk.data.files import WriteError, write_bytes_atomically
from copdesk.data.ical import calendar_ics
from copdesk.data.models import CopSession
from copdesk.data.store import Store
from copdesk.data.validation import MemberData


def test_planned_sessions_round_trip_with_time_zones(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    ada = store.run(members.add_member, community_id, MemberData(full_name="Ada"))
    paris = store.run(
        S.create_session,
        community_id,
        S.SessionData("R&D <lead> clinic; part 1", dt.datetime(2026, 7, 1, 14, 0), "Europe/Paris",
                      90, purpose="Peer assist", location="Room 2, Lyon", facilitator_ids=(ada,)),
        [S.BlockData("Welcome", 10, "convenes_people", "check_in"),
         S.BlockData("Clinic", 60, "problem_solves", "peer_assist")],
    )
    tokyo = store.run(
        S.create_session,
        community_id,
        S.SessionData("Asia call", dt.datetime(2026, 12, 3, 9, 30), "Asia/Tokyo", 60, space="private"),
    )
    store.run(
        S.create_session,
        community_id,
        S.SessionData("Already held", dt.datetime(2026, 1, 3, 9, 30), "UTC", 60, status="held"),
    )
    with store.session() as s:
        export = calendar_ics(s, community_id)
    out = write_bytes_atomically(tmp_path / "cop.ics", export.data)
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert export.events == 2 and export.warnings == ()
    assert set(events) == {f"session-{paris}@water-cop.copdesk", f"session-{tokyo}@water-cop.copdesk"}
    e = events[f"session-{paris}@water-cop.copdesk"]
    assert str(e["summary"]) == "R&D <lead> clinic; part 1"
    start = e.decoded("dtstart")
    assert start == dt.datetime(2026, 7, 1, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert start.astimezone(dt.UTC).hour == 12  # summer time in Paris
    assert e.decoded("dtend") - start == dt.timedelta(minutes=90)
    assert "14:10 Clinic - 60 min (Problem solves, Peer assist)" in str(e["description"])
    assert str(e["location"]) == "Room 2, Lyon"
    tz_ids = {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")}
    assert tz_ids == {"Europe/Paris", "Asia/Tokyo"}
    assert str(events[f"session-{tokyo}@water-cop.copdesk"]["class"]) == "PRIVATE"


def test_a_session_without_a_valid_zone_is_exported_in_utc_with_a_warning(
    store: Store, community_id: int
) -> None:
    sid = store.run(
        S.create_session, community_id, S.SessionData("Zone-less", dt.datetime(2026, 5, 5, 10), "UTC")
    )
    with store.session() as s, s.begin():  # an old or hand-edited row
        s.get_one(CopSession, sid).time_zone = ""
    with store.session() as s:
        export = calendar_ics(s, community_id)
    assert len(export.warnings) == 1 and "exported as UTC" in export.warnings[0]
    (event,) = icalendar.Calendar.from_ical(export.data).walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime(2026, 5, 5, 10, tzinfo=ZoneInfo("UTC"))


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="does not exist"):
        write_bytes_atomically(tmp_path / "missing" / "x.ics", b"data")
    target = tmp_path / "keep.ics"
    target.write_bytes(b"earlier")
    with pytest.raises(WriteError, match="is a folder"):
        write_bytes_atomically(tmp_path, b"data")
    assert target.read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.ics"]
