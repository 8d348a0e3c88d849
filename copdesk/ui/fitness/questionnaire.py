"""The questionnaire: every question of an assessment, grouped by dimension, to fill in.

Each question is a :class:`QuestionCard`: the score control (the scale with its meaning
beside each choice; digits 0-3 and N choose, Left/Right step, Up/Down move between
questions), the evidence, links to sessions, and the agreed action with its done box. The
store's hints for a dimension sit beside its questions. Cards report edits through
``edited``; the tab saves them (one undoable step each). Typed text is saved when the
field loses focus, on Enter (the action line), after a pause in typing, and before the
questionnaire is hidden, so nothing typed is lost.

Each card keeps ``base``, the answer as last read from the store: the tab saves against it,
so an answer someone else changed meanwhile is not silently overwritten. While a card has
typing not saved yet, a refresh from the store leaves the card (and its base) alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont, QHideEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from copdesk.data.fitness import AnswerData, AnswerView, AssessmentView, DimensionScore
from copdesk.framework import NOT_ASSESSED, SCORE_SCALE
from copdesk.ui.fitness.common import (
    BAND_BACKGROUNDS,
    BAND_COLOURS,
    MUTED,
    WARN,
    score_text,
)

#: Typed evidence is saved after this pause (ms); consecutive saves merge into one undo step.
TYPING_PAUSE_MS = 1200
NOT_ASSESSED_ID = -1
LINK_ROLE = 0x0100  # Qt.UserRole

Link = tuple[str, int, str]


class ScoreSelector(QFrame):
    """The scale as a row of choices with their meaning; one focus stop for the keyboard."""

    chosen = Signal(object)  # int | None, chosen by the user
    navigate = Signal(int)  # -1 previous question, +1 next question

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scoreSelector")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Score")
        self.setToolTip("Score: press 0, 1, 2 or 3, or N for not assessed; ↑/↓ other questions")
        self._read_only = False
        self._score: int | None = None
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[int, QRadioButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(14)
        for value, meaning in SCORE_SCALE:
            self._add(layout, value, f"{value}  {meaning}")
        self._add(layout, NOT_ASSESSED_ID, f"N  {NOT_ASSESSED}")
        layout.addStretch(1)
        self.buttons[NOT_ASSESSED_ID].setChecked(True)
        self.group.idClicked.connect(self._clicked)
        self.setStyleSheet(
            "QFrame#scoreSelector { border: 1px solid #d5dbdb; border-radius: 4px;"
            " background: #fbfcfc; }"
            "QFrame#scoreSelector:focus { border: 2px solid #0072B2; background: #eaf3fa; }"
        )

    def _add(self, layout: QHBoxLayout, value: int, text: str) -> None:
        button = QRadioButton(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.group.addButton(button, value)
        self.buttons[value] = button
        layout.addWidget(button)

    def score(self) -> int | None:
        return self._score

    def set_score(self, score: int | None) -> None:
        """Show a score without reporting it as the user's choice."""
        self._score = score
        self.buttons[NOT_ASSESSED_ID if score is None else score].setChecked(True)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for button in self.buttons.values():
            button.setEnabled(not read_only)

    def _clicked(self, value: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.choose(None if value == NOT_ASSESSED_ID else value)

    def choose(self, score: int | None) -> None:
        """The user picks ``score`` (reported only when it changes)."""
        if self._read_only:
            self.set_score(self._score)
            return
        if score == self._score:
            return
        self.set_score(score)
        self.chosen.emit(score)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier:
            if Qt.Key.Key_0 <= key <= Qt.Key.Key_0 + len(SCORE_SCALE) - 1:
                self.choose(key - Qt.Key.Key_0)
                return
            if key == Qt.Key.Key_N:
                self.choose(None)
                return
            order: list[int | None] = [None, *(v for v, _ in SCORE_SCALE)]
            if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
                pos = order.index(self._score) + (1 if key == Qt.Key.Key_Right else -1)
                self.choose(order[max(0, min(len(order) - 1, pos))])
                return
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.navigate.emit(1 if key == Qt.Key.Key_Down else -1)
                return
        super().keyPressEvent(event)


class EvidenceEdit(QPlainTextEdit):
    """Multi-line evidence; Tab leaves the field, leaving it reports ``left``."""

    left = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setObjectName("evidenceEdit")

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.left.emit()


def link_text(kind: str, label: str, exists: bool) -> str:
    noun = "session" if kind == "session" else "value entry"
    return f"{noun}: {label}" if exists else f"deleted {noun}: {label}"


class QuestionCard(QFrame):
    """One question: score, evidence, session links and the agreed action."""

    #: (card, what) — "score", "evidence", "action", "done", "links"
    edited = Signal(object, str)
    navigate = Signal(object, int)
    link_requested = Signal(object)

    def __init__(self, number: int, answer: AnswerView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionCard")
        self.question_key = answer.question_key
        self.dimension_key = answer.dimension_key
        self.question_text = answer.question_text
        self.number = number
        self._links: list[Link] = []
        self._link_exists: list[bool] = []
        self._saved_evidence = ""
        self._saved_action = ""
        #: The answer as last read from (or saved to) the store: what a save expects.
        self.base = AnswerData(None)
        self.evidence_round = 0  # which uninterrupted stretch of typing (for undo merging)
        self.read_only = False

        self.title = QLabel(f"<b>{number}.</b> {_escape(answer.question_text)}")
        self.title.setObjectName("questionTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.retired = QLabel("No longer in the checklist: kept with this assessment")
        self.retired.setObjectName("retiredNote")
        self.retired.setStyleSheet(
            "color: #6c3483; background: #f4ecf7; border-radius: 3px; padding: 1px 6px;"
        )
        self.retired.setVisible(answer.retired)
        self.selector = ScoreSelector()
        self.selector.setAccessibleDescription(answer.question_text)
        self.evidence = EvidenceEdit()
        self.evidence.setPlaceholderText("Evidence: what shows this? (saved as you type)")
        self.evidence.setFixedHeight(52)
        self.evidence.setAccessibleName(f"Evidence for question {number}")
        self.links = QListWidget()
        self.links.setObjectName("evidenceLinks")
        self.links.setAccessibleName(f"Linked sessions for question {number}")
        self.links.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.links.setToolTip("Sessions that back the evidence (Delete removes a link)")
        self.links.installEventFilter(self)
        self.link_button = QPushButton("Link session…")
        self.link_button.setObjectName("linkSession")
        self.link_button.setToolTip("Add a session of the community as evidence")
        self.action = QLineEdit()
        self.action.setObjectName("actionEdit")
        self.action.setPlaceholderText("Agreed action (Enter saves)")
        self.action.setAccessibleName(f"Agreed action for question {number}")
        self.done = QCheckBox("Done")
        self.done.setToolTip("The agreed action has been carried out")
        self.error = QLabel()
        self.error.setObjectName("cardError")
        self.error.setStyleSheet(f"color: {WARN};")
        self.error.setWordWrap(True)
        self.error.hide()

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.retired, 0, Qt.AlignmentFlag.AlignTop)
        link_row = QHBoxLayout()
        link_row.addWidget(self.links, 1)
        link_row.addWidget(self.link_button, 0, Qt.AlignmentFlag.AlignTop)
        action_row = QHBoxLayout()
        action_row.addWidget(QLabel("Action:"))
        action_row.addWidget(self.action, 1)
        action_row.addWidget(self.done)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(5)
        layout.addLayout(head)
        layout.addWidget(self.selector)
        layout.addWidget(self.evidence)
        layout.addLayout(link_row)
        layout.addLayout(action_row)
        layout.addWidget(self.error)
        self.setFocusProxy(self.selector)
        self.set_current(False)

        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.commit_evidence)
        self.selector.chosen.connect(lambda _s: self.edited.emit(self, "score"))
        self.selector.navigate.connect(lambda step: self.navigate.emit(self, step))
        self.evidence.textChanged.connect(self._evidence_typed)
        self.evidence.left.connect(self._evidence_left)
        self.action.editingFinished.connect(self.commit_action)
        self.done.clicked.connect(lambda _on: self.edited.emit(self, "done"))
        self.link_button.clicked.connect(lambda: self.link_requested.emit(self))
        self.show_answer(answer)

    # -- showing ---------------------------------------------------------------------------
    def has_pending_typing(self) -> bool:
        """Typed evidence or action not saved yet."""
        return self._typing.isActive() or self.evidence_dirty() or self.action_dirty()

    def show_answer(self, answer: AnswerView, *, force: bool = False) -> None:
        """Show the stored answer; text being typed that matches it is left alone.

        A card with typing not saved yet is left as it is (unless ``force``): its save
        is then checked against the answer it started from.
        """
        if not force and self.has_pending_typing():
            return
        self.base = AnswerData(
            answer.score, answer.evidence, answer.action, answer.action_done,
            tuple((ln.kind, ln.target_id, ln.label) for ln in answer.links),
        )
        self.selector.set_score(answer.score)
        self._saved_evidence = answer.evidence
        if self.evidence.toPlainText().strip() != answer.evidence:
            self._typing.stop()
            self.evidence.blockSignals(True)
            self.evidence.setPlainText(answer.evidence)
            self.evidence.blockSignals(False)
        self._saved_action = answer.action
        if self.action.text().strip() != answer.action:
            self.action.setText(answer.action)
        self.done.setChecked(answer.action_done)
        self._links = [(ln.kind, ln.target_id, ln.label) for ln in answer.links]
        self._link_exists = [ln.exists for ln in answer.links]
        self._show_links()
        self.retired.setVisible(answer.retired)
        self.error.hide()

    def _show_links(self) -> None:
        self.links.clear()
        for (kind, target, label), exists in zip(self._links, self._link_exists, strict=True):
            item = QListWidgetItem(link_text(kind, label, exists))
            item.setData(LINK_ROLE, (kind, target, label))
            if not exists:
                font = QFont()
                font.setStrikeOut(True)
                item.setFont(font)
                item.setForeground(Qt.GlobalColor.gray)
                item.setToolTip("This session was deleted; the link is kept as a record")
            self.links.addItem(item)
        count = len(self._links)
        self.links.setVisible(count > 0)
        row_height = max(self.links.sizeHintForRow(0), 18) if count else 18
        self.links.setFixedHeight(min(count, 4) * row_height + 2 * self.links.frameWidth() + 2)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.selector.set_read_only(read_only)
        self.evidence.setReadOnly(read_only)
        self.action.setReadOnly(read_only)
        self.done.setEnabled(not read_only)
        self.link_button.setEnabled(not read_only)

    def set_current(self, current: bool) -> None:
        border = "#0072B2" if current else "#dfe4e6"
        self.setStyleSheet(
            f"QFrame#questionCard {{ border: 1px solid {border}; border-radius: 6px;"
            f" background: {'#ffffff' if current else '#fcfcfc'}; }}"
        )

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    # -- the answer --------------------------------------------------------------------------
    def data(self) -> AnswerData:
        return AnswerData(
            self.selector.score(),
            self.evidence.toPlainText(),
            self.action.text(),
            self.done.isChecked(),
            tuple(self._links),
        )

    def add_link(self, link: Link) -> None:
        if any(ln[:2] == link[:2] for ln in self._links):
            return
        self._links.append(link)
        self._link_exists.append(True)
        self._show_links()
        self.edited.emit(self, "links")

    def remove_link(self, row: int) -> None:
        if self.read_only or not (0 <= row < len(self._links)):
            return
        del self._links[row]
        del self._link_exists[row]
        self._show_links()
        self.edited.emit(self, "links")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.links
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self.remove_link(self.links.currentRow())
            return True
        return super().eventFilter(watched, event)

    def show_stored(self, data: AnswerData) -> None:
        """Show ``data`` (the store's answer after a conflict), dropping the typing."""
        self._typing.stop()
        self.base = data
        self.selector.set_score(data.score)
        self._saved_evidence = data.evidence
        self.evidence.blockSignals(True)
        self.evidence.setPlainText(data.evidence)
        self.evidence.blockSignals(False)
        self._saved_action = data.action
        self.action.setText(data.action)
        self.done.setChecked(data.action_done)
        exists = {ln[:2]: ok for ln, ok in zip(self._links, self._link_exists, strict=True)}
        self._links = list(data.links)
        self._link_exists = [exists.get(ln[:2], True) for ln in self._links]
        self._show_links()
        self.error.hide()

    def unsaved(self, message: str) -> None:
        """The last save was refused: keep the typing, mark it as not saved yet."""
        self._saved_evidence = self.base.evidence
        self._saved_action = self.base.action
        self.show_error(message)

    def evidence_dirty(self) -> bool:
        return self.evidence.toPlainText().strip() != self._saved_evidence

    def action_dirty(self) -> bool:
        return self.action.text().strip() != self._saved_action

    def _evidence_typed(self) -> None:
        if not self.read_only:
            self._typing.start()

    def _evidence_left(self) -> None:
        self.commit_evidence()
        self.evidence_round += 1  # typing after coming back is a new undo step

    def commit_evidence(self) -> None:
        self._typing.stop()
        if self.evidence_dirty() and not self.read_only:
            self._saved_evidence = self.evidence.toPlainText().strip()
            self.edited.emit(self, "evidence")

    def commit_action(self) -> None:
        if self.action_dirty() and not self.read_only:
            self._saved_action = self.action.text().strip()
            self.edited.emit(self, "action")

    def commit_pending(self) -> None:
        self.commit_evidence()
        self.commit_action()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DimensionHeader(QWidget):
    """A dimension's name and its live score, above its questions."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLabel(label)
        self.name.setStyleSheet("font-size: 12pt; font-weight: 600; color: #1c2833;")
        self.score = QLabel()
        self.score.setObjectName("dimensionScore")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 10, 2, 2)
        layout.addWidget(self.name)
        layout.addWidget(self.score)
        layout.addStretch(1)

    def set_score(self, dim: DimensionScore | None) -> None:
        if dim is None:
            self.score.setText("")
            return
        band = dim.band
        passes = " · passes" if dim.passes else ""
        self.score.setText(f"{score_text(dim.share, band)}{passes}")
        self.score.setStyleSheet(
            f"color: {BAND_COLOURS[band]}; background: {BAND_BACKGROUNDS[band]};"
            " border-radius: 3px; padding: 1px 8px; font-weight: 600;"
        )


class HintBox(QLabel):
    """What the store already knows about a dimension: a hint, not a score."""

    def __init__(self, lines: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hintBox")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.set_lines(lines)
        self.setStyleSheet(
            "QLabel#hintBox { background: #f4f6f7; border-left: 3px solid #56B4E9;"
            f" color: {MUTED}; padding: 6px 8px; }}"
        )

    def set_lines(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        if self.lines:
            items = "".join(f"<li>{_escape(line)}</li>" for line in self.lines)
            self.setText(
                "<b>From the store</b> (a hint; you decide the score):"
                f"<ul style='margin-left: -18px'>{items}</ul>"
            )
        else:
            self.setText("<i>Nothing in the store speaks to this yet.</i>")


class QuestionnaireView(QScrollArea):
    """All questions of one assessment; rebuilt only when another assessment is shown."""

    edited = Signal(object, str)  # (QuestionCard, what)
    link_requested = Signal(object)  # QuestionCard

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionnaire")
        self.setWidgetResizable(True)
        self.cards: list[QuestionCard] = []
        self.headers: dict[str, DimensionHeader] = {}
        self.hint_boxes: dict[str, HintBox] = {}
        self._assessment_id: int | None = None
        self._keys: list[str] = []
        self._build_empty()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _build_empty(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        message = QLabel("Choose an assessment, or start a new one (Ctrl+N).")
        message.setStyleSheet(f"color: {MUTED}; font-size: 11pt;")
        message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(message)
        self.setWidget(page)

    @property
    def assessment_id(self) -> int | None:
        return self._assessment_id

    def set_view(self, view: AssessmentView | None, hints: dict[str, list[str]]) -> None:
        """Show an assessment: rebuild for another one, update in place for the same."""
        keys = [a.question_key for a in view.answers] if view is not None else []
        if view is not None and view.id == self._assessment_id and keys == self._keys:
            self.update_view(view)
            return
        self.commit_pending()
        self._assessment_id = view.id if view is not None else None
        self._keys = keys
        self.cards = []
        self.headers = {}
        self.hint_boxes = {}
        if view is None:
            self._build_empty()
            return
        page = QWidget()
        page.setObjectName("questionnairePage")
        outer = QVBoxLayout(page)
        outer.setContentsMargins(8, 4, 8, 12)
        outer.setSpacing(6)
        number = 0
        for dim_key, answers in _grouped(view.answers):
            header = DimensionHeader(answers[0].dimension_label)
            header.set_score(view.dimension(dim_key))
            self.headers[dim_key] = header
            outer.addWidget(header)
            row = QHBoxLayout()
            column = QVBoxLayout()
            column.setSpacing(6)
            for answer in answers:
                number += 1
                card = QuestionCard(number, answer)
                card.edited.connect(self.edited)
                card.navigate.connect(self._navigate)
                card.link_requested.connect(self.link_requested)
                self.cards.append(card)
                column.addWidget(card)
            row.addLayout(column, 3)
            hint = HintBox(hints.get(dim_key, []))
            hint.setMinimumWidth(180)
            hint.setMaximumWidth(300)
            self.hint_boxes[dim_key] = hint
            hint_column = QVBoxLayout()
            hint_column.addWidget(hint)
            hint_column.addStretch(1)
            row.addLayout(hint_column, 1)
            outer.addLayout(row)
        outer.addStretch(1)
        self.setWidget(page)
        self.set_read_only(not view.is_draft)

    def update_view(self, view: AssessmentView) -> None:
        by_key = {a.question_key: a for a in view.answers}
        for card in self.cards:
            answer = by_key.get(card.question_key)
            if answer is not None:
                card.show_answer(answer)
        for key, header in self.headers.items():
            header.set_score(view.dimension(key))
        self.set_read_only(not view.is_draft)

    def set_hints(self, hints: dict[str, list[str]]) -> None:
        for key, box in self.hint_boxes.items():
            box.set_lines(hints.get(key, []))

    def set_read_only(self, read_only: bool) -> None:
        for card in self.cards:
            card.set_read_only(read_only)

    def card(self, question_key: str) -> QuestionCard | None:
        return next((c for c in self.cards if c.question_key == question_key), None)

    def current_card(self) -> QuestionCard | None:
        focus = QApplication.focusWidget()
        while focus is not None:
            if isinstance(focus, QuestionCard):
                return focus
            focus = focus.parentWidget()
        return None

    def focus_question(self, index: int) -> None:
        if 0 <= index < len(self.cards):
            card = self.cards[index]
            card.selector.setFocus(Qt.FocusReason.OtherFocusReason)
            self.ensureWidgetVisible(card, 40, 40)

    def _navigate(self, card: QuestionCard, step: int) -> None:
        self.focus_question(self.cards.index(card) + step)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        before = _card_of(old)
        after = _card_of(new)
        if before is after:
            return
        if before is not None and before in self.cards:
            before.set_current(False)
        if after is not None and after in self.cards and new is not None:
            after.set_current(True)
            self.ensureWidgetVisible(new, 40, 60)

    def commit_pending(self) -> None:
        for card in self.cards:
            card.commit_pending()

    def hideEvent(self, event: QHideEvent) -> None:
        self.commit_pending()
        super().hideEvent(event)


def _card_of(widget: QWidget | None) -> QuestionCard | None:
    while widget is not None:
        if isinstance(widget, QuestionCard):
            return widget
        widget = widget.parentWidget()
    return None


def _grouped(answers: Sequence[AnswerView]) -> list[tuple[str, list[AnswerView]]]:
    groups: dict[str, list[AnswerView]] = {}
    for answer in answers:
        groups.setdefault(answer.dimension_key, []).append(answer)
    return list(groups.items())
