"""Machine code: OS sources per platform, fallbacks, salting, pinning."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, Optional, Sequence

import pytest

from kami_verify import MACHINE_CODE_ENV, KamiValidationError, get_machine_code, resolve_machine_code
from kami_verify._machine_code import (
    MachineCodeReaders,
    parse_ioreg_output,
    parse_machine_id_file,
    parse_reg_query_output,
    read_raw_machine_id,
)

LINUX_ID = "4c4c4544003957108052b4c04f384833"


def readers(
    platform: str = "linux", files: Any = None, out: Optional[str] = None, mac: Any = None
) -> MachineCodeReaders:
    def run(command: Sequence[str]) -> Optional[str]:
        return out

    return MachineCodeReaders(
        platform=platform,
        read_file=lambda path: (files or {}).get(path),
        run=run,
        mac=lambda: mac,
        hostname=lambda: "Build-Box",
    )


def test_linux_machine_id_then_dbus_copy() -> None:
    assert read_raw_machine_id(readers(files={"/etc/machine-id": LINUX_ID + "\n"})) == (
        "machine-id",
        LINUX_ID,
    )
    dbus = {"/etc/machine-id": "0" * 32, "/var/lib/dbus/machine-id": LINUX_ID.upper()}
    assert read_raw_machine_id(readers(files=dbus)) == ("machine-id", LINUX_ID)


def test_macos_and_windows() -> None:
    ioreg = '  "IOPlatformUUID" = "564D8E2A-1B2C-4D5E-8F90-123456789ABC"\n'
    assert read_raw_machine_id(readers("darwin", out=ioreg)) == (
        "ioreg",
        "564d8e2a-1b2c-4d5e-8f90-123456789abc",
    )
    reg = (
        "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\r\n"
        "    MachineGuid    REG_SZ    3F2504E0-4F89-11D3-9A0C-0305E82C3301\r\n"
    )
    assert read_raw_machine_id(readers("win32", out=reg)) == (
        "registry",
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    )


def test_fallbacks_mac_then_hostname() -> None:
    assert read_raw_machine_id(readers(mac=0x001122334455)) == ("mac", "00:11:22:33:44:55")
    assert read_raw_machine_id(readers("darwin", out="garbage")) == ("hostname", "build-box")


@pytest.mark.parametrize("text", [None, "", "0" * 32, "not-an-id", "00000000-0000-0000-0000-000000000000"])
def test_unusable_machine_id_files(text: Optional[str]) -> None:
    assert parse_machine_id_file(text) is None


def test_parsers_refuse_garbage() -> None:
    assert parse_ioreg_output("nothing") is None and parse_reg_query_output(None) is None


def test_salted_hmac_of_the_raw_id() -> None:
    fake = readers(files={"/etc/machine-id": LINUX_ID})
    code = get_machine_code("my-app", readers=fake, env={})
    assert code == hmac.new(b"my-app", LINUX_ID.encode(), hashlib.md5).hexdigest().upper()
    assert code != get_machine_code("other-app", readers=fake, env={})
    assert len(get_machine_code("my-app", readers=fake, env={}, hash="sha256")) == 64


def test_override_and_env_pin_the_code() -> None:
    assert resolve_machine_code(override="  PINNED ", env={MACHINE_CODE_ENV: "ENV"}) == ("PINNED", "override")
    assert resolve_machine_code(env={MACHINE_CODE_ENV: "FROM-ENV"}) == ("FROM-ENV", "env")
    with pytest.raises(KamiValidationError) as raised:
        get_machine_code(env={MACHINE_CODE_ENV: "it's"})
    assert raised.value.field == MACHINE_CODE_ENV


def test_this_machine_is_stable() -> None:
    first = get_machine_code("kami-verify-tests", env={})
    assert re.fullmatch(r"[0-9A-F]{32}", first)
    assert get_machine_code("kami-verify-tests", env={}) == first
