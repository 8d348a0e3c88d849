"""The main window: four tabs, the menus, the status bar, and what it remembers."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from copdesk import __version__
from copdesk.logs import get_logger
from copdesk.ui import dialogs
from copdesk.ui.icons import app_icon, icon

# The window paints its frame before anything below loads (SQLAlchemy, the store, the
# tabs: about a second and a half on a slow laptop); ``MainWindow.build`` imports them.
if TYPE_CHECKING:
    from copdesk.data.communities import CommunityInfo
    from copdesk.data.store import Store
    from copdesk.ui.fitness.tab import FitnessTab
    from copdesk.ui.members.tab import MembersTab
    from copdesk.ui.sessions.tab import SessionsTab
    from copdesk.ui.tabs import TabPage
    from copdesk.ui.values.tab import ValueTab

DEFAULT_SIZE = (1280, 800)
#: The tabs' titles and icons, for the frame painted before the tabs themselves load
#: (each tab class says the same in its ``title`` and ``icon_name``; a test checks).
TAB_HEADS = (("Members", "members"), ("Sessions", "sessions"), ("Fitness", "fitness"),
             ("Value", "value"))
MEMBERS, SESSIONS, FITNESS, VALUE = range(len(TAB_HEADS))
log = get_logger("window")


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) or "roster"


class MainWindow(QMainWindow):
    """copdesk's window on one store and one of its communities at a time.

    ``settings`` is where window state is remembered (tests pass a temp INI file);
    ``owns_store`` says whether closing the window (or opening another store) closes it.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        settings: QSettings,
        owns_store: bool = False,
        parent: QWidget | None = None,
        defer: str | None = None,
    ) -> None:
        """With ``defer`` (a line such as "Opening mine.sqlite…") only the frame is made:
        its size, the tab bar and that line, so that it paints at once; :meth:`build`
        then makes the rest. Without it the window is whole when this returns."""
        super().__init__(parent)
        self.settings = settings
        self._owns_store = owns_store
        self._built = False
        self._init_window()
        self._init_frame(defer or "")
        if defer is None:
            self.build()
            if store is not None:
                self.open_store(store, owns=owns_store)

    @property
    def built(self) -> bool:
        return self._built

    def build(self) -> None:
        """The tabs, menus and the store's machinery, in place of the frame's placeholders."""
        if self._built:
            return
        from copdesk.ui.backups import BackupScheduler
        from copdesk.ui.live import LiveUpdates
        from copdesk.ui.workspace import Workspace

        self.workspace = Workspace(self)
        self.backups = BackupScheduler(self)
        #: Other people's changes on a shared store reach the window on a light poll.
        self.live = LiveUpdates(self.workspace, parent=self)
        self._init_tabs()
        self._init_actions()
        self._init_menus()
        self._connect_signals()
        self._restore_settings()
        self._built = True

    # -- building ------------------------------------------------------------------------
    def _init_window(self) -> None:
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.setWindowTitle("copdesk")
        width, height = DEFAULT_SIZE
        screen = QGuiApplication.primaryScreen()
        if screen is not None:  # never larger than the screen (a 1366x768 laptop)
            room = screen.availableGeometry()
            width = min(width, int(room.width() * 0.95))
            height = min(height, int(room.height() * 0.92))
        self.resize(width, height)

    def _init_frame(self, starting: str) -> None:
        """What the first paint shows: the tab bar and a line saying what is happening."""
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        for title, icon_name in TAB_HEADS:
            placeholder = QLabel(starting)
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setObjectName("startingLabel")
            self.tabs.addTab(placeholder, icon(icon_name), title)
        tab = self.settings.value("window/tab", 0, type=int)
        if isinstance(tab, int) and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)
        self.central = QStackedWidget()
        self.central.addWidget(self.tabs)
        self.setCentralWidget(self.central)
        bar = self.menuBar()  # filled in by build(); there from the start, so nothing jumps
        self.menus = [bar.addMenu(title) for title in ("&File", "&Edit", "&View", "&Help")]
        self.where_label = QLabel()
        self.where_label.setObjectName("whereLabel")
        self.where_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.where_label, 1)
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)

    def _init_tabs(self) -> None:
        """The Members tab now; the others when first shown (or first asked for).

        A tab's widgets and modules take a few megabytes each; a facilitator who only
        looks at the roster never pays for the other three.
        """
        from copdesk.ui.community import WelcomePage

        self._pages: list[TabPage | None] = [None] * len(TAB_HEADS)
        self._settings_restored = False  # then a tab made later restores its own
        self.page(MEMBERS)
        current = self.tabs.currentIndex()
        if current != MEMBERS:
            self.page(current)
        self.welcome = WelcomePage()
        self.central.insertWidget(0, self.welcome)

    def _make_page(self, index: int) -> TabPage:
        if index == MEMBERS:
            from copdesk.ui.members.tab import MembersTab

            return MembersTab(self.workspace)
        if index == SESSIONS:
            from copdesk.ui.sessions.tab import SessionsTab

            sessions = SessionsTab(self.workspace)
            sessions.log_value_requested.connect(self.log_value_from_session)
            return sessions
        if index == FITNESS:
            from copdesk.ui.fitness.tab import FitnessTab

            return FitnessTab(self.workspace)
        from copdesk.ui.values.tab import ValueTab

        return ValueTab(self.workspace)

    def page(self, index: int) -> TabPage:
        """The tab at ``index``, made (in place of its placeholder) if not yet made."""
        made = self._pages[index]
        if made is not None:
            return made
        page = self._make_page(index)
        page.set_lazy(True)  # a hidden tab loads when it is first shown
        page.mark_stale()  # the workspace may already show a store
        if self._settings_restored:  # made after the window: its remembered layout now
            page.restore_state(self.settings)
        self._pages[index] = page
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)
        placeholder = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if placeholder is not None:
            placeholder.deleteLater()
        title, icon_name = TAB_HEADS[index]
        self.tabs.insertTab(index, page, icon(icon_name), title)
        self.tabs.setCurrentIndex(max(current, 0))
        self.tabs.blockSignals(False)
        return page

    @property
    def pages(self) -> list[TabPage]:
        """The tabs made so far, in tab order."""
        return [p for p in self._pages if p is not None]

    @property
    def members_tab(self) -> MembersTab:
        return cast("MembersTab", self.page(MEMBERS))

    @property
    def sessions_tab(self) -> SessionsTab:
        return cast("SessionsTab", self.page(SESSIONS))

    @property
    def fitness_tab(self) -> FitnessTab:
        return cast("FitnessTab", self.page(FITNESS))

    @property
    def value_tab(self) -> ValueTab:
        return cast("ValueTab", self.page(VALUE))

    def _init_actions(self) -> None:
        self.new_community_action = QAction("&New community…", self)
        self.switch_community_action = QAction("&Switch community…", self)
        self.community_details_action = QAction("Community &details…", self)
        self.open_store_action = QAction("&Open store…", self)
        self.open_store_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
        self.export_report_action = QAction(icon("roster"), "&Report (PDF)…", self)
        self.export_report_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_csv_action = QAction(icon("export"), "Members &CSV…", self)
        self.logo_action = QAction("Host &logo…", self)
        self.remove_logo_action = QAction("Remove host logo", self)
        self.restore_action = QAction("&Restore from backup…", self)
        self.data_info_action = QAction("&Data and backups…", self)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        stack = self.workspace.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.find_action = QAction("&Find", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))

        self.tab_actions: list[QAction] = []
        group = QActionGroup(self)
        for i, (title, icon_name) in enumerate(TAB_HEADS):
            action = QAction(icon(icon_name), title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.setCheckable(True)
            group.addAction(action)
            self.tab_actions.append(action)
        self.tab_actions[0].setChecked(True)
        self.detail_action = QAction("Member &details", self)
        self.detail_action.setCheckable(True)
        self.detail_action.setChecked(True)
        self.about_action = QAction("&About copdesk", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        for action in (self.undo_action, self.redo_action, self.find_action, *self.tab_actions):
            self.addAction(action)

    def _init_menus(self) -> None:
        file_menu, edit_menu, view_menu, help_menu = self.menus
        file_menu.addAction(self.new_community_action)
        file_menu.addAction(self.switch_community_action)
        file_menu.addAction(self.community_details_action)
        file_menu.addSeparator()
        file_menu.addAction(self.open_store_action)
        file_menu.addSeparator()
        self.export_menu = QMenu("&Export…", self)
        self.export_menu.addAction(self.export_report_action)
        self.export_menu.addSeparator()
        self.export_menu.addAction(self.export_csv_action)
        file_menu.addMenu(self.export_menu)
        file_menu.addAction(self.logo_action)
        file_menu.addAction(self.remove_logo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)

        for action in self.tab_actions:
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.detail_action)
        view_menu.addMenu(self.members_tab.column_menu(self))

        help_menu.addAction(self.data_info_action)
        help_menu.addAction(self.about_action)

    def _connect_signals(self) -> None:
        self.new_community_action.triggered.connect(self.new_community)
        self.switch_community_action.triggered.connect(self.switch_community)
        self.community_details_action.triggered.connect(self.edit_community)
        self.open_store_action.triggered.connect(self.choose_store)
        self.export_report_action.triggered.connect(self.export_report)
        self.export_csv_action.triggered.connect(self.members_tab.export_csv)
        self.quit_action.triggered.connect(self.close)
        self.restore_action.triggered.connect(self.restore_from_backup)
        self.logo_action.triggered.connect(self.choose_logo)
        self.remove_logo_action.triggered.connect(lambda: self.set_logo(None))
        self.data_info_action.triggered.connect(self.show_data_info)
        self.backups.finished.connect(self._backup_finished)
        self.live.connection_changed.connect(self._connection_changed)
        self.find_action.triggered.connect(self.focus_filter)
        self.about_action.triggered.connect(self.about)
        for i, action in enumerate(self.tab_actions):
            action.triggered.connect(lambda _c=False, i=i: self.tabs.setCurrentIndex(i))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.detail_action.toggled.connect(self.members_tab.detail.setVisible)
        self.welcome.create_button.clicked.connect(self.new_community)
        self.welcome.demo_button.clicked.connect(self.open_demo)
        self.welcome.open_button.clicked.connect(self.choose_store)
        self.workspace.events.changed.connect(lambda _c: self._update_status())

    # -- settings ------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for page in self.pages:
            page.restore_state(self.settings)
        self._settings_restored = True
        tab = self.settings.value("window/tab", 0, type=int)
        if isinstance(tab, int) and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)
        self._on_tab_changed(self.tabs.currentIndex())
        detail = self.settings.value("members/detail_visible", True, type=bool)
        self.detail_action.setChecked(bool(detail))
        self.members_tab.detail.setVisible(bool(detail))

    def save_settings(self) -> None:
        from copdesk.data.store import url_without_password
        from copdesk.ui.settings import store_key

        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/tab", self.tabs.currentIndex())
        self.settings.setValue("members/detail_visible", self.detail_action.isChecked())
        for page in self.pages:
            page.save_state(self.settings)
        store = self.workspace.store
        if store is not None:
            self.settings.setValue("store/last", url_without_password(store.url))
            if self.workspace.community_id is not None:
                self.settings.setValue(
                    f"{store_key(store.url)}/community", self.workspace.community_id
                )
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._built:  # closed while starting: nothing to keep yet
            super().closeEvent(event)
            return
        self.live.stop()
        self.save_settings()
        self._release_store()
        super().closeEvent(event)

    # -- store and community ----------------------------------------------------------------
    @property
    def store(self) -> Store | None:
        return self.workspace.store

    @property
    def community_id(self) -> int | None:
        return self.workspace.community_id

    def _release_store(self) -> None:
        from copdesk.data import backup
        from copdesk.ui.tasks import QueryRunner

        store = self.workspace.store
        if store is not None:
            # Background work on this store (a map, an import) ends before it is let go:
            # results still wanted are dropped, a write in progress is waited for.
            for runner in self.findChildren(QueryRunner):
                runner.cancel()
                runner.wait()
            try:
                self.backups.backup_now_if_changed()
            except backup.BackupError as exc:
                log.warning("backup on close failed")
                dialogs.warning(self, "No backup was made", str(exc))
            self.backups.stop()
            self.backups.attach(None)
        self.workspace.set_store(None)
        self.workspace.set_community(None)
        if store is not None and self._owns_store:
            store.close()

    def open_store(self, store: Store, *, owns: bool | None = None) -> None:
        """Show ``store``: its remembered community, its only one, or the first of several."""
        from copdesk.data.store import url_without_password
        from copdesk.ui.settings import store_key

        if store is not self.workspace.store:
            self._release_store()
        if owns is not None:
            self._owns_store = owns
        self.workspace.set_store(store)
        self.backups.attach(store)
        if store.path is None:  # a shared server store: follow the others' changes
            self.live.start()
        else:  # an SQLite file is open in this window only (it is locked)
            self.live.stop()
        self.settings.setValue("store/last", url_without_password(store.url))
        infos = self._communities()
        remembered = self.settings.value(f"{store_key(store.url)}/community", None)
        chosen: int | None = None
        for info in infos:
            if str(info.id) == str(remembered):
                chosen = info.id
        if chosen is None and infos:
            chosen = infos[0].id
        self.set_community(chosen)

    def _communities(self) -> list[CommunityInfo]:
        from copdesk.data import communities

        if self.store is None:
            return []
        with self.store.session() as session:
            return communities.list_communities(session)

    def set_community(self, community_id: int | None) -> None:
        from copdesk.ui.settings import store_key

        self.workspace.set_community(community_id)
        if self.store is not None and community_id is not None:
            self.settings.setValue(f"{store_key(self.store.url)}/community", community_id)
        self.central.setCurrentWidget(self.tabs if community_id is not None else self.welcome)
        self._update_status()

    def community(self) -> CommunityInfo | None:
        from copdesk.data import communities

        if self.store is None or self.community_id is None:
            return None
        with self.store.session() as session:
            try:
                return communities.get_community(session, self.community_id)
            except communities.CommunityError:
                return None

    def _update_status(self) -> None:
        from copdesk.data.store import describe

        store = self.store
        info = self.community()
        several = len(self._communities()) > 1
        self.switch_community_action.setEnabled(several)
        has = info is not None
        for action in (self.export_report_action, self.export_csv_action, self.find_action,
                       self.logo_action, self.remove_logo_action,
                       self.community_details_action):
            action.setEnabled(has)
        if store is None:
            self.where_label.setText("No store open")
            self.setWindowTitle("copdesk")
            return
        where = f"Store: {describe(store.url)}"
        if info is None:
            self.where_label.setText(f"{where}  ·  No community yet")
            self.setWindowTitle("copdesk")
        else:
            noun = "member" if info.member_count == 1 else "members"
            self.where_label.setText(
                f"Community: {info.name} ({info.member_count} {noun})  ·  {where}"
            )
            self.setWindowTitle(f"{info.name} — copdesk")

    # -- user actions ------------------------------------------------------------------------
    def focus_filter(self) -> None:
        from copdesk.ui.tabs import TabPage

        if self.central.currentWidget() is not self.tabs:
            return
        page = self.tabs.currentWidget()
        if isinstance(page, TabPage):
            page.focus_filter()

    def _on_tab_changed(self, index: int) -> None:
        if 0 <= index < len(self._pages):
            self.page(index)
        if 0 <= index < len(self.tab_actions):
            self.tab_actions[index].setChecked(True)

    def new_community(self) -> None:
        from copdesk.data import communities
        from copdesk.data.store import StoreError
        from copdesk.ui.community import CommunityForm

        store = self.store
        if store is None:
            return
        created: list[int] = []

        def submit(name: str, domain: str, host: str, stage: str) -> None:
            created.append(
                store.run(
                    communities.create_community,
                    name,
                    domain=domain,
                    host_organisation=host,
                    stage=stage,
                )
            )

        form = CommunityForm(submit, self)
        try:
            accepted = dialogs.run(form)
        except StoreError as exc:
            dialogs.error(self, "The community was not created", str(exc))
            return
        finally:
            form.deleteLater()
        if accepted and created:
            self.set_community(created[0])

    def edit_community(self) -> None:
        """File > Community details…: name, domain, host and stage; undoable.

        Saved against the version the form was filled from: on a shared store, details
        someone else changed meanwhile are shown beside the user's (reload or overwrite).
        """
        from copdesk.data import communities
        from copdesk.data.store import ConflictError, StoreError
        from copdesk.framework import Stage
        from copdesk.ui import conflicts
        from copdesk.ui.community import CommunityForm
        from copdesk.ui.undo import perform_done

        store, before = self.store, self.community()
        if store is None or before is None:
            return
        cid = before.id
        labels = {"name": "Name", "domain": "Domain", "host": "Host organisation",
                  "stage": "Stage of development"}
        stage_label = {s.value: s.label for s in Stage}

        def shown(name: str, domain: str, host: str, stage: str) -> dict[str, str]:
            return {"name": name, "domain": domain, "host": host,
                    "stage": stage_label.get(stage, stage)}

        def save(values: tuple[str, str, str, str], expected: int | None) -> None:
            name, domain, host, stage = values
            store.run(communities.update_community, cid, name=name, domain=domain,
                      host_organisation=host, stage=stage, expected_version=expected)

        def submit(name: str, domain: str, host: str, stage: str) -> bool:
            values = (name, domain, host, stage)
            try:
                save(values, form.expected_version)
            except ConflictError:
                now = self.community()
                if now is None:  # the community itself is gone: nothing to save into
                    dialogs.information(
                        form, "The community is gone",
                        "Someone else deleted this community while you were editing its "
                        "details; nothing was saved.",
                    )
                    form.reject()
                    return False
                theirs = (now.name, now.domain, now.host_organisation, now.stage)
                return conflicts.resolve(
                    form, values, (theirs, now.version), what="community",
                    name="the community's details", editing="while you were editing them",
                    labels=labels, describe=lambda v: shown(*v),
                    refill=lambda _theirs: form.fill(now), save=lambda: submit(*values),
                )
            after.append(values)
            return True

        after: list[tuple[str, str, str, str]] = []
        form = CommunityForm(submit, self, info=before)
        try:
            accepted = dialogs.run(form)
        except StoreError as exc:
            dialogs.error(self, "The community's details were not saved", str(exc))
            return
        finally:
            form.deleteLater()
        if not accepted or not after:
            return
        old = (before.name, before.domain, before.host_organisation, before.stage)
        perform_done(
            self.workspace.undo_stack,
            "Change the community's details",
            undo=lambda: save(old, None),
            redo=lambda: save(after[0], None),
        )
        self._update_status()

    def open_demo(self) -> None:
        from copdesk.data.store import StoreError

        store = self.store
        if store is None:
            return
        from copdesk.data import demo  # only when asked for: it is large

        try:
            cid = store.run(demo.create_demo)
        except demo.DemoExistsError:
            existing = [i for i in self._communities() if i.is_demo]
            if not existing:
                dialogs.error(self, "No demo community", "The demo community cannot be found.")
                return
            cid = existing[0].id
        except StoreError as exc:
            dialogs.error(self, "The demo community was not created", str(exc))
            return
        self.set_community(cid)

    def switch_community(self) -> None:
        infos = self._communities()
        if len(infos) < 2:
            return
        names = [i.name for i in infos]
        current = next((n for n, i in enumerate(infos) if i.id == self.community_id), 0)
        name = dialogs.choose(self, "Switch community", "Work on community:", names, current)
        if name is None:
            return
        for info in infos:
            if info.name == name:
                self.set_community(info.id)

    def choose_store(self) -> None:
        from copdesk.data.store import Store, StoreError

        path = dialogs.open_file(
            self,
            "Open a copdesk store",
            "copdesk stores (*.sqlite *.sqlite3 *.db);;All files (*)",
        )
        if path is None:
            return
        current = self.store
        if current is not None and current.path is not None and current.path == path.resolve():
            self.statusBar().showMessage(f"{path} is already open", 5000)
            return
        try:
            store = Store.open(path, exclusive=True)
        except StoreError as exc:
            dialogs.error(self, "Cannot open this store", str(exc))
            return
        self.open_store(store, owns=True)
        self.statusBar().showMessage(f"Opened {path}", 5000)

    def choose_logo(self) -> None:
        """File > Host logo…: the logo printed on the reports' covers, kept in the store."""
        from copdesk.ui.logo import LogoError, read_logo

        path = dialogs.open_file(
            self, "Choose the host's logo", "Images (*.png *.jpg *.jpeg *.svg);;All files (*)"
        )
        if path is None:
            return
        try:
            data = read_logo(path)
        except LogoError as exc:
            dialogs.error(self, "The logo was not added", str(exc))
            return
        self.set_logo(data)

    def set_logo(self, data: bytes | None) -> None:
        """Keep ``data`` as the host's logo (None removes it); undoable."""
        from copdesk.data import communities
        from copdesk.data.store import StoreError
        from copdesk.data.validation import ValidationError
        from copdesk.ui.undo import perform_done

        store, cid = self.store, self.community_id
        if store is None or cid is None:
            return
        try:
            before = store.run(communities.set_logo, cid, data)
        except (ValidationError, StoreError) as exc:
            detail = "; ".join(exc.errors.values()) if isinstance(exc, ValidationError) else exc
            dialogs.error(self, "The logo was not changed", str(detail))
            return
        perform_done(
            self.workspace.undo_stack,
            "Remove the host's logo" if data is None else "Set the host's logo",
            undo=lambda: store.run(communities.set_logo, cid, before),
            redo=lambda: store.run(communities.set_logo, cid, data),
        )
        self.statusBar().showMessage(
            "The host's logo was removed" if data is None
            else "The host's logo will print on the report covers", 5000,
        )

    def export_report(self) -> None:
        """File > Export > Report (Ctrl+E): any report, built off the UI thread."""
        from copdesk.ui.export_dialog import ExportDialog  # ReportLab loads on use

        store, community_id = self.store, self.community_id
        if store is None or community_id is None:
            return
        sessions = self._pages[SESSIONS]  # a session chosen there, if it was ever shown
        row = cast("SessionsTab", sessions).current_row() if sessions is not None else None
        dialog = ExportDialog(
            store, community_id, self.settings, self, session_id=row.id if row else None
        )
        try:
            dialogs.run(dialog)
        finally:
            dialog.deleteLater()

    def log_value_from_session(self, session_id: int) -> None:
        """From a held session: the Value tab's form, filled in with the session."""
        self.tabs.setCurrentWidget(self.value_tab)
        self.value_tab.log_value_from_session(session_id)

    def _connection_changed(self, online: bool, message: str) -> None:
        self.statusBar().showMessage(message, 8000 if online else 0)

    def _backup_finished(self, result: object) -> None:
        from copdesk.data import backup

        if isinstance(result, backup.BackupInfo):
            self.statusBar().showMessage(f"Backup made: {result.describe()}", 5000)
        else:
            self.statusBar().showMessage(f"The daily backup failed: {result}", 10000)

    def show_data_info(self) -> None:
        from copdesk.ui.backups import DataInfoDialog

        dialog = DataInfoDialog(self.store, self.backups, self)
        try:
            dialogs.run(dialog)
        finally:
            dialog.deleteLater()

    def restore_from_backup(self) -> None:
        """Put a backup back in place of the open store, keeping a copy of it first."""
        from copdesk.data import backup
        from copdesk.data.store import Store, StoreError
        from copdesk.ui.backups import RestoreDialog

        store = self.store
        folder = self.backups.folder()
        if store is None or store.path is None or folder is None:
            dialogs.information(
                self,
                "Restore from backup",
                "Only a store file on this computer has copdesk backups; a shared server "
                "store is backed up by its server.",
            )
            return
        dialog = RestoreDialog(folder, self)
        try:
            accepted = dialogs.run(dialog)
            chosen = dialog.chosen()
        finally:
            dialog.deleteLater()
        if not accepted or chosen is None:
            return
        path, url = store.path, store.url
        if not dialogs.confirm(
            self,
            "Restore from backup",
            f"Replace the store with the backup from {chosen.name}?",
            ok_text="Restore",
            destructive=True,
            informative="Changes made since that backup are kept in a copy of the current "
            "store beside it, not deleted.",
        ):
            return
        self._release_store()
        try:
            kept = backup.restore_file(path, chosen)
        except backup.BackupError as exc:
            dialogs.error(self, "The backup was not restored", str(exc))
            kept = None
        try:
            reopened = Store.open(url, exclusive=True)
        except StoreError as exc:
            dialogs.error(self, "The store cannot be opened", str(exc))
            return
        self.open_store(reopened, owns=True)
        if kept is not None:
            dialogs.information(
                self,
                "Backup restored",
                f"The backup from {chosen.name} is back in place.\n\nThe store as it was "
                f"before is kept at {kept}.",
            )

    def about(self) -> None:
        dialogs.information(
            self,
            "About copdesk",
            f"copdesk {__version__}\n\n"
            "A desktop workbench for the people who run Communities of Practice: the "
            "roster and its knowledge map, sessions, fitness and value, on one local store.",
        )
