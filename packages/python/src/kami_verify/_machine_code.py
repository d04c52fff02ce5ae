"""A stable machine code for ``login(kami, imei)``, derived from the OS machine id and salted per
app (HMAC), so the raw id never leaves the machine and two apps cannot link their users."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

from ._errors import KamiValidationError

#: The environment variable that pins the machine code (containers, CI, cloned VMs).
MACHINE_CODE_ENV = "KAMI_MACHINE_CODE"
DEFAULT_SALT = "kami-verify"

# systemd writes /etc/machine-id once at install; dbus keeps its own copy on older systems;
# FreeBSD's hostid is the same idea.
_MACHINE_ID_FILES = ("/etc/machine-id", "/var/lib/dbus/machine-id", "/etc/hostid")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Probing must never hang an app's start-up.
_RUN_TIMEOUT = 2.0


@dataclass(frozen=True)
class MachineCodeReaders:
    """Everything the machine code reads from the OS; replace parts in tests."""

    platform: str
    read_file: Callable[[str], Optional[str]]
    run: Callable[[Sequence[str]], Optional[str]]
    #: The node's MAC as ``uuid.getnode()`` gives it, or ``None``.
    mac: Callable[[], Optional[int]]
    hostname: Callable[[], str]


def _read_file(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _run(command: Sequence[str]) -> Optional[str]:
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=_RUN_TIMEOUT, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def _mac() -> Optional[int]:
    node = uuid.getnode()
    # Bit 40 set means getnode() made a random number up: not a hardware address.
    return None if node >> 40 & 1 else node


DEFAULT_READERS = MachineCodeReaders(
    platform=sys.platform, read_file=_read_file, run=_run, mac=_mac, hostname=socket.gethostname
)


def parse_machine_id_file(text: Optional[str]) -> Optional[str]:
    """32 hex (or a UUID), not the all-zero placeholder of unbooted images."""
    value = (text or "").strip().lower()
    if not (_HEX32.fullmatch(value) or _UUID.fullmatch(value)) or not value.strip("0-"):
        return None
    return value


def parse_ioreg_output(text: Optional[str]) -> Optional[str]:
    """``"IOPlatformUUID" = "564D…"`` in ``ioreg -rd1 -c IOPlatformExpertDevice``."""
    match = re.search(r'"IOPlatformUUID"\s*=\s*"([^"]+)"', text or "")
    return match.group(1).strip().lower() if match else None


def parse_reg_query_output(text: Optional[str]) -> Optional[str]:
    """``MachineGuid    REG_SZ    3f2504e0-…`` in ``reg query …\\Cryptography /v MachineGuid``."""
    match = re.search(r"MachineGuid\s+REG_SZ\s+([0-9a-fA-F-]{32,36})", text or "")
    return match.group(1).lower() if match else None


def read_raw_machine_id(readers: MachineCodeReaders = DEFAULT_READERS) -> tuple[str, str]:
    """``(source, raw id)``: the OS id, else the hardware MAC, else the hostname. Never log the id."""
    if readers.platform == "darwin":
        found = parse_ioreg_output(readers.run(["ioreg", "-rd1", "-c", "IOPlatformExpertDevice"]))
        if found:
            return "ioreg", found
    elif readers.platform in ("win32", "cygwin"):
        # /reg:64 reads the 64-bit view even from a 32-bit Python, where MachineGuid would be missing.
        found = parse_reg_query_output(
            readers.run(
                [
                    "reg",
                    "query",
                    r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Cryptography",
                    "/v",
                    "MachineGuid",
                    "/reg:64",
                ]
            )
        )
        if found:
            return "registry", found
    else:
        for path in _MACHINE_ID_FILES:
            found = parse_machine_id_file(readers.read_file(path))
            if found:
                return "machine-id", found
    try:
        mac = readers.mac()
    except Exception:
        mac = None
    if mac:
        return "mac", ":".join(f"{mac:012x}"[i : i + 2] for i in range(0, 12, 2))
    try:
        host = readers.hostname().strip().lower()
    except Exception:
        host = ""
    return "hostname", host or "localhost"


_cached: Optional[tuple[str, str]] = None


def get_machine_code(
    salt: str = DEFAULT_SALT,
    *,
    override: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    hash: str = "md5",
    readers: Optional[MachineCodeReaders] = None,
) -> str:
    """A machine code for ``login``: stable across runs and reboots.

    :param salt: your app's name (or any app-specific text): the same machine gives unrelated codes
        for different salts.
    :param override: use this code as is (after trimming); wins over everything else.
    :param env: where ``KAMI_MACHINE_CODE`` is read from (default ``os.environ``); it pins the code.
    :param hash: ``"md5"`` (32 uppercase hex, the official SDKs' shape) or ``"sha256"`` (64).
    """
    return resolve_machine_code(salt, override=override, env=env, hash=hash, readers=readers)[0]


def resolve_machine_code(
    salt: str = DEFAULT_SALT,
    *,
    override: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    hash: str = "md5",
    readers: Optional[MachineCodeReaders] = None,
) -> tuple[str, str]:
    """:func:`get_machine_code` and where it came from: ``(code, source)``."""
    pinned = _pinned(override, "override")
    if pinned:
        return pinned, "override"
    pinned = _pinned((os.environ if env is None else env).get(MACHINE_CODE_ENV), MACHINE_CODE_ENV)
    if pinned:
        return pinned, "env"
    if hash not in ("md5", "sha256"):
        raise KamiValidationError("hash", "hash must be 'md5' or 'sha256'")
    global _cached
    if readers is None:
        # The OS id cannot change while the process runs: probe it once.
        if _cached is None:
            _cached = read_raw_machine_id(DEFAULT_READERS)
        source, raw = _cached
    else:
        source, raw = read_raw_machine_id(readers)
    digest = hmac.new(salt.encode("utf-8"), raw.encode("utf-8"), getattr(hashlib, hash)).hexdigest()
    return digest.upper(), source


def _pinned(value: Optional[str], field: str) -> Optional[str]:
    trimmed = (value or "").strip()
    if not trimmed:
        return None
    # The server refuses it anyway (机器码不合法,因为存在'号); fail early with the field's name.
    if "'" in trimmed:
        raise KamiValidationError(field, f"{field} must not contain ' (机器码不合法,因为存在'号)")
    return trimmed
