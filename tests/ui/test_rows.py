"""RowTableModel: rows keyed by id, sorted by the model, changed without resets.

Driven through a small model of (id, name, score) rows, a RowProxy and a real table view:
the rows must always be in sort order, ``row_of`` must always agree with ``row_at``, a
selected row must stay selected when it moves, and only switching the source resets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from copdesk.ui.rows import BULK, RowProxy, RowTableModel, make_table

Index = QModelIndex | QPersistentModelIndex
ASC = Qt.SortOrder.AscendingOrder
DESC = Qt.SortOrder.DescendingOrder


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    score: int
    version: int = field(default=0, compare=False)


class Rows(RowTableModel[Row]):
    titles = ("Name", "Score")

    def __init__(self) -> None:
        super().__init__()
        self.forgotten: list[int] = []

    def sort_key(self, row: Row, column: int) -> Any:
        return row.name.casefold() if column == 0 else row.score

    def forget(self, row_id: int) -> None:
        self.forgotten.append(row_id)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.row_at(index.row())
        return row.name if index.column() == 0 else str(row.score)


class ScoreAtLeast(RowProxy):
    def __init__(self) -> None:
        super().__init__()
        self.minimum = 0

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, Rows)
        return model.row_at(source_row).score >= self.minimum


def rows(*spec: tuple[int, str, int]) -> list[Row]:
    return [Row(i, n, s) for i, n, s in spec]


def names(model: Rows) -> list[str]:
    return [r.name for r in model.all_rows()]


def check_invariants(model: Rows) -> None:
    """Positions agree with ids, and the rows are in the model's sort order."""
    assert model.rowCount() == len(model.ids())
    for pos in range(model.rowCount()):
        assert model.row_of(model.row_at(pos).id) == pos
    column = model.sort_column()
    if column >= 0:
        keys = [(model.sort_key(r, column), r.id) for r in model.all_rows()]
        want = sorted(keys, reverse=model.sort_order() == DESC)
        assert keys == want


def test_the_model_sorts_itself_and_the_proxy_keeps_its_order(
    qtmodeltester: ModelTester,
) -> None:
    model = Rows()
    proxy = ScoreAtLeast()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)  # empty
    model.reset_rows(rows((1, "Carla", 5), (2, "amina", 9), (3, "Bea", 1)))
    assert names(model) == ["Carla", "amina", "Bea"]  # no sort yet: as fetched
    proxy.sort(0, ASC)
    assert names(model) == ["amina", "Bea", "Carla"]
    assert (proxy.sortColumn(), proxy.sortOrder()) == (0, ASC)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["amina", "Bea", "Carla"]
    proxy.sort(1, DESC)
    assert names(model) == ["amina", "Carla", "Bea"]
    assert (proxy.sortColumn(), proxy.sortOrder()) == (1, DESC)
    proxy.minimum = 2
    proxy.invalidate()
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["amina", "Carla"]
    # A reset (another community) keeps the sort.
    model.reset_rows(rows((7, "x", 3), (8, "y", 30), (9, "z", 4)))
    assert names(model) == ["y", "z", "x"]
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    check_invariants(model)


def test_changes_go_to_their_place_without_resets_and_selection_follows(
    qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    model = Rows()
    proxy = ScoreAtLeast()
    proxy.setSourceModel(model)
    table = make_table(proxy, "rows", sort=(0, ASC))
    qtbot.addWidget(table)
    model.reset_rows(rows((1, "Ana", 1), (2, "Ben", 2), (3, "Cleo", 3), (4, "Dev", 4)))
    events: list[str] = []
    model.modelReset.connect(lambda: events.append("reset"))
    model.rowsInserted.connect(lambda _p, a, b: events.append(f"insert {a}-{b}"))
    model.rowsRemoved.connect(lambda _p, a, b: events.append(f"remove {a}-{b}"))
    model.rowsMoved.connect(lambda _p, a, _b, _d, to: events.append(f"move {a}->{to}"))
    model.dataChanged.connect(lambda a, _b: events.append(f"change {a.row()}"))

    table.selectRow(1)  # Ben
    model.apply(rows((5, "Bea", 0)), [5])  # new: straight to its place
    assert events == ["insert 1-1"]
    assert names(model) == ["Ana", "Bea", "Ben", "Cleo", "Dev"]
    events.clear()
    model.apply(rows((2, "Zed", 2)), [2])  # Ben renamed: changes, then moves to the end
    assert events == ["change 2", "move 2->5"]
    assert names(model) == ["Ana", "Bea", "Cleo", "Dev", "Zed"]
    selected = table.selectionModel().selectedRows()
    assert [i.data() for i in selected] == ["Zed"]  # the selection followed the row
    events.clear()
    model.apply(rows((3, "Cleo", 3)), [3])  # nothing changed: nothing emitted
    assert events == []
    model.apply([Row(3, "Cleo", 3, version=7)], [3])  # a newer read of the same row
    assert model.find(3) is not None and model.find(3).version == 7  # type: ignore[union-attr]
    events.clear()
    model.apply([], [1, 5, 99])  # gone from the store: removed (99 was never shown)
    assert events == ["remove 0-1"]  # one contiguous run
    assert names(model) == ["Cleo", "Dev", "Zed"]
    assert model.forgotten.count(2) == 1 and 1 in model.forgotten
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    check_invariants(model)
    assert "reset" not in events


def test_many_changes_at_once_are_one_layout_change() -> None:
    model = Rows()
    model.sort(0, ASC)
    model.reset_rows(rows((1, "m", 0)))
    layouts: list[bool] = []
    inserts: list[tuple[int, int]] = []
    model.layoutChanged.connect(lambda *_a: layouts.append(True))
    model.rowsInserted.connect(lambda _p, a, b: inserts.append((a, b)))
    fresh = [Row(i, f"n{i:03d}", i) for i in range(2, BULK + 10)]
    model.apply(fresh, [r.id for r in fresh])
    assert layouts == [True] and inserts == [(1, BULK + 8)]
    check_invariants(model)
    assert model.row_at(0).name == "m" and model.row_at(1).name == "n002"


def test_a_header_click_sorts_through_the_model(qtbot: QtBot) -> None:
    model = Rows()
    proxy = ScoreAtLeast()
    proxy.setSourceModel(model)
    model.reset_rows(rows((1, "b", 3), (2, "a", 1), (3, "c", 2)))
    table = make_table(proxy, "rows", sort=(0, ASC), widths=[(0, 120)], hidden=[])
    qtbot.addWidget(table)
    table.resize(400, 300)
    table.show()
    qtbot.waitExposed(table)
    assert names(model) == ["a", "b", "c"]
    header = table.horizontalHeader()
    assert header.sectionSize(0) == 120
    x = header.sectionViewportPosition(1) + 10
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    QApplication.processEvents()
    assert model.sort_column() == 1
    ordered = [r.score for r in model.all_rows()]
    assert ordered in ([1, 2, 3], [3, 2, 1])  # the first click's order is the style's
    assert [proxy.index(r, 1).data() for r in range(3)] == [str(s) for s in ordered]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["apply", "remove", "sort"]), st.integers(0, 10**6)),
                max_size=12))
def test_any_sequence_of_changes_keeps_order_and_positions(
    ops: list[tuple[str, int]],
) -> None:
    model = Rows()
    store: dict[int, Row] = {i: Row(i, f"r{i % 4}", i % 3) for i in range(12)}
    model.reset_rows(list(store.values()))
    for op, seed in ops:
        rng = random.Random(seed)
        if op == "sort":
            model.sort(rng.choice([-1, 0, 1]), rng.choice([ASC, DESC]))
        elif op == "remove":
            gone = rng.sample(sorted(store), k=min(len(store), rng.randint(0, 3)))
            for i in gone:
                del store[i]
            model.remove(gone)
        else:
            ids = rng.sample(range(60), k=rng.randint(1, 40))
            for i in ids:
                store[i] = Row(i, rng.choice("abcdef"), rng.randint(0, 5))
            model.apply([store[i] for i in ids], ids)
        assert sorted(r.id for r in model.all_rows()) == sorted(store)
        assert all(model.find(i) == store[i] for i in store)
        check_invariants(model)
