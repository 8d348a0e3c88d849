"""`copdesk transfer` as a subprocess: a community copied between two store files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from copdesk.data import communities, members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData

pytestmark = pytest.mark.sqlite_only


def copdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "copdesk", *args], capture_output=True,
                          text=True, timeout=300)


def test_transfer_copies_refuses_an_existing_name_and_replaces_on_request(tmp_path: Path) -> None:
    source, target = tmp_path / "laptop.sqlite", tmp_path / "shared.sqlite"
    with Store.open(source) as store:
        cid = store.run(communities.create_community, "River Keepers")
        store.run(members.add_member, cid, MemberData(full_name="Ἀθηνᾶ Παπαδάκη", level="core"))
    done = copdesk("transfer", "--from", str(source), "--to", str(target),
                   "--community", "River Keepers")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Copied 'River Keepers' from ")
    with Store.open(target) as store, store.session() as s:
        info = communities.find_community(s, "River Keepers")
        assert [r.full_name for r in members.list_members(s, info.id)] == ["Ἀθηνᾶ Παπαδάκη"]
    again = copdesk("transfer", "--from", str(source), "--to", str(target),
                    "--community", "River Keepers")
    assert again.returncode == 1
    assert again.stderr.startswith("copdesk: error: ") and len(again.stderr.splitlines()) == 1
    replaced = copdesk("transfer", "--from", str(source), "--to", str(target),
                       "--community", "River Keepers", "--replace")
    assert replaced.returncode == 0 and replaced.stdout.startswith("Replaced ")
    unknown = copdesk("transfer", "--from", str(source), "--to", str(target),
                      "--community", "Nobody")
    assert unknown.returncode == 1 and "Nobody" in unknown.stderr
    usage = copdesk("transfer", "--from", str(source))
    assert usage.returncode == 2
