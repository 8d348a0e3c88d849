"""Value-creation stories: the list (with due follow-ups), the story form and its reading."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from copdesk.data import value_queries as Q
from copdesk.data import values as V
from copdesk.data.store import ConflictError, Store, StoreError
from copdesk.data.validation import ValidationError
from copdesk.data.values import CYCLE_ORDER, MAX_TITLE, EntryRow, StoryData, StoryView
from copdesk.framework import VALUE_CYCLES
from copdesk.ui import conflicts, dialogs
from copdesk.ui.members.model import fold
from copdesk.ui.undo import perform_done
from copdesk.ui.values.model import (
    MUTED,
    ROW_ROLE,
    SORT_ROLE,
    Choice,
    Index,
    SortProxy,
    beneficiaries_text,
    function_label,
    measure_text,
    sync_rows,
)
from copdesk.ui.values.picker import CheckListPicker

WARN = "#b03a2e"
OK = "#1e7b4a"
ERROR_STYLE = f"color: {WARN};"

#: The earliest date the follow-up picker shows; it stands for "no follow-up".
NO_DATE = QDate(1999, 12, 31)


class StoryColumn(IntEnum):
    TITLE = 0
    ENTRIES = 1
    CYCLES = 2
    FOLLOW_UP = 3
    STATUS = 4


_TITLES = ("Story", "Entries", "Cycles so far", "Follow-up", "Status")


def cycles_text(story: StoryView) -> str:
    labels = {t.key: t.label.replace(" value", "") for t in VALUE_CYCLES}
    order = sorted(story.cycles, key=lambda c: CYCLE_ORDER.get(c, 99))
    return " → ".join(labels.get(c, c) for c in order)


def status_text(story: StoryView, today: dt.date) -> str:
    if story.follow_up_due(today):
        return "Follow-up due"
    if "realised" in story.cycles:
        return "Realised"
    if story.complete:
        return "Applied"
    if not story.entries:
        return "No entries yet"
    return "Under way"


class StoryModel(QAbstractTableModel):
    """The community's stories, kept in step with the store without resets."""

    def __init__(self, today: Callable[[], dt.date], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self._rows: list[StoryView] = []

    def set_stories(self, stories: Sequence[StoryView], *, reset: bool = False) -> None:
        if reset:
            self.beginResetModel()
            self._rows = list(stories)
            self.endResetModel()
        else:
            sync_rows(self, list(stories), lambda s: s.id)

    def story_at(self, row: int) -> StoryView:
        return self._rows[row]

    def row_of(self, story_id: int) -> int:
        return next((i for i, s in enumerate(self._rows) if s.id == story_id), -1)

    def all_stories(self) -> list[StoryView]:
        return list(self._rows)

    def due(self) -> list[StoryView]:
        today = self._today()
        return [s for s in self._rows if s.follow_up_due(today)]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(StoryColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(StoryColumn)
        ):
            return _TITLES[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        story = self._rows[index.row()]
        column = StoryColumn(index.column())
        today = self._today()
        if role == Qt.ItemDataRole.DisplayRole:
            match column:
                case StoryColumn.TITLE:
                    return story.title
                case StoryColumn.ENTRIES:
                    return str(len(story.entries))
                case StoryColumn.CYCLES:
                    return cycles_text(story)
                case StoryColumn.FOLLOW_UP:
                    return story.follow_up_on.isoformat() if story.follow_up_on else ""
                case StoryColumn.STATUS:
                    return status_text(story, today)
        if role == ROW_ROLE:
            return story
        if role == SORT_ROLE:
            match column:
                case StoryColumn.ENTRIES:
                    return len(story.entries)
                case StoryColumn.FOLLOW_UP:
                    return story.follow_up_on.isoformat() if story.follow_up_on else "9999"
                case StoryColumn.STATUS:
                    return (0 if story.follow_up_due(today) else 1, fold(story.title))
            return fold(str(self.data(index)))
        if role == Qt.ItemDataRole.ForegroundRole and column in (
            StoryColumn.FOLLOW_UP, StoryColumn.STATUS
        ):
            if story.follow_up_due(today):
                return QColor(WARN)
            if column == StoryColumn.STATUS and story.complete:
                return QColor(OK)
        if role == Qt.ItemDataRole.ToolTipRole and column == StoryColumn.TITLE:
            return story.expected_ending or None
        return None


class StoryProxy(SortProxy):
    """All stories, or only those whose follow-up is due."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._due_only = False

    def set_due_only(self, on: bool) -> None:
        self.change_filter(lambda: setattr(self, "_due_only", on))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not self._due_only or not isinstance(model, StoryModel):
            return True
        return model.story_at(source_row) in model.due()


# --- the form ------------------------------------------------------------------------------
def entry_choice(row: EntryRow) -> Choice:
    cycle = row.cycle_label.replace(" value", "")
    story = f" · now in “{row.story_title}”" if row.story_title else ""
    return Choice(row.id, f"{row.entry_date:%Y-%m-%d} · {cycle} · {row.title}{story}",
                  f"{row.kind_label}; {beneficiaries_text(row)}")


#: A story's fields as the conflict dialog names them, in the form's order.
CONFLICT_LABELS = {"title": "Title", "expected_ending": "Expected ending",
                   "follow_up_on": "Follow up on", "entries": "Entries"}

#: A story as stored now: its fields, its entries and its version (None: deleted).
Loaded = tuple[StoryData, tuple[int, ...], int]


def describe_story(
    data: StoryData, entry_ids: Sequence[int], titles: dict[int, str]
) -> dict[str, str]:
    """A story's fields as people read them (``titles``: entry titles by id)."""
    named = [titles.get(i, "(an entry not listed here)") for i in entry_ids]
    ending = data.expected_ending.strip()
    return {
        "title": data.title.strip() or "(empty)",
        "expected_ending": (ending[:300] + "…" if len(ending) > 300 else ending) or "(empty)",
        "follow_up_on": data.follow_up_on.isoformat() if data.follow_up_on else "No follow-up",
        "entries": "; ".join(sorted(named)) or "(none)",
    }


class StoryForm(QDialog):
    """Build or edit a story: title, expected ending, follow-up date and its entries.

    When editing, ``expected_version`` is the version of the story the form was filled
    from (by default ``story.version``; ``submit`` hands it to the store, see
    :func:`save_story`). If the store refuses the save with ConflictError,
    ``load_current()`` reads the story as stored now (None: deleted) and the form shows
    both versions: reload theirs (the form stays open with their values), overwrite
    (``expected_version`` becomes None and the form saves again; ``recreate`` is True for
    a story deleted meanwhile), or cancel (nothing saved, typing kept).
    """

    def __init__(
        self,
        submit: Callable[[StoryData, tuple[int, ...]], None],
        *,
        entries: Sequence[EntryRow],
        chosen: Sequence[int] = (),
        story: StoryView | None = None,
        expected_version: int | None = None,
        load_current: Callable[[], Loaded | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.story = story
        #: The version the form was filled from (None: overwrite whatever is stored).
        self.expected_version = expected_version if expected_version is not None else (
            story.version if story is not None else None)
        #: True when saving should re-create a story someone else deleted meanwhile.
        self.recreate = False
        #: Their version, once the user reloaded it (what the store has at expected_version).
        self.loaded: tuple[StoryData, tuple[int, ...]] | None = None
        self._load_current = load_current
        self._entry_titles = {e.id: e.title for e in entries}
        self.setObjectName("storyForm")
        self.setWindowTitle("Edit story" if story else "New value-creation story")
        self.title = QLineEdit()
        self.title.setPlaceholderText("The thread this story follows (required)")
        self.title.setMaxLength(MAX_TITLE + 50)
        self.expected_ending = QPlainTextEdit()
        self.expected_ending.setTabChangesFocus(True)
        self.expected_ending.setPlaceholderText(
            "What difference we expect this to make, and how we will know (optional)"
        )
        self.expected_ending.setFixedHeight(70)
        self.follow_up = QDateEdit()
        self.follow_up.setCalendarPopup(True)
        self.follow_up.setDisplayFormat("yyyy-MM-dd")
        self.follow_up.setMinimumDate(NO_DATE)
        self.follow_up.setSpecialValueText("No follow-up")
        self.follow_up.setDate(NO_DATE)
        self.follow_up.setToolTip(
            "When to go back and record the applied or realised value (PgUp/PgDn or type)"
        )
        ordered = sorted(entries, key=lambda e: (e.entry_date, e.id), reverse=True)
        self.picker = CheckListPicker(
            [entry_choice(e) for e in ordered],
            placeholder="Search entries; Enter ticks the first match",
            noun=("entry", "entries"),
        )
        self.picker.view.setMinimumHeight(180)
        self.errors: dict[str, QLabel] = {}
        for name in ("title", "expected_ending", "follow_up_on", "entries"):
            label = QLabel()
            label.setObjectName(f"error_{name}")
            label.setStyleSheet(ERROR_STYLE)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.hide()
            self.errors[name] = label
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("&Title:", _cell(self.title, self.errors["title"]))
        form.addRow("E&xpected ending:", _cell(self.expected_ending,
                                                self.errors["expected_ending"]))
        form.addRow("&Follow up on:", _cell(self.follow_up, self.errors["follow_up_on"]))
        form.addRow("&Entries:", _cell(self.picker, self.errors["entries"]))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText("Save story" if story else "Create story")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(seq), self)
            shortcut.activated.connect(self.accept)
        self.title.textEdited.connect(lambda _t: self.errors["title"].hide())
        self.follow_up.dateChanged.connect(lambda _d: self.errors["follow_up_on"].hide())
        if story is not None:
            self.set_data(StoryData(story.title, story.expected_ending, story.follow_up_on),
                          [e.id for e in story.entries])
        else:
            self.picker.set_checked(list(chosen))
        self.title.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_data(self, data: StoryData, entry_ids: Sequence[int]) -> None:
        """Fill the form (on opening, and with their version when reloading)."""
        self.title.setText(data.title)
        self.expected_ending.setPlainText(data.expected_ending)
        self.set_follow_up(data.follow_up_on)
        self.picker.set_checked(list(entry_ids))
        self.show_errors({})

    def story_data(self) -> StoryData:
        qd = self.follow_up.date()
        follow = None if qd <= NO_DATE else dt.date(qd.year(), qd.month(), qd.day())
        return StoryData(self.title.text(), self.expected_ending.toPlainText(), follow)

    def set_follow_up(self, day: dt.date | None) -> None:
        self.follow_up.setDate(_qdate(day) if day else NO_DATE)

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            message = errors.get(name)
            label.setText(message or "")
            label.setVisible(bool(message))
        focus = {"title": self.title, "expected_ending": self.expected_ending,
                 "follow_up_on": self.follow_up, "entries": self.picker.search}
        first = next((f for f in focus if f in errors), None)
        if first is not None:
            focus[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def visible_errors(self) -> dict[str, str]:
        return {n: lb.text() for n, lb in self.errors.items() if not lb.isHidden()}

    def accept(self) -> None:
        data = self.story_data()
        if not data.title.strip():
            self.show_errors({"title": "A story needs a title"})
            return
        if self._save(data, self.picker.checked_ids()):
            super().accept()

    def _save(self, data: StoryData, ids: tuple[int, ...]) -> bool:
        """Submit ``data`` with the entries ``ids``; True once the form may close."""
        try:
            self._submit(data, ids)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        except ConflictError:  # someone else changed or deleted the story
            loaded = self._load_current() if self._load_current is not None else None
            return conflicts.resolve(
                self, (data, ids), None if loaded is None else (loaded[:2], loaded[2]),
                what="story", name=f"the story “{data.title.strip()}”",
                labels=CONFLICT_LABELS, describe=lambda story: self.describe(*story),
                refill=self._reloaded, shown_when_deleted=("title", "entries"),
                save=lambda: self._save(data, ids),
            )
        except (StoreError, LookupError) as exc:
            self.show_errors({"title": f"Not saved: {exc}"})
            return False
        return True

    # -- someone else changed the story ----------------------------------------------------
    def describe(self, data: StoryData, entry_ids: Sequence[int]) -> dict[str, str]:
        """A story's fields as people read them."""
        return describe_story(data, entry_ids, self._entry_titles)

    def _reloaded(self, theirs: tuple[StoryData, tuple[int, ...]]) -> None:
        """Continue from their version of the story (after a conflict)."""
        self.loaded = theirs
        self.set_data(*theirs)


# --- saving and deleting against the version the user saw -------------------------------
def load_story(store: Store, story_id: int) -> Loaded | None:
    """The story as stored now (fields, entries, version), or None if it was deleted."""
    with store.session() as session:
        story = V.find_story(session, story_id)
    if story is None:
        return None
    data = StoryData(story.title, story.expected_ending, story.follow_up_on)
    return data, tuple(e.id for e in story.entries), story.version


def save_story(
    store: Store,
    community_id: int,
    undo_stack: QUndoStack,
    story_id: int,
    data: StoryData,
    entry_ids: Sequence[int],
    text: str,
    *,
    expected_version: int | None = None,
    recreate: bool = False,
) -> None:
    """Save an edited story as one undoable step, checked against ``expected_version``.

    Raises ConflictError (nothing written) when someone else changed or deleted the story
    since that version; ``recreate`` puts back a story someone else deleted, with ``data``.
    """
    ids = list(entry_ids)
    with store.session() as session:
        prior = Q.story_links(session, ids)
    if recreate:
        store.run(V.restore_story, story_id, community_id, data, ids)
        saved, kept = _stored(store, story_id, data, ids)
        perform_done(
            undo_stack, text,
            undo=lambda: store.run(Q.undo_create_story, story_id, community_id, prior),
            redo=lambda: store.run(V.restore_story, story_id, community_id, saved, kept),
        )  # fmt: skip
        return
    before_data, before_ids = store.run(
        V.update_story, story_id, data, ids, expected_version=expected_version
    )
    saved, kept = _stored(store, story_id, data, ids)
    perform_done(
        undo_stack, text,
        undo=lambda: store.run(Q.set_story, story_id, community_id, before_data, before_ids,
                               prior),
        redo=lambda: store.run(Q.set_story, story_id, community_id, saved, kept),
    )  # fmt: skip


def _stored(
    store: Store, story_id: int, data: StoryData, ids: Sequence[int]
) -> tuple[StoryData, tuple[int, ...]]:
    """The story as saved (cleaned by the data layer), for redo."""
    loaded = load_story(store, story_id)
    return (data, tuple(ids)) if loaded is None else (loaded[0], loaded[1])


def delete_story_as_seen(
    parent: QWidget, store: Store, undo_stack: QUndoStack, story: StoryView
) -> bool:
    """Delete ``story`` as the user saw it, after asking; True if it was deleted.

    If someone else changed it since (its version moved), both versions are shown and the
    user chooses to delete anyway or keep it; if someone else deleted it, that is said.
    """
    if not dialogs.confirm(
        parent, "Delete story", f"Delete the story “{story.title}”?", ok_text="Delete",
        informative="Its entries stay in the log. You can undo this with Ctrl+Z.",
        destructive=True,
    ):
        return False
    sid = story.id
    try:
        snap = store.run(V.delete_story, sid, expected_version=story.version)
    except ConflictError as exc:
        current = exc.current if isinstance(exc.current, StoryView) else None
        name = f"the story “{story.title}”"
        if current is None:
            dialogs.information(parent, "Nothing to delete",
                                f"Someone else already deleted {name}.")
            return False
        titles = {e.id: e.title for e in (*story.entries, *current.entries)}
        mine = describe_story(_data_of(story), [e.id for e in story.entries], titles)
        theirs = describe_story(_data_of(current), [e.id for e in current.entries], titles)
        dialog = conflicts.ConflictDialog(
            conflicts.delete_headline(name, False, "story"),
            CONFLICT_LABELS, mine, theirs,
            what="story", overwrite_text="Delete anyway", reload_text="Keep it",
            mine_title="What you saw", parent=parent,
        )  # fmt: skip
        if conflicts.ask(dialog) != conflicts.OVERWRITE:
            return False
        try:
            snap = store.run(V.delete_story, sid, expected_version=current.version)
        except (StoreError, LookupError) as again:
            dialogs.error(parent, "The story was not deleted", str(again))
            return False
    except (StoreError, LookupError) as exc:
        dialogs.error(parent, "The story was not deleted", str(exc))
        return False
    perform_done(
        undo_stack,
        f"Delete story “{snap[2].title}”",
        undo=lambda: store.run(V.restore_story, *snap),
        redo=lambda: store.run(V.delete_story, sid),
    )
    return True


def _data_of(story: StoryView) -> StoryData:
    return StoryData(story.title, story.expected_ending, story.follow_up_on)


def _cell(*widgets: QWidget) -> QWidget:
    cell = QWidget()
    box = QVBoxLayout(cell)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    for w in widgets:
        box.addWidget(w)
    return cell


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


# --- reading a story -----------------------------------------------------------------------
def story_html(story: StoryView | None, today: dt.date) -> str:
    """The story told as a thread through the cycles; user text escaped."""
    if story is None:
        return (f"<p style='color:{MUTED}'>Choose a story to read it. Build one from the log: "
                "select entries that follow one thread and press Ctrl+Shift+S.</p>")
    e = html.escape
    parts = [f"<h3 style='margin-bottom:2px'>{e(story.title)}</h3>"]
    facts = [f"{len(story.entries)} {'entry' if len(story.entries) == 1 else 'entries'}"]
    if story.follow_up_on:
        due = story.follow_up_due(today)
        colour = WARN if due else MUTED
        word = "Follow-up due since" if due else "Follow up on"
        facts.append(f"<span style='color:{colour}'>{word} {story.follow_up_on:%d %b %Y}</span>")
    facts.append(e(status_text(story, today)))
    parts.append(f"<p style='color:{MUTED}; margin-top:0'>{' · '.join(facts)}</p>")
    if story.expected_ending:
        parts.append(f"<p><b>Expected ending.</b> {e(story.expected_ending)}</p>")
    labels = {t.key: t for t in VALUE_CYCLES}
    for row in story.entries:
        term = labels.get(row.cycle)
        head = f"{term.label if term else row.cycle}"
        meta = [f"{row.entry_date:%d %b %Y}", e(row.kind_label)]
        if row.function:
            meta.append(e(function_label(row.function)))
        if row.session_title:
            meta.append("from " + e(row.session_title))
        who = beneficiaries_text(row)
        parts.append(
            f"<p style='margin-bottom:0'><b>{e(head)}</b> — {e(row.title)}</p>"
            f"<p style='color:{MUTED}; margin:0 0 0 12px'>{' · '.join(meta)}</p>"
        )
        body = []
        if row.description:
            text = row.description if len(row.description) < 1500 else (
                row.description[:1500] + "…")
            body.append(e(text).replace("\n", "<br>"))
        if who:
            body.append(f"<i>Benefited:</i> {e(who)}")
        if row.evidence:
            body.append(f"<i>Evidence:</i> {e(row.evidence[:600])}")
        if row.measure_value is not None:
            body.append(f"<i>Measure:</i> {e(measure_text(row))}")
        if body:
            parts.append(f"<p style='margin:2px 0 8px 12px'>{'<br>'.join(body)}</p>")
    if not story.entries:
        parts.append(f"<p style='color:{MUTED}'>No entries yet.</p>")
    elif not story.complete:
        parts.append(
            f"<p style='color:{MUTED}'>Not yet followed through to applied or realised value: "
            "log the next step with “Log follow-up value”.</p>"
        )
    return "".join(parts)


class StoryReader(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storyReader")
        self.setOpenLinks(False)

    def show_story(self, story: StoryView | None, today: dt.date) -> None:
        self.setHtml(story_html(story, today))
