"""Reloading the Fitness tab reads the selected assessment and its evidence hints once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from copdesk.data import fitness
from copdesk.data.store import Store
from copdesk.ui.fitness.tab import FitnessTab
from tests.ui.fitness.conftest import TODAY


def test_reload_computes_the_evidence_hints_once(
    tab: FitnessTab, store: Store, community_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = store.run(fitness.start_assessment, community_id, "fitness_test",
                      dt.date(2025, 1, 10), today=TODAY)
    newer = store.run(fitness.start_assessment, community_id, "fitness_test",
                      dt.date(2025, 2, 20), today=TODAY)
    assert older != newer
    real = fitness.evidence_hints
    calls: list[dt.date] = []

    def counted(session: Session, cid: int, held_on: dt.date, **kw: Any) -> dict[str, list[str]]:
        calls.append(held_on)
        return real(session, cid, held_on, **kw)

    monkeypatch.setattr(fitness, "evidence_hints", counted)
    for _ in range(2):  # the first time selects a row, the second finds it selected
        calls.clear()
        tab.reload()
        assert tab.view is not None and tab.current_id() == tab.view.id
        assert len(calls) == 1 and calls[0] == tab.view.held_on
        assert tab.questionnaire.isEnabled()
    # choosing another assessment still loads it (and its hints) from the selection
    calls.clear()
    assert tab.view is not None
    other = older if tab.view.id == newer else newer
    assert tab.select_assessment(other)
    assert tab.view is not None and tab.view.id == other and len(calls) == 1
