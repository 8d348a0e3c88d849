"""Starting the window: the application object, the store, and a safety net for errors."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from copdesk import __version__
from copdesk.logs import get_logger, log_path, setup_logging
from copdesk.ui import dialogs
from copdesk.ui.icons import app_icon
from copdesk.ui.main_window import MainWindow
from copdesk.ui.settings import open_settings

if TYPE_CHECKING:
    from copdesk.data.store import Store

log = get_logger("app")

STYLE_SHEET = """
QTabWidget#mainTabs > QTabBar::tab { padding: 7px 16px; min-width: 90px; }
QStatusBar QLabel#whereLabel { color: #5d6d7e; padding: 0 6px; }
QTableView { gridline-color: #e3e6e8; selection-background-color: #cfe6e8;
             selection-color: #1c2833; }
QHeaderView::section { padding: 4px 6px; }
"""


def configure_application(app: QApplication) -> None:
    """Names, icon and a consistent look (Fusion) for the application object."""
    app.setOrganizationName("copdesk")
    app.setApplicationName("copdesk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    if "Fusion" in list(QStyleFactory.keys()):
        app.setStyle("Fusion")
    app.setStyleSheet(STYLE_SHEET)


def install_excepthook() -> Callable[..., object]:
    """Show a short message for unexpected errors instead of crashing; returns the old hook."""
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        import traceback

        traceback.print_exception(exc_type, exc, tb, file=sys.stderr)
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        # The safety net itself must never raise.
        with contextlib.suppress(Exception):
            dialogs.error(
                None,
                "Something went wrong",
                f"copdesk met an unexpected problem and did not finish what it was doing:\n\n"
                f"{exc_type.__name__}: {exc}\n\n"
                "Your data is saved after every change. If this keeps happening, please "
                f"report it with the details below and the log file:\n{log_path()}",
                "".join(traceback.format_exception(exc_type, exc, tb)),
            )

    sys.excepthook = hook
    return previous


def open_store_interactively(target: str | None, settings: QSettings | None = None) -> Store | None:
    """Open ``target`` (a path or URL; None for the default store).

    When it cannot be opened, explain why and let the user pick another store, fall back
    to the default store, or quit (None).
    """
    from copdesk.data.store import (
        PasswordNeededError,
        Store,
        StoreError,
        default_store_path,
        describe,
        resolve_url,
        with_password,
    )

    while True:
        try:
            return Store.open(target, exclusive=True)
        except PasswordNeededError as exc:
            # The server wants a password that ~/.pgpass or PGPASSWORD did not give: ask.
            # It lives in the open store's URL in memory only, never in settings or logs.
            url = resolve_url(target)
            password = dialogs.password(
                None, "Password for the shared store",
                f"{exc}.\n\nPassword for {describe(url)}:",
            )
            if password is not None:
                target = with_password(url, password)
                continue
            choice = dialogs.store_problem(None, f"{exc}; no password was given.")
        except StoreError as exc:
            recovered = offer_recovery(target, str(exc))
            if recovered is not None:
                return recovered
            choice = dialogs.store_problem(None, str(exc))
        if choice == "quit":
            return None
        if choice == "default":
            if target is None or target == str(default_store_path()):
                dialogs.error(None, "copdesk cannot start", "The default store cannot be opened.")
                return None
            target = None
            continue
        path = dialogs.open_file(
            None, "Open a copdesk store", "copdesk stores (*.sqlite *.sqlite3 *.db);;All files (*)"
        )
        if path is None:
            return None
        target = str(path)


def offer_recovery(target: str | None, problem: str) -> Store | None:
    """A damaged store file: offer the newest backup that verifies, keeping the file aside.

    Returns the recovered store, or None when there is nothing to offer or the user
    declines (the damaged file is then left exactly where it was).
    """
    from copdesk.data import backup
    from copdesk.data.store import Store, StoreError, resolve_url, sqlite_path

    path = sqlite_path(resolve_url(target))
    if path is None or not path.is_file():
        return None
    check = backup.check_file(path)
    damaged = any(
        "damaged" in p or "integrity" in p or "not an SQLite" in p for p in check.problems
    )
    if not damaged:
        return None
    good = backup.newest_good_backup(backup.backups_folder(path))
    if good is None:
        return None
    if not dialogs.confirm(
        None,
        "The store is damaged",
        f"{problem}\n\nRestore the newest backup that verifies, from {good.describe()}?",
        ok_text="Restore the backup",
        informative="The damaged file is kept aside, renamed, not deleted.",
    ):
        return None
    aside = backup.set_aside(path)
    log.warning("damaged store set aside; restoring the newest good backup")
    try:
        backup.restore_file(path, good.path)
        store = Store.open(path, exclusive=True)
    except StoreError as exc:
        dialogs.error(None, "The backup could not be restored", str(exc))
        return None
    dialogs.information(
        None,
        "Backup restored",
        f"The backup from {good.describe()} is in place.\n\nThe damaged file is kept at {aside}.",
    )
    return store


def _last_store(db: str | None, settings: QSettings) -> str | None:
    if db is not None:
        return db
    last = settings.value("store/last")
    return str(last) if last else None


def build_main_window(db: str | None, settings: QSettings) -> MainWindow | None:
    """The whole window on ``db`` (else the last store used, else the default store)."""
    store = open_store_interactively(_last_store(db, settings), settings)
    if store is None:
        return None
    return MainWindow(store, settings=settings, owns_store=True)


def opening_line(target: str | None) -> str:
    """What the window says while it opens ``target``, worked out without the data layer."""
    if target is None:
        return "Opening your store…"
    if "://" in target and not target.startswith("sqlite"):
        return "Connecting to the shared store…"
    name = Path(target.removeprefix("sqlite:///")).name
    return f"Opening {name}…" if name else "Opening the store…"


def start_main_window(
    db: str | None,
    settings: QSettings,
    on_done: Callable[[bool], None],
    *,
    first: Callable[[], None] | None = None,
) -> MainWindow:
    """The window, shown at once as a frame; the store opens right after its first paint.

    Loading the data layer and opening the store take a moment on a slow laptop; the
    user sees the window (its tabs and "Opening mine.sqlite…") meanwhile, instead of
    nothing. ``on_done(True)`` follows when the window is whole with the store open;
    ``on_done(False)`` when no store could be opened (the window is then closed).
    ``first`` runs after the first paint, before anything else (``run_gui`` starts the log).
    """
    target = _last_store(db, settings)
    window = MainWindow(settings=settings, defer=opening_line(target))
    window.show()

    def finish() -> None:
        if first is not None:
            first()
        store = open_store_interactively(target, settings)
        if store is None:
            window.close()
            on_done(False)
            return
        window.build()
        window.open_store(store, owns=True)
        on_done(True)

    after_first_paint(window, finish)
    return window


class _FirstPaint(QObject):
    """Calls back once, as soon as the event loop is free after ``widget``'s first paint."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback: Callable[[], None] | None = callback
        widget.installEventFilter(self)
        # Some platforms never paint a window (minimised, no screen): go on regardless.
        QTimer.singleShot(1500, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._callback is not None:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._fire)  # once this paint has reached the screen
        return False

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            callback()


def after_first_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    """Run ``callback`` once ``widget`` has painted (or after 1.5 s if it never does)."""
    _FirstPaint(widget, callback)


def run_gui(db: str | None) -> int:
    """Open the window; returns the exit status when it closes."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    configure_application(app)
    previous = install_excepthook()
    opened: list[bool] = []

    def done(ok: bool) -> None:
        opened.append(ok)
        if not ok:
            app.exit(1)

    try:
        def start_log() -> None:
            setup_logging()
            log.info("copdesk %s starting", __version__)

        window = start_main_window(db, open_settings(), done, first=start_log)
        status = app.exec()
        del window
        return 1 if opened == [False] else status
    finally:
        sys.excepthook = previous
