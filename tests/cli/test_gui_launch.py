"""``copdesk`` with no command opens the window (imported lazily) on the chosen store."""

from __future__ import annotations

import sys
import types

import pytest

from copdesk import cli


@pytest.fixture
def fake_gui(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    calls: list[str | None] = []

    def run_gui(db: str | None) -> int:
        calls.append(db)
        return 3

    module = types.ModuleType("copdesk.ui.app")
    module.run_gui = run_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "copdesk.ui.app", module)
    return calls


def test_no_arguments_opens_the_window(fake_gui: list[str | None]) -> None:
    assert cli.main([]) == 3
    assert fake_gui == [None]


def test_db_without_command_opens_the_window_on_that_store(
    fake_gui: list[str | None],
) -> None:
    assert cli.main(["--db", "/tmp/elsewhere.sqlite"]) == 3
    assert fake_gui == ["/tmp/elsewhere.sqlite"]


def test_window_that_cannot_load_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "copdesk.ui.app", None)  # import raises ImportError
    assert cli.main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith("copdesk: error: the window cannot be opened")
    assert len(err.splitlines()) == 1
