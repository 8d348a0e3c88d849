"""``copdesk fitness list``, ``copdesk values list`` and the fitness, value and overview
reports, run as real subprocesses against one demo store (the commands only read it)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from copdesk.data import communities
from copdesk.data import fitness as F
from copdesk.data import values as V
from copdesk.data.demo import DEMO_NAME, create_demo
from copdesk.data.store import Store
from tests.cli.test_cli import Run, _run, _run_code, failed, ok

pytestmark = pytest.mark.slow

TODAY = dt.date.today()


@pytest.fixture
def run() -> Run:
    return _run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory,
       new_store_target: Callable[[Path], Path | str]) -> Iterator[Path | str]:
    """The demo community and an empty second community (a file, or a server database)."""
    path = new_store_target(tmp_path_factory.mktemp("fitval") / "store.sqlite")
    with Store.open(path) as store:
        store.run(create_demo, today=TODAY)
        store.run(communities.create_community, "Second CoP")
    yield path


def demo_rows(db: Path | str) -> tuple[list[F.AssessmentRow], list[V.EntryRow]]:
    with Store.open(db) as store, store.session() as s:
        cid = communities.find_community(s, DEMO_NAME).id
        return F.list_assessments(s, cid), V.list_entries(s, cid)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def usage_error(result: subprocess.CompletedProcess[str], command: str, *fragments: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert f"usage: copdesk {command}" in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"copdesk {command}: error: ")
    for fragment in fragments:
        assert fragment in last, last
    return last


# --- lists ------------------------------------------------------------------------------------
FITNESS_LINE = re.compile(r"^(\d+)\t(\d{4}-\d\d-\d\d)\t([^\t]+)\t(\d{1,3}%|-)\t(final|draft)$")
VALUE_LINE = re.compile(r"^(\d+)\t(\d{4}-\d\d-\d\d)\t([^\t]+)\t([^\t]+ value)\t([^\t]+)$")


def test_fitness_and_values_lists(run: Run, db: Path | str, tmp_path: Path) -> None:
    assessments, entries = demo_rows(db)

    out = ok(run("fitness", "list", "--db", db, "--community", DEMO_NAME))
    lines = out.splitlines()
    assert len(lines) == len(assessments) == 5
    for line, row in zip(lines, assessments, strict=True):
        match = FITNESS_LINE.match(line)
        assert match, line
        aid, day, checklist, score, status = match.groups()
        assert (int(aid), day, checklist, status) == (
            row.id, row.held_on.isoformat(), row.checklist_label, row.status)
        assert row.overall is not None and score == f"{round(row.overall * 100)}%"
    days = [line.split("\t")[1] for line in lines]
    assert days == sorted(days, reverse=True)  # newest first
    assert lines[0].endswith("\tdraft") and "Fitness test" in lines[0]
    assert "Design principles review" in out

    out = ok(run("values", "list", "--community", DEMO_NAME, "--db", db))
    lines = out.splitlines()
    assert len(lines) == len(entries) >= 35
    for line, entry in zip(lines, entries, strict=True):
        match = VALUE_LINE.match(line)
        assert match, line
        assert match.groups() == (str(entry.id), entry.entry_date.isoformat(), entry.kind_label,
                                  entry.cycle_label, entry.title)
    assert len({line.split("\t")[2] for line in lines}) == 10  # every kind of value

    # A community with nothing yet: a word on stderr, nothing on stdout, exit 0.
    for command, noun in (("fitness", "fitness assessments"), ("values", "value entries")):
        result = run(command, "list", "--db", db, "--community", "Second CoP")
        assert ok(result) == ""
        assert result.stderr == f"copdesk: 'Second CoP' has no {noun} yet\n"
    failed(run("fitness", "list", "--db", db), "several communities", DEMO_NAME)
    failed(run("values", "list", "--db", db, "--community", "Nope"), "no community named 'Nope'")
    missing = tmp_path / "missing.sqlite"
    failed(run("values", "list", "--db", missing), "no store at")
    failed(run("fitness", "list", "--db", missing), "no store at")
    assert not missing.exists()


# --- reports ----------------------------------------------------------------------------------
def test_report_fitness_latest_and_chosen(run: Run, db: Path | str, tmp_path: Path) -> None:
    assessments, _ = demo_rows(db)
    latest, first = assessments[0], assessments[-1]
    pdf = tmp_path / "fitness.pdf"
    out = ok(run("report", "fitness", "--db", db, "--out", pdf, "--community", DEMO_NAME))
    assert out == (f"Wrote the fitness report of {DEMO_NAME!r} (Fitness test of "
                   f"{latest.held_on.isoformat()}, a draft) to {pdf}.\n")
    text = _pdf_text(pdf)
    assert DEMO_NAME in text and "draft" in text.lower()
    assert "Is listening to others a cardinal virtue?" in text
    assert "Waiting for the sponsor's answer on next year's budget" in text

    chosen = tmp_path / "first.pdf"
    out = ok(run("report", "fitness", "--assessment", first.id, "--out", chosen,
                 "--community", DEMO_NAME, "--db", db))
    assert f"of {first.held_on.isoformat()}) to {chosen}" in out
    text = _pdf_text(chosen)
    assert "The host's annual report does not mention the community." in text
    assert "(draft)" not in text

    line = failed(run("report", "fitness", "--assessment", "99999", "--out", tmp_path / "x.pdf",
                      "--community", DEMO_NAME, "--db", db))
    assert "99999" in line
    failed(run("report", "fitness", "--out", tmp_path / "x.pdf", "--community", "Second CoP",
               "--db", db), "no")
    failed(run("report", "fitness", "--out", tmp_path / "nope" / "x.pdf",
               "--community", DEMO_NAME, "--db", db), "does not exist")
    usage_error(run("report", "fitness", "--assessment", "latest", "--out", tmp_path / "x.pdf",
                    "--db", db), "report fitness", "--assessment", "'latest'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.pdf", "fitness.pdf"]


def test_report_values_for_a_period(run: Run, db: Path | str, tmp_path: Path) -> None:
    _, entries = demo_rows(db)
    with Store.open(db) as store, store.session() as s:
        stories = V.list_stories(s, communities.find_community(s, DEMO_NAME).id)
    pdf = tmp_path / "values.pdf"
    out = ok(run("report", "values", "--db", db, "--out", pdf, "--community", DEMO_NAME))
    assert out == f"Wrote the value report of {DEMO_NAME!r} (all time) to {pdf}.\n"
    text = _pdf_text(pdf)
    assert "Value matrix" in text or "value matrix" in text.lower()
    for story in stories:
        assert story.title in text
    assert "EUR saved" in text

    days = sorted(e.entry_date for e in entries)
    start, end = days[len(days) // 2], days[-1]
    period = tmp_path / "period.pdf"
    out = ok(run("report", "values", "--db", db, "--out", period, "--community", DEMO_NAME,
                 "--from", start.isoformat(), "--to", end.isoformat()))
    assert f"(from {start.isoformat()} to {end.isoformat()})" in out
    assert period.read_bytes().startswith(b"%PDF")
    assert len(period.read_bytes()) < len(pdf.read_bytes())

    # Wrong dates: usage errors (exit 2) naming the date; a reversed period: exit 1.
    usage_error(run("report", "values", "--db", db, "--out", tmp_path / "x.pdf",
                    "--from", "2025-02-30"), "report values", "--from", "'2025-02-30'",
                "YYYY-MM-DD")
    usage_error(run("report", "values", "--db", db, "--out", tmp_path / "x.pdf",
                    "--to", "31/12/2025"), "report values", "--to", "'31/12/2025'")
    line = failed(run("report", "values", "--db", db, "--out", tmp_path / "x.pdf",
                      "--community", DEMO_NAME, "--from", "2025-06-01", "--to", "2025-01-01"))
    assert line == ("copdesk: error: the period starts (2025-06-01) after it ends "
                    "(2025-01-01); swap --from and --to")
    failed(run("report", "values", "--db", tmp_path / "missing.sqlite",
               "--out", tmp_path / "x.pdf"), "no store at")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["period.pdf", "values.pdf"]


def test_report_overview(run: Run, db: Path | str, tmp_path: Path) -> None:
    try:
        from copdesk.reports.overview import SECTIONS
    except ImportError:  # pragma: no cover - until the overview report lands
        pytest.skip("copdesk.reports.overview is not there yet")
    pdf = tmp_path / "overview.pdf"
    out = ok(run("report", "overview", "--db", db, "--out", pdf, "--community", DEMO_NAME,
                 "--from", (TODAY - dt.timedelta(days=365)).isoformat()))
    assert out.startswith(f"Wrote the overview of {DEMO_NAME!r} (from ")
    text = _pdf_text(pdf)
    assert DEMO_NAME in text

    some = tmp_path / "some.pdf"
    ok(run("report", "overview", "--db", db, "--out", some, "--community", DEMO_NAME,
           "--sections", f"{SECTIONS[0]}, {SECTIONS[-1]}"))
    assert len(some.read_bytes()) < len(pdf.read_bytes())

    last = usage_error(run("report", "overview", "--db", db, "--out", tmp_path / "x.pdf",
                           "--community", DEMO_NAME, "--sections", f"{SECTIONS[0]},bogus"),
                       "report overview", "unknown section 'bogus'")
    assert last.endswith(", ".join(SECTIONS))
    usage_error(run("report", "overview", "--db", db, "--out", tmp_path / "x.pdf",
                    "--sections", " , "), "report overview", "choose from")
    failed(run("report", "overview", "--db", db, "--out", tmp_path / "x.pdf",
               "--community", DEMO_NAME, "--from", "2025-06-01", "--to", "2025-01-01"),
           "after it ends")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["overview.pdf", "some.pdf"]


def test_reports_never_import_qt(db: Path | str, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from copdesk.cli import main\n"
        "db, out = sys.argv[1], sys.argv[2]\n"
        f"c = ['--community', {DEMO_NAME!r}]\n"
        "assert main(['fitness', 'list', '--db', db, *c]) == 0\n"
        "assert main(['values', 'list', '--db', db, *c]) == 0\n"
        "assert main(['report', 'fitness', '--db', db, '--out', out + '/f.pdf', *c]) == 0\n"
        "assert main(['report', 'values', '--db', db, '--out', out + '/v.pdf', *c]) == 0\n"
        "print('QT', sorted(m for m in sys.modules if m.startswith(('PySide6', 'copdesk.ui'))))\n"
    )
    result = _run_code(code, str(db), str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "QT []" in result.stdout
