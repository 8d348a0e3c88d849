"""copdesk at scale: the benchmark behind ``make bench`` (issue 8).

Builds the large (and xlarge) demo stores once into ``benchmarks/.cache``, then measures
each figure as the median of several runs, beside a bare baseline measured in the same
run on the same machine, and prints one table (also written to ``benchmarks/RESULTS.md``).

    python benchmarks/run.py [--quick] [--runs N] [--no-write]

``--quick`` skips the xlarge store (and so the growth column). Cold start and memory are
measured in fresh subprocesses (``--child`` runs one probe and prints JSON lines); the
rest run in a subprocess per store so that one probe's caches never help another.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
RESULTS = HERE / "RESULTS.md"
SEED = 1
sys.path.insert(0, str(ROOT))


# --- results ---------------------------------------------------------------------------
@dataclass
class Row:
    name: str
    unit: str  # "s" or "MB"
    ours: dict[str, float] = field(default_factory=dict)  # size -> median
    base: dict[str, float] = field(default_factory=dict)
    target: float | None = None  # ratio ours/base allowed
    note: str = ""
    extra: dict[str, float] = field(default_factory=dict)  # size -> data MB (memory)

    def ratio(self, size: str) -> float | None:
        """ours ÷ bare; for memory (ours − the data itself) ÷ bare, the figure the target
        "at most 1.5 × the bare window plus the data itself" bounds."""
        if size not in self.ours or not self.base.get(size):
            return None
        return (self.ours[size] - self.extra.get(size, 0.0)) / self.base[size]

    def ok(self, size: str) -> bool | None:
        r = self.ratio(size)
        if r is None or self.target is None:
            return None
        if self.extra.get(size):  # memory: ours <= target * bare + data
            return self.ours[size] <= self.target * self.base[size] + self.extra[size]
        return r <= self.target


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


# --- the stores ------------------------------------------------------------------------
def cache_key() -> str:
    src = (ROOT / "copdesk" / "data" / "demo_large.py").read_bytes()
    revs = sorted(p.name for p in (ROOT / "copdesk/data/migrations/versions").glob("0*.py"))
    return hashlib.sha1(src + "|".join(revs).encode()).hexdigest()[:10]


def build_store(size: str) -> Path:
    """The size's store in the cache, built when missing (or when the generator changed)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{size}-seed{SEED}-{cache_key()}.sqlite"
    if path.exists():
        return path
    for old in CACHE.glob(f"{size}-seed*.sqlite*"):
        old.unlink()
    from copdesk.data.demo_large import create_large_demo
    from copdesk.data.store import Store

    t = time.perf_counter()
    tmp = path.with_suffix(".building")
    for p in tmp.parent.glob(tmp.name + "*"):
        p.unlink()
    with Store.open(tmp) as store:
        store.run(create_large_demo, size=size, seed=SEED)
    os.replace(tmp, path)
    print(f"  built the {size} store in {time.perf_counter() - t:.1f} s: {path.name}", flush=True)
    return path


def fresh_copy(src: Path, folder: Path) -> Path:
    """A copy the probe may lock, migrate and back up without touching the cache."""
    dst = folder / "store.sqlite"
    for p in folder.glob("store.sqlite*"):
        p.unlink()
    shutil.copyfile(src, dst)
    return dst


def child_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(folder / name.lower())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def run_child(args: list[str], folder: Path, timeout: float = 600) -> tuple[float, dict[str, Any]]:
    """Run a probe; returns (seconds from spawn to its "ready" line, its JSON results)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(folder)
    )
    assert proc.stdout is not None
    ready = None
    out: dict[str, Any] = {}
    marks: dict[str, float] = {}
    out["marks"] = marks
    for line in proc.stdout:
        if line.startswith("READY") and ready is None:
            ready = time.perf_counter() - t0
        elif line.startswith("MARK "):  # another moment, also timed from the spawn
            marks[line.split()[1]] = time.perf_counter() - t0
        elif line.startswith("{"):
            out.update(json.loads(line))
    _, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0 or ready is None:
        raise RuntimeError(f"probe {args[0]} failed ({proc.returncode}):\n{err[-3000:]}")
    return ready, out


# --- probes (each runs in its own process) -------------------------------------------------
def _guard_none_refcount() -> None:
    """Work around a PySide6 6.12 bug on Python < 3.12 for the probes' short lives.

    There every call of a Qt method returning void (``QLabel.setText``...) takes one
    reference from ``None`` without giving it back; on 3.11 ``None`` is not immortal, so
    after ~30,000 calls Python aborts ("none_dealloc: deallocating None"). The filter
    probe alone makes that many. The app needs the real fix (Python 3.12+ or another
    PySide6); the benchmark only lends ``None`` enough references to finish.
    """
    if sys.version_info >= (3, 12):
        return
    import ctypes

    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40


def rss_mb() -> float:
    """This process's peak resident memory, in MB.

    Linux's ``VmHWM`` (the peak of this program's own memory) rather than ``ru_maxrss``:
    a child started by ``subprocess`` inherits in ``ru_maxrss`` the resident size its
    parent had when it was spawned (the kernel keeps the larger of the two across the
    exec), which made the bare window look as big as this benchmark's own process.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _on_first_paint(widget: Any, callback: Callable[[], None]) -> None:
    """``callback`` once the event loop is free after ``widget``'s first paint (the bare
    twin of ``copdesk.ui.app.after_first_paint``, so the bare probe imports only Qt)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Filter(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, callback)
            return False

    widget._first_paint = Filter(widget)
    widget.installEventFilter(widget._first_paint)


def probe_start_bare(with_sqlalchemy: str = "") -> None:
    """The bare window; with "sqlalchemy", SQLAlchemy's ORM and SQLite dialect imported too
    (for scale: the memory copdesk's chosen data toolkit takes before it holds any data),
    with PySide6's import hook kept from caching SQLAlchemy's sources, as copdesk does."""
    from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget

    if with_sqlalchemy:
        from copdesk.ui.pyside_sources import read_sources_without_keeping

        read_sources_without_keeping()
        import sqlalchemy.dialects.sqlite
        import sqlalchemy.orm  # noqa: F401

    app = QApplication([])
    window = QMainWindow()
    tabs = QTabWidget()
    for title in ("Members", "Sessions", "Fitness", "Value"):
        tabs.addTab(QWidget(), title)
    window.setCentralWidget(tabs)
    window.resize(1280, 800)

    def done() -> None:
        print("READY", flush=True)
        print(json.dumps({"rss": rss_mb()}), flush=True)
        os._exit(0)

    _on_first_paint(window, done)
    window.show()
    app.exec()


def _open_window(db: str) -> tuple[Any, Any]:
    """The whole window on ``db``, built at once (for the probes that time what follows)."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from copdesk.ui.app import build_main_window, configure_application

    configure_application(app)
    settings = QSettings(str(Path(db).with_name("settings.ini")), QSettings.Format.IniFormat)
    window = build_main_window(db, settings)
    assert window is not None
    window.show()
    return app, window


def _wait_until(app: Any, ready: Callable[[], bool], timeout: float = 300) -> None:
    end = time.perf_counter() + timeout
    while not ready():
        if time.perf_counter() > end:
            raise TimeoutError("the window did not finish loading")
        app.processEvents()
        time.sleep(0.005)


def _tab_loading(page: Any) -> bool:
    """Whether a tab is still loading its rows (tabs that load off the UI thread say so)."""
    loading = getattr(page, "loading", None)
    return bool(loading() if callable(loading) else loading)


def probe_start_copdesk(db: str) -> None:
    """The app's own start-up path (``run_gui``): the frame paints first, the store and
    the first tab's rows follow. READY = the first paint; MARK whole = the rows show."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from copdesk.ui.app import after_first_paint, configure_application, start_main_window

    configure_application(app)
    settings = QSettings(str(Path(db).with_name("settings.ini")), QSettings.Format.IniFormat)
    marks: dict[str, float] = {}

    def painted() -> None:
        print("READY", flush=True)
        marks["rss_painted"] = rss_mb()

    def done(ok: bool) -> None:
        assert ok, "the store did not open"
        QTimer.singleShot(0, whole)

    def whole() -> None:
        window = holder[0]
        _wait_until(app, lambda: not _tab_loading(window.tabs.currentWidget()))
        print("MARK whole", flush=True)
        rss_whole = rss_mb()
        for i in range(window.tabs.count()):
            window.tabs.setCurrentIndex(i)
            _wait_until(app, lambda: not _tab_loading(window.tabs.currentWidget()))
        print(json.dumps({"rss": rss_whole, "rss_all_tabs": rss_mb(), **marks}), flush=True)
        os._exit(0)

    holder = [start_main_window(db, settings, done)]
    after_first_paint(holder[0], painted)
    app.exec()


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _time_call(fn: Callable[..., object], *args: Any, **kwargs: Any) -> float:
    t = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t


def probe_ui(db: str, runs: int) -> None:
    """Tabs, the filter keystroke, the knowledge map and the coverage chart, in one window."""

    app, window = _open_window(db)
    app.processEvents()
    print("READY", flush=True)
    results: dict[str, list[float]] = {}
    # Every tab made first (the window makes a hidden tab when it is first shown).
    for page in [window.page(i) for i in range(window.tabs.count())]:

        def open_tab(page: Any = page) -> None:
            page.reload()
            window.tabs.setCurrentWidget(page)
            app.processEvents()
            _wait_until(app, lambda: not _tab_loading(page))

        results[f"tab:{page.title}"] = _timed(open_tab, runs)
    members = window.members_tab
    window.tabs.setCurrentWidget(members)
    app.processEvents()
    edit = members.filter_edit
    # The bare proxy lives in this process too and the keystrokes alternate, ours then
    # bare: both meet the machine in the same state (run apart, a busy or a quiet spell
    # of this shared machine could make either look twice as fast as the other).
    _bare_widget, bare_edit = bare_filter_window(db)
    app.processEvents()
    keystrokes, bare_keystrokes = [], []
    for _ in range(runs):
        keystrokes.append(keystroke(app, edit))
        assert members.proxy.rowCount() < members.model.rowCount()
        bare_keystrokes.append(keystroke(app, bare_edit))
    results["filter"] = keystrokes
    results["filter_bare"] = bare_keystrokes
    edit.clear()
    # Responsiveness: the knowledge map and the coverage chart compute off the UI thread on
    # a large community. Timed until the result shows, and meanwhile the longest time the
    # UI thread went without handling events (what a user would feel as a freeze).
    knowledge = members.knowledge
    sessions = window.sessions_tab

    def background(start: Callable[[], None], busy: Callable[[], bool]) -> tuple[float, float]:
        t = last = time.perf_counter()
        start()
        stall = time.perf_counter() - last
        last = time.perf_counter()
        while True:
            app.processEvents()
            now = time.perf_counter()
            stall, last = max(stall, now - last), now
            if not busy():
                return now - t, stall
            time.sleep(0.002)

    for key, start, busy in (
        ("knowledge_map",
         lambda: knowledge.refresh(window.workspace.store, window.workspace.community_id),
         knowledge.is_computing),
        ("coverage", sessions.coverage.refresh, sessions.coverage.runner.is_busy),
    ):  # fmt: skip
        pairs = [background(start, busy) for _ in range(runs)]
        results[key] = [p[0] for p in pairs]
        results[key + "_stall"] = [p[1] for p in pairs]
    print(json.dumps(results), flush=True)
    os._exit(0)


def bare_filter_window(db: str) -> tuple[Any, Any]:
    """The bare baseline of the filter keystroke: a QSortFilterProxyModel over a
    QStandardItemModel holding the roster's rows, under a line edit (the QApplication must
    exist). Returns the shown widget and its line edit."""
    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QLineEdit, QTableView, QVBoxLayout, QWidget

    rows = roster_rows(Path(db))
    model = QStandardItemModel(0, len(ROSTER_COLUMNS))
    for r in rows:
        model.appendRow([QStandardItem(str(v)) for v in r])
    widget = QWidget()
    proxy = QSortFilterProxyModel(widget)
    proxy.setSourceModel(model)
    model.setParent(widget)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.sort(0)
    edit = QLineEdit()
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    layout = QVBoxLayout(widget)
    layout.addWidget(edit)
    layout.addWidget(view)
    edit.textChanged.connect(proxy.setFilterFixedString)
    widget.resize(1280, 800)
    widget.show()
    return widget, edit


def keystroke(app: Any, edit: Any) -> float:
    """Seconds for one "k" typed into an emptied ``edit`` until the events it caused ran."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    edit.clear()
    app.processEvents()
    t = time.perf_counter()
    QTest.keyClick(edit, Qt.Key.Key_K)
    app.processEvents()
    return time.perf_counter() - t


def probe_filter_bare(db: str, runs: int) -> None:
    """The bare filter on its own (``--child filter-bare DB RUNS``, for trying it alone)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    _widget, edit = bare_filter_window(db)
    app.processEvents()
    print("READY", flush=True)
    print(json.dumps({"filter": [keystroke(app, edit) for _ in range(runs)]}), flush=True)
    os._exit(0)


# --- plain sqlite3 and ReportLab baselines ----------------------------------------------------
ROSTER_COLUMNS = (
    "full_name", "level", "roles", "organisation", "region", "expertise", "interests",
    "email", "joined_on", "consent", "status",
)  # fmt: skip
_ROSTER_SQL = """
SELECT m.full_name, m.level,
       (SELECT group_concat(role, ', ') FROM member_role r WHERE r.member_id = m.id),
       m.organisation, m.region,
       (SELECT group_concat(tag, ', ') FROM member_tag t
         WHERE t.member_id = m.id AND t.kind = 'expertise'),
       (SELECT group_concat(tag, ', ') FROM member_tag t
         WHERE t.member_id = m.id AND t.kind = 'interest'),
       coalesce(m.email, ''), coalesce(m.joined_on, ''), m.consent, m.status
FROM member m ORDER BY m.name_key, m.id
"""
TAB_SQL: dict[str, list[str]] = {
    "Members": [_ROSTER_SQL],
    "Sessions": [
        "SELECT * FROM cop_session ORDER BY starts_at, id",
        "SELECT session_id, sum(minutes), count(*) FROM agenda_block GROUP BY session_id",
        "SELECT session_id, status FROM attendance",
        "SELECT f.session_id, m.full_name FROM session_facilitator f "
        "JOIN member m ON m.id = f.member_id",
    ],
    "Fitness": [
        "SELECT * FROM assessment ORDER BY held_on DESC, id DESC",
        "SELECT * FROM answer ORDER BY assessment_id, position",
    ],
    "Value": [
        "SELECT v.*, s.title, st.title FROM value_entry v "
        "LEFT JOIN cop_session s ON s.id = v.session_id "
        "LEFT JOIN story st ON st.id = v.story_id ORDER BY v.entry_date DESC, v.id DESC",
        "SELECT b.entry_id, m.full_name FROM value_beneficiary b JOIN member m "
        "ON m.id = b.member_id",
        "SELECT * FROM story",
    ],
}


def roster_rows(db: Path) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db)
    try:
        return [tuple("" if v is None else v for v in r) for r in con.execute(_ROSTER_SQL)]
    finally:
        con.close()


def plain_fetch(db: Path, tab: str) -> None:
    con = sqlite3.connect(db)
    try:
        for sql in TAB_SQL[tab]:
            con.execute(sql).fetchall()
    finally:
        con.close()


def bare_pdf(rows: Sequence[Sequence[Any]], out: Path, *, naive: bool) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    header = [c.replace("_", " ").capitalize() for c in ROSTER_COLUMNS[:7]]
    body = [[str(v)[:40] for v in r[:7]] for r in rows]
    style = TableStyle([
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
    ])  # fmt: skip
    doc = SimpleDocTemplate(str(out), pagesize=landscape(A4))
    if naive:
        story = [Table([header, *body], repeatRows=1, style=style)]
    else:
        widths = [50 * mm, 25 * mm, 35 * mm, 45 * mm, 30 * mm, 45 * mm, 45 * mm]
        per_page = 40
        story = [
            Table([header, *body[i : i + per_page]], colWidths=widths, style=style)
            for i in range(0, len(body), per_page)
        ]
    doc.build(story)


def write_csv(db: Path, out: Path) -> int:
    """The store's roster as a copdesk CSV (the file a coordinator would import)."""
    from copdesk.data import csvio
    from copdesk.data.store import Store

    with Store.open(db) as store, store.session() as session:
        from copdesk.data.communities import list_communities

        cid = list_communities(session)[0].id
        return csvio.export_csv(session, cid, out)


def import_copdesk(csv_path: Path, folder: Path) -> float:
    from copdesk.data import communities, csvio
    from copdesk.data.store import Store

    db = folder / "import.sqlite"
    for p in folder.glob("import.sqlite*"):
        p.unlink()
    with Store.open(db) as store:
        cid = store.run(communities.create_community, "Imported")

        def work(session: Any) -> int:
            preview = csvio.preview_import(session, cid, csv_path)
            return len(csvio.commit_import(session, cid, preview))

        t = time.perf_counter()
        n = store.run(work)
        elapsed = time.perf_counter() - t
    assert n > 0
    return elapsed


def import_plain(csv_path: Path, folder: Path) -> float:
    """Plain sqlite3: read the same CSV and executemany the rows into a member table."""
    db = folder / "plain.sqlite"
    for p in folder.glob("plain.sqlite*"):
        p.unlink()
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TABLE member (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, "
        "organisation TEXT, job_title TEXT, region TEXT, time_zone TEXT, joined_on TEXT, "
        "level TEXT, roles TEXT, expertise TEXT, interests TEXT, consent TEXT, notes TEXT, "
        "status TEXT)"
    )
    t = time.perf_counter()
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = [r[:14] + [""] * (14 - len(r[:14])) for r in reader]
    con.executemany(
        "INSERT INTO member (full_name, email, organisation, job_title, region, time_zone, "
        "joined_on, level, roles, expertise, interests, consent, notes, status) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    con.commit()
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed


def report_copdesk(db: Path, which: str, out: Path) -> float:
    from copdesk.data.communities import list_communities
    from copdesk.data.store import Store

    with Store.open(db) as store, store.session() as session:
        cid = list_communities(session)[0].id
        t = time.perf_counter()
        if which == "roster":
            from copdesk.reports.roster import build_roster_pdf

            build_roster_pdf(session, cid, out)
        else:
            from copdesk.reports.overview import build_overview_pdf

            build_overview_pdf(session, cid, out)
        return time.perf_counter() - t


def overview_available() -> str:
    try:
        from copdesk.reports.overview import build_overview_pdf  # noqa: F401
    except Exception as exc:  # not landed yet, or broken: bench the roster only
        return f"{type(exc).__name__}: {exc}"
    return ""


# --- the run ------------------------------------------------------------------------------------
def measure(sizes: Sequence[str], runs: int, slow_runs: int) -> tuple[list[Row], list[str]]:
    rows: dict[str, Row] = {}
    notes: list[str] = []

    def row(name: str, unit: str = "s", target: float | None = None, note: str = "") -> Row:
        if name not in rows:
            rows[name] = Row(name, unit, target=target, note=note)
        return rows[name]

    missing = overview_available()
    if missing:
        notes.append(f"The overview report could not be built here ({missing}); "
                     "only the roster is measured.")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="copdesk-bench-") as tmp:
        work = Path(tmp)
        for size in sizes:
            print(f"[{size}] building or reusing the store", flush=True)
            src = build_store(size)
            data_mb = src.stat().st_size / 2**20
            # Cold start and memory.
            print(f"[{size}] cold start ({slow_runs} runs each)", flush=True)
            ours, whole, bare, mem, mem_all, mem_bare = [], [], [], [], [], []
            for _ in range(slow_runs):
                t, out = run_child(["start-bare"], work)
                bare.append(t)
                mem_bare.append(out["rss"])
                db = fresh_copy(src, work)
                t, out = run_child(["start-copdesk", str(db)], work)
                ours.append(t)
                whole.append(out["marks"]["whole"])
                mem.append(out["rss"])
                mem_all.append(out["rss_all_tabs"])
            r = row("Cold start to the painted window", target=1.5,
                    note="bare: QMainWindow with four empty tabs")  # fmt: skip
            r.ours[size], r.base[size] = median(ours), median(bare)
            r = row("Cold start until the Members rows show",
                    note="the store open, the first tab filled in")  # fmt: skip
            r.ours[size], r.base[size] = median(whole), median(bare)
            r = row("Peak memory, window open", "MB", target=1.5,
                    note="target: ≤ 1.5 × bare + the store file")  # fmt: skip
            r.ours[size], r.base[size], r.extra[size] = median(mem), median(mem_bare), data_mb
            r = row("Peak memory, all four tabs visited", "MB",
                    note="for scale: every tab's rows held (no target)")  # fmt: skip
            r.ours[size], r.base[size], r.extra[size] = median(mem_all), median(mem_bare), data_mb
            _, out = run_child(["start-bare", "sqlalchemy"], work)
            r = row("Peak memory, bare window + SQLAlchemy imported", "MB",
                    note="for scale: the data toolkit alone, no data")  # fmt: skip
            r.ours[size], r.base[size] = out["rss"], median(mem_bare)
            # Tabs, filter, knowledge map, coverage.
            print(f"[{size}] tabs and filter ({runs} runs)", flush=True)
            db = fresh_copy(src, work)
            _, ui = run_child(["ui", str(db), str(runs)], work)
            for tab in TAB_SQL:
                r = row(f"Open the {tab} tab", note="bare: the same rows with plain sqlite3")
                r.ours[size] = median(ui[f"tab:{tab}"])
                r.base[size] = median([_time_call(plain_fetch, src, tab) for _ in range(runs)])
            r = row("One keystroke in the Members filter", target=1.5,
                    note="bare: QSortFilterProxyModel over a QStandardItemModel")  # fmt: skip
            r.ours[size], r.base[size] = median(ui["filter"]), median(ui["filter_bare"])
            for key, label in (("knowledge_map", "Knowledge map"),
                               ("coverage", "Coverage chart")):  # fmt: skip
                r = row(f"{label}: computed and shown", note="off the UI thread")
                r.ours[size] = median(ui[key])
                r = row(f"{label}: longest UI-thread stall meanwhile",
                        note="responsiveness: should stay under 200 ms")  # fmt: skip
                r.ours[size] = median(ui[key + "_stall"])
            # Import.
            print(f"[{size}] CSV import ({slow_runs} runs)", flush=True)
            csv_path = work / f"{size}.csv"
            n = write_csv(src, csv_path)
            r = row("Import the roster CSV", target=5.0,
                    note="bare: csv.reader + sqlite3 executemany")  # fmt: skip
            r.name = "Import the roster CSV"
            r.ours[size] = median([import_copdesk(csv_path, work) for _ in range(slow_runs)])
            r.base[size] = median([import_plain(csv_path, work) for _ in range(slow_runs)])
            notes.append(f"{size}: the CSV has {n:,} rows.")
            # Reports.
            print(f"[{size}] reports ({slow_runs} runs)", flush=True)
            members = roster_rows(src)
            paged = median([_time_call(bare_pdf, members, work / "b.pdf", naive=False)
                            for _ in range(slow_runs)])  # fmt: skip
            naive = median([_time_call(bare_pdf, members, work / "n.pdf", naive=True)
                            for _ in range(max(1, slow_runs - 1))])  # fmt: skip
            r = row("Bare ReportLab, one long Table (naive)", note="for scale")
            r.ours[size] = naive
            for which in ("roster", "overview"):
                if which == "overview" and missing:
                    continue
                r = row(f"Export the {which} PDF", target=1.5,
                        note="bare: the same rows in page-sized tables, fixed widths")  # fmt: skip
                r.ours[size] = median(
                    [report_copdesk(src, which, work / f"{which}.pdf") for _ in range(slow_runs)]
                )
                r.base[size] = paged
    return list(rows.values()), notes


def versions() -> str:
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt = f"PySide6 {PySide6.__version__}, Qt {qVersion()}"
    except ImportError:  # pragma: no cover
        qt = "PySide6 not installed"
    import reportlab
    import sqlalchemy

    return (
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{qt}, SQLAlchemy {sqlalchemy.__version__}, ReportLab {reportlab.Version}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def table(rows: Sequence[Row], sizes: Sequence[str]) -> str:
    head = ["Measure", *(f"{s}: copdesk" for s in sizes), *(f"{s}: bare" for s in sizes),
            *(f"{s}: ratio" for s in sizes), "Target"]  # fmt: skip
    if len(sizes) > 1:
        head.append(f"Growth {sizes[0]}→{sizes[-1]}")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r.name]
        cells += [fmt(r.ours.get(s), r.unit) for s in sizes]
        cells += [fmt(r.base.get(s), r.unit) if r.base.get(s) else "—" for s in sizes]
        for s in sizes:
            ratio = r.ratio(s)
            ok = r.ok(s)
            mark = "" if ok is None else (" ✓" if ok else " ✗")
            cells.append("—" if ratio is None else f"{ratio:.2f}×{mark}")
        if r.target is None:
            cells.append("—")
        elif r.extra:
            cells.append(f"≤ {r.target:g}× bare + data")
        else:
            cells.append(f"≤ {r.target:g}×")
        if len(sizes) > 1:
            a, b = r.ours.get(sizes[0]), r.ours.get(sizes[-1])
            cells.append(f"{b / a:.2f}×" if a and b else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the xlarge store")
    parser.add_argument("--runs", type=int, default=5, help="runs of the quick measures")
    parser.add_argument("--slow-runs", type=int, default=3, help="runs of the slow measures")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", nargs="+", help=argparse.SUPPRESS)  # e.g. tiny, to try it
    args = parser.parse_args(argv)
    if args.child:
        _guard_none_refcount()
        kind, *rest = args.child
        probes: dict[str, Callable[..., None]] = {
            "start-bare": probe_start_bare,
            "start-copdesk": probe_start_copdesk,
            "ui": lambda db, runs: probe_ui(db, int(runs)),
            "filter-bare": lambda db, runs: probe_filter_bare(db, int(runs)),
        }
        probes[kind](*rest)
        return 0
    sizes = args.sizes or (["large"] if args.quick else ["large", "xlarge"])
    started = time.perf_counter()
    # Byte-compiled, as `pip install` leaves an installed copdesk (this checkout may run
    # with PYTHONDONTWRITEBYTECODE, which would otherwise compile every module per start).
    import compileall

    compileall.compile_dir(str(ROOT / "copdesk"), quiet=1)
    rows, notes = measure(sizes, args.runs, args.slow_runs)
    body = table(rows, sizes)
    print()
    print(body)
    for n in notes:
        print(f"- {n}")
    minutes = (time.perf_counter() - started) / 60
    print(f"\n(benchmark took {minutes:.1f} minutes)")
    if not args.no_write:
        text = (
            "# copdesk at scale: benchmark results\n\n"
            f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} by `make bench` "
            f"(`benchmarks/run.py{' --quick' if args.quick else ''}`) in {minutes:.1f} minutes.\n\n"
            f"Machine: {versions()}.\n\n"
            f"Each figure is the median of {args.runs} runs ({args.slow_runs} for cold start, "
            "memory, import and reports); the bare baseline is measured in the same run. "
            "Ratio = copdesk ÷ bare (memory: (copdesk − the store file) ÷ bare). ✓/✗ against the "
            "issue's targets; growth = xlarge ÷ large (linear is 2×).\n\n"
            f"{body}\n\n" + "".join(f"- {n}\n" for n in notes)
        )
        RESULTS.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
