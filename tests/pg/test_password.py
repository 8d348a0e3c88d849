"""A server that wants a password ~/.pgpass and PGPASSWORD did not give: the window asks.

The test server trusts every role but one (``PASSWORD_ROLE``, see
``scripts/pg_test_server.py``), which must log in with its password over TCP.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.engine import make_url

from copdesk.data.store import PasswordNeededError, Store, with_password
from copdesk.logs import LOGGER_NAME
from copdesk.ui import app as app_module
from scripts.pg_test_server import PASSWORD_ROLE
from tests.ui.conftest import Modals

from .conftest import ServerDatabases

SECRET = "s3cret-Пароль"


@pytest.fixture
def password_url(server: ServerDatabases) -> Iterator[str]:
    """An empty database owned by the password-only role; its URL has no password."""
    name = server.create()
    with server.admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": PASSWORD_ROLE}
        ).first()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(text(f"{verb} ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{SECRET}'"))
        conn.execute(text(f'ALTER DATABASE "{name}" OWNER TO {PASSWORD_ROLE}'))
    url = make_url(server.url_of(name)).set(username=PASSWORD_ROLE, password=None)
    yield url.render_as_string(hide_password=False)
    server.drop(name)


def test_a_missing_or_wrong_password_is_a_clear_refusal(
    password_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    with pytest.raises(PasswordNeededError, match="needs a password") as missing:
        Store.open(password_url)
    assert missing.value.__cause__ is None and SECRET not in str(missing.value)
    with pytest.raises(PasswordNeededError, match="did not accept the password") as wrong:
        Store.open(with_password(password_url, "wrong-one"))
    assert "wrong-one" not in str(wrong.value)
    with Store.open(with_password(password_url, SECRET)) as store:
        assert store.engine.dialect.name == "postgresql"


def test_the_window_asks_and_keeps_the_password_nowhere(
    password_url: str, modals: Modals, settings: QSettings, qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    log_file = tmp_path / "copdesk.log"
    handler = logging.FileHandler(log_file)
    logging.getLogger(LOGGER_NAME).addHandler(handler)
    try:
        modals.answer("password", "wrong-one", SECRET)  # a typo first, then the password
        window = app_module.build_main_window(password_url, settings)
        assert window is not None
        qtbot.addWidget(window)
        asked = modals.called("password")
        assert len(asked) == 2
        assert "needs a password" in asked[0][2] and PASSWORD_ROLE in asked[0][2]
        assert "did not accept the password" in asked[1][2]
        assert window.store is not None and "No community yet" in window.where_label.text()
        assert SECRET not in window.where_label.text()
        window.close()
    finally:
        logging.getLogger(LOGGER_NAME).removeHandler(handler)
        handler.close()
    settings.sync()
    remembered = Path(settings.fileName()).read_text(encoding="utf-8")
    assert password_url.split("@")[1] in remembered  # the store is remembered...
    assert SECRET not in remembered and "wrong-one" not in remembered  # ...its password not
    assert SECRET not in log_file.read_text(encoding="utf-8")


def test_cancelling_the_password_offers_the_usual_choices(
    password_url: str, modals: Modals, settings: QSettings, qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    modals.answer("password", None)
    modals.answer("store_problem", "quit")
    assert app_module.build_main_window(password_url, settings) is None
    (problem,) = modals.called("store_problem")
    assert "needs a password; no password was given" in problem[1]
