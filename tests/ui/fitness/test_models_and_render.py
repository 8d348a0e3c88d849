"""Every Fitness model passes Qt's model tester; the trend widget's data; the tab as PNGs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtGui import QColor, QImage
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from copdesk.data import fitness
from copdesk.data.fitness import AnswerData, Thresholds, TrendPoint
from copdesk.data.store import Store
from copdesk.ui.events import StoreEvents
from copdesk.ui.fitness.history import ChangesOnlyProxy, TrendChart
from copdesk.ui.fitness.model import (
    AssessmentProxy,
    AssessmentTableModel,
    ComparisonModel,
    DimensionScoreModel,
)
from copdesk.ui.fitness.tab import FitnessTab
from copdesk.ui.workspace import Workspace
from tests.ui.fitness import sample
from tests.ui.fitness.conftest import TODAY


def test_assessment_model_and_proxy_follow_the_store(
    qtmodeltester: ModelTester, store: Store, community_id: int
) -> None:
    model = AssessmentTableModel()
    qtmodeltester.check(model)  # empty
    events = StoreEvents()
    events.attach(store)
    events.changed.connect(model.on_changes)
    model.set_source(store, community_id)
    proxy = AssessmentProxy()
    proxy.setSourceModel(model)
    proxy.sort(0)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    a = store.run(fitness.start_assessment, community_id, "fitness_test",
                  dt.date(2024, 5, 1), today=TODAY)
    b = store.run(fitness.start_assessment, community_id, "extended",
                  dt.date(2024, 9, 1), today=TODAY)
    store.run(fitness.set_answer, a, "values_listening", AnswerData(3))
    assert model.row_at(model.row_of(a)).overall == 1.0
    store.run(fitness.set_thresholds, community_id, 40, 90)
    assert model.row_at(model.row_of(a)).band == "green"
    proxy.set_checklist("extended")
    assert proxy.rowCount() == 1
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    store.run(fitness.delete_assessment, b)
    assert proxy.rowCount() == 0 and model.rowCount() == 1
    assert not resets  # incremental only
    qtmodeltester.check(proxy)
    events.detach()


def test_score_and_comparison_models(
    qtmodeltester: ModelTester, store: Store, community_id: int
) -> None:
    a = store.run(fitness.start_assessment, community_id, "fitness_test",
                  dt.date(2024, 5, 1), today=TODAY)
    b = store.run(fitness.start_assessment, community_id, "fitness_test",
                  dt.date(2024, 9, 1), today=TODAY)
    store.run(fitness.set_answer, a, "values_listening", AnswerData(1))
    store.run(fitness.set_answer, b, "values_listening", AnswerData(3))
    scores = DimensionScoreModel()
    qtmodeltester.check(scores)
    with store.session() as s:
        scores.set_view(fitness.get_assessment(s, a))
        comparison = fitness.compare(s, b, a)
    assert scores.rowCount() == 4
    qtmodeltester.check(scores)
    compare = ComparisonModel()
    qtmodeltester.check(compare)
    compare.set_comparison(comparison)
    proxy = ChangesOnlyProxy()
    proxy.setSourceModel(compare)
    proxy.set_only_changes(True)
    assert proxy.rowCount() == 1
    qtmodeltester.check(compare)
    qtmodeltester.check(proxy)


def test_trend_widget_data_and_drawing(qtbot: QtBot) -> None:
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.resize(700, 400)
    points = [
        TrendPoint(1, dt.date(2024, 3, 1), 0.4, {"results": 0.3, "values": None}),
        TrendPoint(2, dt.date(2024, 6, 1), 0.6, {"results": 0.5, "values": 0.9}),
    ]
    chart.set_trend(points, [("results", "Results"), ("values", "Values")], Thresholds(50, 75))
    assert chart.values() == {
        "Overall": ["40%", "60%"], "Results": ["30%", "50%"], "Values": ["—", "90%"]}
    assert chart.dates == (dt.date(2024, 3, 1), dt.date(2024, 6, 1))
    colours = [s.colour for s in chart.series]
    assert len(set(colours)) == len(colours)  # one colour per panel
    image = chart.grab().toImage()
    # the band shading is drawn: pale green near the top of the first panel
    found = {image.pixelColor(x, 60).name() for x in range(60, 300)}
    assert "#dff3e7" in found
    chart.set_trend([], [], Thresholds())
    assert chart.values() == {}


def _pixels(image: QImage) -> int:
    """How many distinct colours a small sample of the image holds (a blank one has 1)."""
    return len({image.pixelColor(x, y).rgb() for x in range(0, image.width(), 17)
                for y in range(0, image.height(), 13)})


def test_render_the_tab_with_a_demo_year_of_checks(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    cid, _ids = sample.build(store)
    ws = Workspace()
    ws.set_store(store)
    tab = FitnessTab(ws, today=lambda: sample.TODAY)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    ws.set_community(cid)
    tab.show()
    qtbot.waitExposed(tab)
    with store.session() as session:
        newest = fitness.list_assessments(session, cid)[0]  # the demo may bring its own
    assert tab.view is not None and tab.view.id == newest.id  # the newest is shown first
    shots = {}
    shots["questionnaire"] = tab.grab()
    tab.views.setCurrentIndex(1)
    shots["history"] = tab.grab()
    for name, pixmap in shots.items():
        path = tmp_path / f"fitness-{name}.png"
        assert pixmap.save(str(path))
        image = QImage(str(path))
        assert image.width() == 1280 and _pixels(image) > 20
    values = tab.history.chart.values()
    with store.session() as session:
        points = fitness.trend(session, cid, tab.view.checklist)
    expected = [f"{round(p.overall * 100)}%" for p in points if p.overall is not None]
    assert values["Overall"] == expected[-len(values["Overall"]):] and len(expected) >= 4
    assert QColor(tab.history.chart.series[0].colour).name() == "#000000"
    ws.events.detach()
