"""Data safety in the window: automatic backups, restore, a second copdesk, a damaged store,
and the log that holds no personal details."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from copdesk.data import backup, communities, members
from copdesk.data.store import Store, StoreInUseError
from copdesk.data.validation import MemberData
from copdesk.logs import LOGGER_NAME, PrivateFormatter, log_path, setup_logging
from copdesk.ui import app as app_module
from copdesk.ui.backups import DataInfoDialog, RestoreDialog

from .conftest import Modals, WindowFactory


def names(store: Store, cid: int) -> list[str]:
    with store.session() as s:
        return [r.full_name for r in members.list_members(s, cid)]


def test_closing_after_a_change_backs_up_and_without_one_does_not(
    store: Store, store_path: Path, community_id: int, make_window: WindowFactory
) -> None:
    folder = backup.backups_folder(store_path)
    window = make_window(store)
    window.close()
    assert backup.list_backups(folder) == []
    window = make_window(store)
    store.run(members.add_member, community_id, MemberData(full_name="Ada Lovelace"))
    window.close()
    (made,) = backup.list_backups(folder)
    assert backup.check_file(made.path).counts["members"] == 1


def test_daily_backup_runs_off_the_ui_thread_only_when_due(
    qtbot: QtBot, store: Store, store_path: Path, community_id: int, make_window: WindowFactory
) -> None:
    window = make_window(store)
    scheduler = window.backups
    assert not scheduler.maybe_backup()  # nothing changed yet
    store.run(members.add_member, community_id, MemberData(full_name="Ada Lovelace"))
    with qtbot.waitSignal(scheduler.finished, timeout=10_000) as blocker:
        assert scheduler.maybe_backup()
    assert isinstance(blocker.args[0], backup.BackupInfo)
    store.run(members.add_member, community_id, MemberData(full_name="Grace Hopper"))
    assert not scheduler.maybe_backup()  # the last one is less than a day old
    assert len(backup.list_backups(backup.backups_folder(store_path))) == 1


def test_restore_from_backup_through_the_menu(
    qtbot: QtBot, modals: Modals, store_path: Path, make_window: WindowFactory
) -> None:
    store = Store.open(store_path, exclusive=True)
    cid = store.run(communities.create_community, "Water CoP")
    store.run(members.add_member, cid, MemberData(full_name="In the backup"))
    backup.make_backup(store_path)
    store.run(members.add_member, cid, MemberData(full_name="Added later"))
    window = make_window(store, owns_store=True)

    def pick(dialog: QDialog) -> bool:
        assert isinstance(dialog, RestoreDialog)
        assert dialog.tree.topLevelItemCount() == 1
        assert "1 communities, 1 members" in dialog.tree.topLevelItem(0).text(2)
        dialog.accept()
        return True

    modals.answer("run", pick)
    modals.answer("confirm", True)
    modals.answer("information", None)
    window.restore_action.trigger()
    assert window.store is not None and window.store is not store
    assert names(window.store, cid) == ["In the backup"]
    (kept_msg,) = modals.called("information")
    kept = Path(kept_msg[2].rsplit("kept at ", 1)[1].rstrip("."))
    assert kept.exists()
    with Store.open(kept) as old:
        assert names(old, cid) == ["Added later", "In the backup"]


def test_a_second_copdesk_on_the_same_store_is_told_clearly(
    modals: Modals, store_path: Path
) -> None:
    first = Store.open(store_path, exclusive=True)
    try:
        with pytest.raises(StoreInUseError):
            Store.open(store_path, exclusive=True)
        modals.answer("store_problem", "quit")
        assert app_module.open_store_interactively(str(store_path)) is None
        (args,) = modals.called("store_problem")
        assert "already open in copdesk" in args[1]
    finally:
        first.close()


def test_a_damaged_store_is_set_aside_and_the_newest_good_backup_offered(
    modals: Modals, store_path: Path
) -> None:
    with Store.open(store_path) as store:
        cid = store.run(communities.create_community, "Water CoP")
        store.run(members.add_member, cid, MemberData(full_name="Safe in a backup"))
    backup.make_backup(store_path)
    raw = bytearray(store_path.read_bytes())
    raw[100:4096] = os.urandom(3996)
    store_path.write_bytes(bytes(raw))
    modals.answer("confirm", True)
    modals.answer("information", None)
    recovered = app_module.open_store_interactively(str(store_path))
    assert recovered is not None
    try:
        assert names(recovered, cid) == ["Safe in a backup"]
    finally:
        recovered.close()
    aside = [p for p in store_path.parent.glob(f"{store_path.name}.damaged-*")
             if not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].read_bytes() == bytes(raw)


def test_declining_recovery_leaves_the_damaged_file_where_it_is(
    modals: Modals, store_path: Path
) -> None:
    with Store.open(store_path) as store:
        store.run(communities.create_community, "Water CoP")
    backup.make_backup(store_path)
    raw = bytearray(store_path.read_bytes())
    raw[100:4096] = os.urandom(3996)
    store_path.write_bytes(bytes(raw))
    modals.answer("confirm", False)
    modals.answer("store_problem", "quit")
    assert app_module.open_store_interactively(str(store_path)) is None
    assert store_path.read_bytes() == bytes(raw)


def test_data_info_names_the_store_backups_and_log(
    store: Store, store_path: Path, community_id: int, make_window: WindowFactory
) -> None:
    window = make_window(store)
    dialog = DataInfoDialog(store, window.backups, window)
    assert dialog.values["Store"].text() == str(store_path)
    assert dialog.values["Backups folder"].text() == str(backup.backups_folder(store_path))
    assert dialog.values["Log file"].text() == str(log_path())
    dialog.deleteLater()


def test_the_log_holds_no_personal_details(tmp_path: Path) -> None:
    path = setup_logging()
    assert path is not None and path == log_path()
    logger = logging.getLogger(f"{LOGGER_NAME}.test")
    try:
        raise ValueError("Ada Lovelace <ada@example.org> already uses this email")
    except ValueError:
        logger.exception("saving a member failed")
    for handler in logging.getLogger(LOGGER_NAME).handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "saving a member failed" in text and "ValueError" in text
    assert "Ada" not in text and "ada@example.org" not in text
    formatted = PrivateFormatter().formatException((ValueError, ValueError("secret"), None))
    assert "secret" not in formatted
