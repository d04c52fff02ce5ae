"""Packaging: `python -m build` makes a wheel and an sdist; the wheel installs into a clean
virtualenv and logs in against the real server (the demo-server check of the issue)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import TestServer

PACKAGE = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.wheel, pytest.mark.integration]

LOGIN_SCRIPT = """
import json, os, sys
import kami_verify
assert "site-packages" in kami_verify.__file__, kami_verify.__file__
cfg = json.loads(os.environ["KAMI_TEST_CONFIG"])
options = dict(app_key=cfg["appKey"], routes=cfg["routes"], encoding=cfg["encoding"])
with kami_verify.Client(cfg["url"], **options) as c:
    login = c.login(cfg["card"], kami_verify.get_machine_code("wheel-test"))
    print(json.dumps({"statecode": login.statecode, "beat": c.heartbeat(login.statecode).msg}))
"""


def run(*args: str, **kwargs: object) -> str:
    done = subprocess.run(list(args), capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return str(done.stdout)


def test_wheel_and_sdist_build_install_and_log_in(tmp_path: Path, rsa_server: TestServer) -> None:
    out = tmp_path / "dist"
    # --no-isolation: the build backend comes from the locked test environment, not the network.
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(PACKAGE))
    wheel = next(out.glob("kami_verify-*.whl"))
    sdist = next(out.glob("kami_verify-*.tar.gz"))
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("kami_verify/py.typed", "kami_verify/messages.json", "kami_verify/__init__.py"):
        assert required in names
    assert not any(name.startswith("tests/") for name in names)
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert any(m.endswith("src/kami_verify/messages.json") for m in members)
    assert any(m.endswith("requirements-dev.lock") for m in members)

    venv = tmp_path / "clean-venv"
    run(sys.executable, "-m", "venv", str(venv))
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    run(str(python), "-m", "pip", "install", "--quiet", str(wheel))
    config = dict(rsa_server.app, url=rsa_server.url, card=rsa_server.card())
    env = dict(os.environ, KAMI_TEST_CONFIG=json.dumps(config))
    env.pop("PYTHONPATH", None)
    result = json.loads(run(str(python), "-c", LOGIN_SCRIPT, env=env, cwd=str(tmp_path)))
    assert result["beat"] == "在线" and len(result["statecode"]) == 32
