"""Fixtures for widget tests: no real modal ever opens, settings live in a temp folder.

Every function of :mod:`copdesk.ui.dialogs` is replaced by a stub. A test says what the
user answers with ``modals.answer("confirm", True)`` (or a callable that drives the dialog,
e.g. typing into a form); a modal the test did not expect fails it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from copdesk.data import members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.ui import dialogs
from copdesk.ui.conflicts import ConflictDialog
from copdesk.ui.main_window import MainWindow

MODAL_FUNCTIONS = (
    "run",
    "information",
    "warning",
    "error",
    "confirm",
    "confirm_typed",
    "choose",
    "password",
    "open_file",
    "save_file",
    "store_problem",
)


class Modals:
    """The answers a test gives to modals, and a record of every modal asked for."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Any]] = {}
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.unexpected: list[str] = []

    def answer(self, name: str, *values: Any) -> None:
        """Queue answers for the next calls of ``dialogs.<name>``.

        A callable answer is called with the modal's arguments and its result returned
        (for ``run``, it gets the dialog and drives it).
        """
        assert name in MODAL_FUNCTIONS, name
        self.answers.setdefault(name, []).extend(values)

    def called(self, name: str) -> list[tuple[Any, ...]]:
        return [args for n, args in self.calls if n == name]

    def stub(self, name: str) -> Callable[..., Any]:
        def fake(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args))
            queue = self.answers.get(name)
            if not queue:
                self.unexpected.append(f"{name}{args!r}")
                raise AssertionError(f"unexpected modal dialogs.{name}{args!r}")
            value = queue.pop(0)
            if callable(value):
                return value(*args, **kwargs)
            if name == "run":
                dialog = args[0]
                assert isinstance(dialog, QDialog)
                if value:
                    dialog.accept()
                return bool(value) and dialog.result() == QDialog.DialogCode.Accepted
            return value

        return fake


@pytest.fixture(autouse=True)
def modals(monkeypatch: pytest.MonkeyPatch) -> Iterator[Modals]:
    record = Modals()
    for name in MODAL_FUNCTIONS:
        monkeypatch.setattr(dialogs, name, record.stub(name))
    yield record
    assert not record.unexpected, f"unexpected modals: {record.unexpected}"
    if QApplication.instance() is not None:
        assert QApplication.activeModalWidget() is None


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings" / "copdesk.ini"), QSettings.Format.IniFormat)


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, settings: QSettings) -> Iterator[WindowFactory]:
    """Build main windows (closed again at teardown)."""
    windows: list[MainWindow] = []

    def make(store: Store | None, *, show: bool = True, settings_: QSettings | None = None,
             owns_store: bool = False) -> MainWindow:
        window = MainWindow(store, settings=settings_ or settings, owns_store=owns_store)
        qtbot.addWidget(window)
        windows.append(window)
        if show:
            window.show()
            qtbot.waitExposed(window)
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def window(make_window: WindowFactory, store: Store, community_id: int) -> MainWindow:
    return make_window(store)


def data(name: str, **fields: Any) -> MemberData:
    return MemberData(full_name=name, **fields)


ROSTER = (
    data("Amina Yusuf", email="amina@wateraid.example", organisation="WaterAid",
         region="Nigeria", level="core", roles=("coordinator", "core_member"),
         expertise=("Borehole maintenance", "Facilitation"), interests=("Climate adaptation",),
         consent=True, joined_on=dt.date(2021, 5, 3)),
    data("José Álvarez", email="jose@agua.example", organisation="Agua Viva",
         region="Peru", level="active", roles=("expert",),
         expertise=("Water quality testing",), interests=("Facilitation",), consent=True),
    data("Ελένη Παπαδοπούλου", organisation="EYDAP", region="Greece", level="occasional",
         roles=("member",), interests=("Climate adaptation", "Menstrual hygiene")),
    data("Carlos Peña", organisation="Rotary", region="Peru", level="transactional",
         roles=("outside_guest",), interests=("Borehole maintenance",), consent=True),
    data("Dana Smith", email="dana@rivers.example", organisation="Rivers Trust",
         region="United Kingdom", level="peripheral", roles=("member",),
         expertise=("Grant writing",), status="left"),
)


@pytest.fixture
def roster(store: Store, community_id: int) -> dict[str, int]:
    """Five members covering every level, some roles, tags with a gap, one who left."""
    ids = store.run(members.add_members, community_id, list(ROSTER))
    return {d.full_name: i for d, i in zip(ROSTER, ids, strict=True)}


# --- two people on one store (team mode) ------------------------------------------------
@pytest.fixture
def user_b(other: Store) -> Store:
    """A second person: another connection to the same store (``other``, by its team name)."""
    return other


@pytest.fixture
def window_a(make_window: WindowFactory, store: Store, roster: dict[str, int]) -> MainWindow:
    """The first person's window on the store (with the five-member roster)."""
    return make_window(store)


def click(choice: str, seen: dict[str, ConflictDialog]) -> Callable[[QDialog], bool]:
    """An answer for ``dialogs.run`` that records the conflict dialog and clicks ``choice``."""

    def answer(dialog: QDialog) -> bool:
        assert isinstance(dialog, ConflictDialog)
        seen["dialog"] = dialog
        {
            ConflictDialog.RELOAD: dialog.reload_button,
            ConflictDialog.OVERWRITE: dialog.overwrite_button,
            ConflictDialog.CANCEL: dialog.cancel_button,
        }[choice].click()
        return dialog.result() == QDialog.DialogCode.Accepted

    return answer
