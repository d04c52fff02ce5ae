#!/usr/bin/env python3
"""The package's `npm test`: a virtualenv from the hash-locked requirements (created once, reused
while the lock is unchanged), then ruff, mypy --strict and pytest. Ends with one line
`python: N passed, M failed` (pytest's counts; a failed lint or type check counts as one failure)
and a non-zero exit on any failure, including pytest collecting no test at all (exit 5)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
VENV = PACKAGE / ".venv"
LOCK = PACKAGE / "requirements-dev.lock"
STAMP = VENV / ".lock-sha256"
JUNIT = PACKAGE / ".test-results" / "junit.xml"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def step(title: str, *command: str) -> int:
    print(f"\n$ {title}", flush=True)
    return subprocess.run(list(command), cwd=PACKAGE, check=False).returncode


def ensure_venv() -> None:
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "-r",
            str(LOCK),
        ],
        check=True,
    )
    STAMP.write_text(digest)


def pytest_counts() -> tuple[int, int]:
    root = ET.parse(JUNIT).getroot()  # noqa: S314 - our own pytest output
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed


def main() -> int:
    ensure_venv()
    if sys.argv[1:] == ["--venv-only"]:
        return 0
    python = str(BIN / "python")
    checks = [
        step("ruff check", python, "-m", "ruff", "check", "src", "tests", "scripts", "bench", "examples"),
        step(
            "ruff format --check",
            python,
            "-m",
            "ruff",
            "format",
            "--check",
            "src",
            "tests",
            "scripts",
            "bench",
            "examples",
        ),
        step("mypy --strict", python, "-m", "mypy"),
    ]
    lint_failures = sum(1 for code in checks if code != 0)
    JUNIT.unlink(missing_ok=True)
    code = step("pytest", python, "-m", "pytest", f"--junitxml={JUNIT}", *sys.argv[1:])
    passed, failed = pytest_counts() if JUNIT.exists() else (0, 0)
    if code == 5 or (code == 0 and passed == 0):
        print("python: pytest ran no test", flush=True)
        failed += 1
    elif code != 0 and failed == 0:
        failed = 1  # pytest failed outside any test (collection, internal error)
    if lint_failures:
        print(f"python: {lint_failures} lint/type check(s) failed", flush=True)
    print(f"python: {passed} passed, {failed + lint_failures} failed", flush=True)
    return 0 if failed + lint_failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
