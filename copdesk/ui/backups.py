"""Automatic backups while the window is open, and the dialogs to restore and inspect them.

A backup is made on close and at most once a day while open, and only when something
changed since the last one. Backups run on a worker thread (the backup API uses its own
connection), so a large store never freezes the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copdesk.data import backup
from copdesk.data.store import Store, describe
from copdesk.logs import get_logger, log_path

log = get_logger("backups")

#: How often the window looks whether a daily backup is due.
CHECK_INTERVAL_MS = 60 * 60 * 1000
DAY = dt.timedelta(days=1)


class _Worker(QRunnable):
    def __init__(self, job: Callable[[], object], done: Callable[[object], None]) -> None:
        super().__init__()
        self.job = job
        self.done = done

    def run(self) -> None:
        try:
            result: object = self.job()
        except backup.BackupError as exc:
            result = exc
        self.done(result)


class BackupScheduler(QObject):
    """Backs up the window's store when it changed: daily while open, and on close."""

    finished = Signal(object)  # BackupInfo, or the BackupError that stopped it

    def __init__(self, parent: QObject | None = None, *, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.store: Store | None = None
        self.folder_override = folder
        self.backed_up_at_change = 0
        self.last_backup: dt.datetime | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.maybe_backup)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)

    def folder(self) -> Path | None:
        store = self.store
        if store is None or store.path is None:
            return None
        return self.folder_override or backup.backups_folder(store.path)

    def attach(self, store: Store | None) -> None:
        """Follow ``store`` (an SQLite file; server stores are backed up by their server)."""
        self.store = store if store is not None and store.path is not None else None
        self.backed_up_at_change = store.change_count if store is not None else 0
        folder = self.folder()
        newest = backup.list_backups(folder) if folder else []
        self.last_backup = newest[0].taken_at if newest else None
        if self.store is None:
            self.timer.stop()
        else:
            self.timer.start()

    def changed_since_backup(self) -> bool:
        return self.store is not None and self.store.change_count > self.backed_up_at_change

    def maybe_backup(self) -> bool:
        """Start a background backup if something changed and the last is a day old."""
        if not self.changed_since_backup():
            return False
        if self.last_backup is not None and dt.datetime.now() - self.last_backup < DAY:
            return False
        store, folder = self.store, self.folder()
        assert store is not None and store.path is not None and folder is not None
        path = store.path
        self.backed_up_at_change = store.change_count
        self.pool.start(_Worker(lambda: backup.make_backup(path, folder), self._done))
        return True

    def _done(self, result: object) -> None:
        if isinstance(result, backup.BackupInfo):
            self.last_backup = result.taken_at
            log.info("backup made: %s", result.path.name)
        else:
            log.warning("backup failed: %s", type(result).__name__)
        self.finished.emit(result)

    def backup_now_if_changed(self) -> backup.BackupInfo | None:
        """On close: a backup in the foreground (waiting for one already running)."""
        self.pool.waitForDone()
        if not self.changed_since_backup():
            return None
        store, folder = self.store, self.folder()
        assert store is not None and store.path is not None and folder is not None
        store.checkpoint()
        info = backup.make_backup(store.path, folder)
        self.backed_up_at_change = store.change_count
        self.last_backup = info.taken_at
        log.info("backup made on close: %s", info.path.name)
        return info

    def stop(self) -> None:
        self.timer.stop()
        self.pool.waitForDone()


def _counts(result: backup.CheckResult) -> str:
    if not result.ok:
        return "does not verify: " + "; ".join(result.problems)
    return ", ".join(f"{n:,} {label}" for label, n in result.counts.items())


class RestoreDialog(QDialog):
    """Lists a store's backups with their dates and contents; the user picks one."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.setObjectName("restoreDialog")
        self.resize(640, 360)
        self.tree = QTreeWidget()
        self.tree.setObjectName("backupList")
        self.tree.setHeaderLabels(["Taken", "Size", "Contents"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.backups = backup.list_backups(folder)
        for info in self.backups:
            result = backup.check_file(info.path)
            item = QTreeWidgetItem(
                [
                    f"{info.taken_at:%a %d %b %Y %H:%M}",
                    f"{info.size / 1024:,.0f} KiB",
                    _counts(result),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, str(info.path))
            if not result.ok:
                item.setDisabled(True)
            self.tree.addTopLevelItem(item)
        for column in (0, 1):
            self.tree.resizeColumnToContents(column)
        intro = QLabel(
            "Choose the backup to put back. Your current store is kept as a copy beside it "
            "first, so nothing is lost."
            if self.backups
            else f"There are no backups yet in {folder}. copdesk makes one when you close "
            "the window after a change, and once a day while it is open."
        )
        intro.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Restore")
        ok.setEnabled(False)
        self.tree.currentItemChanged.connect(
            lambda item, _prev: ok.setEnabled(item is not None and not item.isDisabled())
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        first = self.tree.topLevelItem(0)
        if first is not None and not first.isDisabled():
            self.tree.setCurrentItem(first)

    def chosen(self) -> Path | None:
        item = self.tree.currentItem()
        if item is None or item.isDisabled():
            return None
        return Path(str(item.data(0, Qt.ItemDataRole.UserRole)))


class DataInfoDialog(QDialog):
    """Where the store, its backups and the log live, and how backups are kept."""

    def __init__(
        self, store: Store | None, scheduler: BackupScheduler, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Data and backups")
        self.setObjectName("dataInfoDialog")
        form = QFormLayout()
        folder = scheduler.folder()
        backups = backup.list_backups(folder) if folder else []
        rows = [
            ("Store", str(store.path or describe(store.url)) if store else "none open"),
            ("Backups folder", str(folder) if folder else "none (the server keeps its own)"),
            (
                "Backups kept",
                f"{len(backups)} now; at most the newest {backup.KEEP_RECENT}, "
                f"then one a day for {backup.KEEP_DAILY} days, one a week for "
                f"{backup.KEEP_WEEKLY} weeks and one a month for "
                f"{backup.KEEP_MONTHLY} months",
            ),
            ("Last backup", backups[0].describe() if backups else "none yet"),
            ("When", "On closing the window after a change, and once a day while open"),
            ("Log file", str(log_path())),
        ]
        self.values: dict[str, QLabel] = {}
        for label, value in rows:
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", text)
            self.values[label] = text
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(620, 260)
