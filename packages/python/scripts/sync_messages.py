#!/usr/bin/env python3
"""Copies spec/vectors/messages.json into the package (the wheel cannot read the repository).
tests/test_vectors.py fails while the two differ."""

import shutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
shutil.copyfile(
    PACKAGE.parents[1] / "spec" / "vectors" / "messages.json",
    PACKAGE / "src" / "kami_verify" / "messages.json",
)
print("copied spec/vectors/messages.json → src/kami_verify/messages.json")
