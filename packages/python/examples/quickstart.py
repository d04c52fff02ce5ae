"""Log in with a card, print the licence, keep it alive, stop cleanly on Ctrl+C or when lost.

Run against `npm start`'s demo server after exporting what its banner prints
(KAMI_URL, KAMI_APPKEY, KAMI_LOGIN_CODE, KAMI_HEARTBEAT_CODE, KAMI_CARD); see
docs/quickstart-python.md.
"""

from __future__ import annotations

import os
import sys

import kami_verify


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"set {name} (see docs/quickstart-python.md)")
    return value


def main() -> None:
    client = kami_verify.Client(
        env("KAMI_URL"),
        app_key=env("KAMI_APPKEY"),
        routes={"login": env("KAMI_LOGIN_CODE"), "heartbeat": env("KAMI_HEARTBEAT_CODE")},
    )
    try:
        session = client.login(env("KAMI_CARD"), kami_verify.get_machine_code("quickstart"))
    except kami_verify.KamiApiError as error:
        sys.exit(f"login refused: {error.code} ({error.server_message})")
    except kami_verify.KamiError as error:
        sys.exit(f"login failed: {error.code}: {error}")
    print(f"licensed until {session.end_time} ({session.amount})")

    def lost(error: kami_verify.KamiError, info: kami_verify.LostInfo) -> None:
        print(f"session lost ({info.reason}): {error.code} {error}")

    heartbeat = client.start_heartbeat(
        session,
        validity_seconds=600,  # the app's 登录状态码有效期
        relogin=True,
        on_beat=lambda result, info: print(f"beat {info.count}: {result.msg}, next in {info.next_in:.0f} s"),
        on_lost=lost,
    )
    try:
        heartbeat.wait()  # until lost; Ctrl+C to stop
    except KeyboardInterrupt:
        print("stopping")
    finally:
        heartbeat.stop()
        client.close()


if __name__ == "__main__":
    main()
