"""The ``copdesk`` command, run as a real subprocess (``python -m copdesk`` and the
installed entry point), checking stdout, stderr and exit status."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from copdesk import __version__
from copdesk.data import communities, members
from copdesk.data.demo import DEMO_NAME, create_demo
from copdesk.data.store import Store, head_revision
from copdesk.data.validation import MemberData

pytestmark = pytest.mark.slow

Run = Callable[..., subprocess.CompletedProcess[str]]


def _run(*args: str | Path, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "COPDESK_DEBUG"}
    full_env.update({"QT_QPA_PLATFORM": "offscreen", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "copdesk", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=cwd, env=full_env,
    )


@pytest.fixture
def run() -> Run:
    return _run


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def failed(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exit 1, exactly one ``copdesk: error:`` line (the last), no traceback."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("copdesk: error: ")]
    assert len(errors) == 1, result.stderr
    assert lines[-1] == errors[0]
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


def add(store_path: Path, name: str, **kw: object) -> int:
    with Store.open(store_path) as store:
        return store.run(communities.create_community, name, **kw)  # type: ignore[arg-type]


def roster(store_path: Path, community: str | None = None) -> list[members.MemberRow]:
    with Store.open(store_path) as store, store.session() as s:
        cid = communities.find_community(s, community).id
        return members.list_members(s, cid)


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


GOOD_CSV = (
    "Name;E-mail;Organisation;Level;Consent\n"
    "Zoë Dvořák;zoe@example.org;Rivers Trust;Core group;yes\n"
    "Łukasz Wiśniewski;lukasz@example.org;Vistula Water Works;active;no\n"
    "Bad Email;not-an-email;;;\n"
    "Ελένη Κωνσταντίνου;;Hellenic Water;;x\n"
    "Wrong Level;;;wizard;\n"
)


# --- version, usage ---------------------------------------------------------------------
def test_version(run: Run) -> None:
    assert ok(run("--version")) == f"copdesk {__version__}\n"


@pytest.mark.sqlite_only  # runs on a store file only
def test_installed_entry_point(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "copdesk"
    if not exe.exists():
        found = shutil.which("copdesk")
        assert found, "the copdesk entry point is not installed"
        exe = Path(found)
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout == f"copdesk {__version__}\n"
    store = tmp_path / "s.sqlite"
    result = subprocess.run([str(exe), "demo", "--db", str(store)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([str(exe), "communities", "--db", str(store)],
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.startswith(f"{DEMO_NAME}\t")


@pytest.mark.parametrize(
    "args",
    [
        ["bogus"],
        ["members"],
        ["members", "import"],
        ["members", "frobnicate", "x.csv"],
        ["report"],
        ["report", "roster", "--db", "x.sqlite"],  # --out is required
        ["communities", "--no-such-option"],
        ["sessions"],
        ["calendar", "--db", "x.sqlite"],  # --out is required
        ["report", "session", "--kind", "summary", "--out", "x.pdf"],  # --session too
        ["report", "fitness", "--db", "x.sqlite"],  # --out
        ["report", "values", "--out", "x.pdf", "--from", "2025-1-1x"],
        ["report", "overview", "--out", "x.pdf", "--to", "yesterday"],
        ["fitness"],
        ["values", "show"],
        ["backup", "--db", "x.sqlite"],  # --out
        ["restore", "--db", "x.sqlite"],  # --from
        ["check", "x.sqlite"],  # the store is --db
        ["demo", "--size", "huge"],
        ["demo", "--seed", "-1"],
        ["demo", "--seed", "seven"],
    ],
)
def test_wrong_usage_exits_2(run: Run, tmp_path: Path, args: list[str]) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "usage: copdesk" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_help(run: Run) -> None:
    out = ok(run("--help"))
    for command in ("communities", "demo", "members", "report", "sessions", "calendar",
                    "fitness", "values", "backup", "restore", "check"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.MULTILINE), command
    assert "--dry-run" in ok(run("members", "import", "--help"))


# --- communities and demo ----------------------------------------------------------------------
def test_communities_one_line_each_name_first(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    add(db, "Water CoP", host_organisation="Rivers Trust")
    add(db, "Évora Irrigators")
    out = ok(run("communities", "--db", db))
    lines = out.splitlines()
    assert sorted(line.split("\t")[0] for line in lines) == ["Water CoP", "Évora Irrigators"]
    water = next(line for line in lines if line.startswith("Water CoP\t")).split("\t")
    assert water[1] == "0 members"
    assert water[2] == "Rivers Trust"


@pytest.mark.sqlite_only  # a missing store file
def test_communities_on_a_missing_store_creates_nothing(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "missing.sqlite"
    failed(run("communities", "--db", db), "no store at", str(db))
    assert not db.exists()


def test_empty_store_lists_nothing(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    Store.open(db).close()
    result = run("communities", "--db", db)
    assert ok(result) == ""
    assert "no community" in result.stderr


_TINY_DEMO = (
    "import sys\n"
    "import copdesk.cli as cli\n"
    "cli.DEMO_SIZES = (*cli.DEMO_SIZES, 'tiny')  # the large demo's size for tests\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def test_demo_size_and_seed(tmp_path: Path) -> None:
    """``--size`` and ``--seed`` reach the large demo (its ``tiny`` size keeps this quick)."""
    try:
        from copdesk.data.demo_large import create_large_demo  # noqa: F401
    except ImportError:  # pragma: no cover - until the large demo lands
        pytest.skip("copdesk.data.demo_large is not there yet")
    db = tmp_path / "s.sqlite"
    result = _run_code(_TINY_DEMO, "demo", "--size", "tiny", "--seed", "5", "--db", str(db))
    out = ok(result)
    assert re.fullmatch(r"Created the tiny demo community '.+' with 100 members and "
                        r"20 sessions\.\n", out), out
    with Store.open(db) as store, store.session() as s:
        infos = communities.list_communities(s)
    assert [i.member_count for i in infos] == [100]
    assert "seed 5" in infos[0].name
    # The same size and seed again: refused, the store unchanged.
    failed(_run_code(_TINY_DEMO, "demo", "--db", str(db), "--size", "tiny", "--seed", "5"),
           "already")
    # A different seed is another community beside it.
    ok(_run_code(_TINY_DEMO, "demo", "--size", "tiny", "--seed", "6", "--db", str(db)))
    with Store.open(db) as store, store.session() as s:
        assert len(communities.list_communities(s)) == 2


def test_demo_then_refuse_a_second(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    out = ok(run("demo", "--db", db))
    assert DEMO_NAME in out
    assert "62 members" in out
    assert re.search(r"and \d\d sessions", out)
    lines = ok(run("communities", "--db", db)).splitlines()
    assert len(lines) == 1
    name, count, host, *rest = lines[0].split("\t")
    assert name == DEMO_NAME and count == "62 members" and host and "demo" in rest
    failed(run("demo", "--db", db), "already has the demo community")
    assert len(roster(db)) == 62


@pytest.mark.sqlite_only  # an sqlite:/// URL for a file
def test_db_before_the_command_and_as_url(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    add(db, "Water CoP")
    assert ok(run("--db", db, "communities")).startswith("Water CoP\t")
    assert ok(run("communities", "--db", f"sqlite:///{db}")).startswith("Water CoP\t")


def test_bad_url(run: Run) -> None:
    failed(run("communities", "--db", "nosuchdialect://x/y"), "cannot open")


# --- stores copdesk must refuse -----------------------------------------------------------------
def make_newer_store(db: Path | str) -> bytes | list[tuple[object, ...]]:
    add(db, "Water CoP")
    with Store.open(db) as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num='9999'"))
    return fingerprint(db)


def fingerprint(db: Path | str) -> bytes | list[tuple[object, ...]]:
    """The file's bytes, or every row of a server store (read without copdesk)."""
    if isinstance(db, Path):
        return db.read_bytes()
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return [
                (name, *row)
                for name in sorted(inspect(conn).get_table_names())
                for row in conn.execute(text(f'SELECT * FROM "{name}"')).all()
            ]
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ["communities"],
        ["demo"],
        ["members", "export", "OUT/x.csv"],
        ["members", "import", "IN.csv"],
        ["report", "roster", "--out", "OUT/x.pdf"],
        ["report", "session", "--session", "1", "--kind", "runsheet", "--out", "OUT/x.pdf"],
        ["sessions", "list"],
        ["calendar", "--out", "OUT/x.ics"],
    ],
)
def test_newer_store_is_refused_untouched(run: Run, tmp_path: Path, args: list[str],
                                         store_path: Path | str) -> None:
    db = store_path
    before = make_newer_store(db)
    (tmp_path / "OUT").mkdir()
    write_csv(tmp_path / "IN.csv", "Name\nAna\n")
    args = [a.replace("OUT", str(tmp_path / "OUT")).replace("IN.csv", str(tmp_path / "IN.csv"))
            for a in args]
    line = failed(run(*args, "--db", db), "9999", head_revision(), "newer")
    assert "copdesk" in line
    assert fingerprint(db) == before
    assert list((tmp_path / "OUT").iterdir()) == []
    assert not list(tmp_path.glob("*.bak"))


@pytest.mark.sqlite_only  # a file that is not a database
def test_not_a_database(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("just some notes\n", encoding="utf-8")
    failed(run("communities", "--db", db), "not a copdesk store")
    failed(run("members", "import", db, "--db", db), "not a copdesk store")
    assert db.read_text(encoding="utf-8") == "just some notes\n"


@pytest.mark.sqlite_only  # a folder given as the store
def test_store_is_a_folder(run: Run, tmp_path: Path) -> None:
    failed(run("demo", "--db", tmp_path), "is a folder")


# --- members import -------------------------------------------------------------------------------
def test_import_into_an_empty_store_creates_the_default_community(run: Run,
                                                                   tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    csv_path = write_csv(tmp_path / "people.csv", GOOD_CSV)
    result = run("members", "import", csv_path, "--db", db)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Read 5 rows" in out
    assert "valid:      3" in out
    assert "invalid:    2" in out
    assert f"Created the community {communities.DEFAULT_COMMUNITY_NAME!r}" in out
    assert "Imported 3 members" in out
    err = result.stderr.splitlines()
    assert err[0].startswith(f"{csv_path}:4: E-mail: Not a valid email address")
    assert err[1].startswith(f"{csv_path}:6: Level: unknown participation level 'wizard'")
    assert len(err) == 2
    assert "copdesk: error" not in result.stderr
    rows = roster(db)
    assert sorted(r.full_name for r in rows) == [
        "Zoë Dvořák", "Łukasz Wiśniewski", "Ελένη Κωνσταντίνου",
    ]
    zoe = next(r for r in rows if r.full_name == "Zoë Dvořák")
    assert zoe.level == "core" and zoe.consent and zoe.organisation == "Rivers Trust"


def test_import_names_the_new_community(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    csv_path = write_csv(tmp_path / "p.csv", "Name\nAna\n", "cp1252")
    out = ok(run("members", "import", csv_path, "--db", db, "--community", "Río Verde"))
    assert "Created the community 'Río Verde'" in out
    assert [r.full_name for r in roster(db, "Río Verde")] == ["Ana"]


def test_import_cp1252_semicolon(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    add(db, "Water CoP")
    csv_path = write_csv(tmp_path / "p.csv", "Nom;Courriel\nFrançois Lefèvre;f@example.fr\n",
                         "cp1252")
    out = ok(run("members", "import", csv_path, "--db", db))
    assert "cp1252, semicolon-separated" in out
    assert [r.full_name for r in roster(db)] == ["François Lefèvre"]


def test_reimport_reports_duplicates_and_adds_nothing(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    csv_path = write_csv(tmp_path / "people.csv", GOOD_CSV)
    ok(run("members", "import", csv_path, "--db", db))
    result = run("members", "import", csv_path, "--db", db)
    line = failed(result, "nothing imported", "2 invalid", "3 duplicates")
    assert line
    assert "line 2: Zoë Dvořák is already in the community as Zoë Dvořák" in result.stdout
    assert len(roster(db)) == 3


@pytest.mark.sqlite_only  # no store file is created
def test_dry_run_writes_nothing(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    csv_path = write_csv(tmp_path / "people.csv", GOOD_CSV)
    out = ok(run("members", "import", csv_path, "--db", db, "--dry-run"))
    assert "Dry run: 3 members would be imported" in out
    assert "Would create the community" in out
    assert not db.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.csv"]

    add(db, "Water CoP")
    before = len(roster(db))
    out = ok(run("members", "import", csv_path, "--db", db, "--dry-run"))
    assert "nothing was written" in out
    assert len(roster(db)) == before == 0


def test_import_with_no_valid_row_exits_1(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    add(db, "Water CoP")
    csv_path = write_csv(tmp_path / "bad.csv", "Name,Email\n,a@example.org\nB,nope\n")
    result = run("members", "import", csv_path, "--db", db)
    failed(result, "nothing imported", "2 invalid")
    assert f"{csv_path}:2: Name: Full name is required" in result.stderr
    assert f"{csv_path}:3: Email: Not a valid email address" in result.stderr
    assert roster(db) == []


def test_import_header_only(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    add(db, "Water CoP")
    failed(run("members", "import", write_csv(tmp_path / "h.csv", "Name\n"), "--db", db),
           "no member rows")


def test_import_into_a_store_with_several_communities(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    add(db, "Water CoP")
    add(db, "Sanitation CoP")
    csv_path = write_csv(tmp_path / "p.csv", "Name\nAna\n")
    failed(run("members", "import", csv_path, "--db", db),
           "several communities", "--community", "Water CoP", "Sanitation CoP")
    failed(run("members", "import", csv_path, "--db", db, "--community", "Nope"),
           "no community named 'Nope'", "Water CoP", "Sanitation CoP")
    ok(run("members", "import", csv_path, "--db", db, "--community", "sanitation cop"))
    assert [r.full_name for r in roster(db, "Sanitation CoP")] == ["Ana"]
    assert roster(db, "Water CoP") == []


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "no such file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        (b"", "is empty"),
        (b"Email,Company\na@example.org,Acme\n", "no column for the member's name"),
    ],
)
def test_import_bad_files(run: Run, tmp_path: Path, content: bytes | None,
                          fragment: str, store_path: Path | str) -> None:
    db = store_path
    add(db, "Water CoP")
    csv_path = tmp_path / "in.csv"
    if content is not None:
        csv_path.write_bytes(content)
    failed(run("members", "import", csv_path, "--db", db), fragment)
    assert roster(db) == []


# --- members export ------------------------------------------------------------------------------
def test_export_and_import_back(run: Run, tmp_path: Path, store_path: Path | str,
                                new_store_target: Callable[[Path], Path | str]) -> None:
    db = store_path
    with Store.open(db) as store:
        store.run(create_demo, today=dt.date.today())
    out_csv = tmp_path / "roster.csv"
    out = ok(run("members", "export", out_csv, "--db", db))
    assert f"Exported 62 members of {DEMO_NAME!r}" in out
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")

    other = new_store_target(tmp_path / "other.sqlite")
    out = ok(run("members", "import", out_csv, "--db", other, "--community", "Copy"))
    assert "Imported 62 members" in out
    assert [r.to_data() for r in roster(other)] == [r.to_data() for r in roster(db)]


def test_export_failures(run: Run, tmp_path: Path, store_path: Path | str,
                        new_store_target: Callable[[Path], Path | str]) -> None:
    db = store_path
    add(db, "Water CoP")
    failed(run("members", "export", tmp_path / "nope" / "x.csv", "--db", db), "does not exist")
    failed(run("members", "export", tmp_path, "--db", db), "is a folder")
    failed(run("members", "export", tmp_path / "x.csv", "--db", db, "--community", "Nope"),
           "no community named 'Nope'")
    assert not (tmp_path / "x.csv").exists()
    empty = new_store_target(tmp_path / "empty.sqlite")
    Store.open(empty).close()
    failed(run("members", "export", tmp_path / "y.csv", "--db", empty), "no community yet")
    failed(run("members", "export", tmp_path / "z.csv", "--db", tmp_path / "missing.sqlite"),
           "no store at")


# --- report roster ---------------------------------------------------------------------------------
def _demo_store(db: Path | str) -> Path | str:
    with Store.open(db) as store:
        store.run(create_demo, today=dt.date.today())
        cid = store.run(communities.create_community, "Second CoP")
        store.run(members.add_member, cid, MemberData(full_name="Only Member", consent=True))
    return db


def test_report_roster(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    from pypdf import PdfReader

    db = _demo_store(store_path)
    pdf = tmp_path / "out" / "roster.pdf"
    pdf.parent.mkdir()
    out = ok(run("report", "roster", "--db", db, "--out", pdf, "--community", DEMO_NAME))
    assert str(pdf) in out
    assert pdf.read_bytes().startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert DEMO_NAME in text
    assert "Zoë Martin" in text
    assert list(pdf.parent.iterdir()) == [pdf]


def test_report_roster_failures(run: Run, tmp_path: Path, store_path: Path | str) -> None:
    db = _demo_store(store_path)
    failed(run("report", "roster", "--db", db, "--out", tmp_path / "r.pdf"),
           "several communities", DEMO_NAME, "Second CoP")
    failed(run("report", "roster", "--db", db, "--out", tmp_path / "nope" / "r.pdf",
               "--community", "Second CoP"))
    assert not (tmp_path / "nope").exists()
    assert not (tmp_path / "r.pdf").exists()


# --- unexpected errors and Qt -------------------------------------------------------------------------
_BROKEN = (
    "import sys\n"
    "import copdesk.data.communities as c\n"
    "def boom(session):\n"
    "    raise RuntimeError('disk on fire\\nsecond line')\n"
    "c.list_communities = boom\n"
    "from copdesk.cli import main\n"
    "sys.exit(main(['communities', '--db', sys.argv[1]]))\n"
)


def _run_code(code: str, *args: str, debug: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COPDESK_DEBUG"}
    if debug:
        env["COPDESK_DEBUG"] = "1"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_unexpected_error_is_one_line(tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    add(db, "Water CoP")
    result = _run_code(_BROKEN, str(db))
    line = failed(result, "unexpected error", "RuntimeError: disk on fire second line")
    assert line.startswith("copdesk: error: unexpected error:")


def test_unexpected_error_traceback_with_debug(tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    add(db, "Water CoP")
    result = _run_code(_BROKEN, str(db), debug=True)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "RuntimeError: disk on fire" in result.stderr


def test_headless_commands_never_import_qt(tmp_path: Path, store_path: Path | str) -> None:
    db = store_path
    csv_path = write_csv(tmp_path / "p.csv", "Name\nAna\n")
    code = (
        "import sys\n"
        "from copdesk.cli import main\n"
        "db, csv = sys.argv[1], sys.argv[2]\n"
        "assert main(['demo', '--db', db]) == 0\n"
        "assert main(['communities', '--db', db]) == 0\n"
        "assert main(['members', 'import', csv, '--db', db, '--community', "
        f"{DEMO_NAME!r}]) == 0\n"
        "assert main(['members', 'export', csv + '.out', '--db', db]) == 0\n"
        "assert main(['sessions', 'list', '--db', db]) == 0\n"
        "assert main(['calendar', '--db', db, '--out', csv + '.ics']) == 0\n"
        "assert main(['report', 'session', '--session', '1', '--kind', 'runsheet', "
        "'--db', db, '--out', csv + '.pdf']) == 0\n"
        "print('QT', sorted(m for m in sys.modules if m.startswith(('PySide6', 'copdesk.ui'))))\n"
    )
    result = _run_code(code, str(db), str(csv_path))
    assert result.returncode == 0, result.stderr
    assert "QT []" in result.stdout
