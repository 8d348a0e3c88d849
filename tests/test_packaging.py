"""The built wheel carries everything copdesk needs, and works from a fresh environment."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("copdesk-*.whl")
    return built


def test_wheel_ships_resources_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "copdesk/resources/fonts/DejaVuSans.ttf" in names
    assert "copdesk/resources/fonts/LICENSE-DejaVu.txt" in names
    assert any(n.startswith("copdesk/resources/icons/") and n.endswith(".svg") for n in names)
    assert "copdesk/data/migrations/env.py" in names
    assert any(n.startswith("copdesk/data/migrations/versions/0001") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "copdesk = copdesk.cli:main" in text


@pytest.mark.slow
def test_installed_wheel_runs_version_and_a_pdf_export(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "-c", str(ROOT / "constraints.txt"), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}}
    env["QT_QPA_PLATFORM"] = "offscreen"
    workdir = tmp_path / "elsewhere"  # not the checkout: only the wheel can be imported
    workdir.mkdir()

    def copdesk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bindir / "copdesk"), *args], cwd=workdir, env=env, capture_output=True,
            text=True, timeout=300,
        )

    version = copdesk("--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("copdesk ")
    where = subprocess.run(
        [str(bindir / "python"), "-c", "import copdesk, copdesk.resources as r;"
         "print(copdesk.__file__); print(r.resources_dir())"],
        cwd=workdir, env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert str(ROOT) not in where and str(venv) in where

    db = str(tmp_path / "store.sqlite")
    demo = copdesk("demo", "--db", db)
    assert demo.returncode == 0, demo.stderr
    pdf = tmp_path / "roster.pdf"
    report = copdesk("report", "roster", "--db", db, "--out", str(pdf))
    assert report.returncode == 0, report.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
