"""Drives the hosted service's official client (t3sdk 1.0.1, unmodified) against our server.

Reads one JSON object on stdin:
  clients   name -> {url, appkey, routes (endpoint name -> 调用码), mode, alphabet | publicKey}
  fixtures  name -> value (cards, machine code, account, ...) the rows refer to with fx()
  only      optional list of row labels to run (default: every row)
and prints one JSON object: {"calls": {label: method}, "results": {label: what t3sdk returned}}.

Only the client's server list is pointed at our server; everything else (encoding, signing, the
login token and time checks) is the client's own code. Each app's 调用码 is handed to init() as
`<endpoint>_code`, the keyword t3sdk uses for it.

The calls are the table ROWS, run in order (later rows see the state earlier ones left). A new
call is one row: (label, t3sdk method, its arguments[, client]). Arguments are literals, fx(name)
for a fixture, or res(label, field) for a field of an earlier row's result. The HTTP test
(test/http/official-client.test.ts) wants, for each method it drives, a row that succeeds and a
row that fails with a documented message, an expectation per label, and the method out of its
NOT_DRIVEN list.
"""

import inspect
import json
import sys
import time
from typing import Any, NamedTuple, Tuple

from t3sdk.t3sdk import T3Verify


class Row(NamedTuple):
    label: str
    method: str
    args: Tuple[Any, ...] = ()
    client: str = "main"


def fx(name: str) -> Tuple[str, str]:
    return ("fixture", name)


def res(label: str, field: str) -> Tuple[str, str, str]:
    return ("result", label, field)


UNKNOWN_CARD = "NO-SUCH-CARD"
UNKNOWN_STATECODE = "0" * 32

ROWS = [
    # --- card (单码) calls --------------------------------------------------------------
    Row("login", "login", (fx("card"), fx("imei"))),
    Row("login_unknown", "login", (UNKNOWN_CARD, fx("imei"))),
    Row("heartbeat", "heartbeat", (fx("card"), res("login", "statecode"))),
    Row("heartbeat_unknown_statecode", "heartbeat", (fx("card"), UNKNOWN_STATECODE)),
    Row("get_cloud_doc", "get_cloud_doc", (res("login", "token"),)),
    Row("get_cloud_doc_bad_token", "get_cloud_doc", ("f" * 32,)),
    Row("heartbeat_any", "heartbeat_any", (res("login", "statecode"),)),
    Row("heartbeat_any_unknown", "heartbeat_any", (UNKNOWN_STATECODE,)),
    Row("query_kami", "query_kami", (fx("card"),)),
    Row("query_kami_unknown", "query_kami", (UNKNOWN_CARD,)),
    Row("get_online_kami_count", "get_online_kami_count"),
    Row("get_online_kami_count_off", "get_online_kami_count", client="off"),
    Row("get_core_by_kami", "get_core_by_kami", (fx("card"),)),
    Row("get_core_by_kami_unknown", "get_core_by_kami", (UNKNOWN_CARD,)),
    Row("modify_core_by_kami", "modify_core_by_kami", (fx("card"), fx("newCore"))),
    Row("modify_core_by_kami_too_long", "modify_core_by_kami", (fx("card"), fx("tooLongCore"))),
    Row("get_core_by_kami_after", "get_core_by_kami", (fx("card"),)),
    Row("get_variable_by_kami", "get_variable_by_kami", (fx("card"), fx("greetingId"), fx("greetingName"))),
    Row("get_variable_by_kami_unknown", "get_variable_by_kami", (fx("card"), "no-such-variable", "无")),
    # valuename is optional: t3sdk sends '' (in RSA mode an empty hex string, no block at all).
    Row("get_variable_by_kami_no_name", "get_variable_by_kami", (fx("card"), fx("greetingId"), "")),
    Row("modify_variable_by_kami", "modify_variable_by_kami", (fx("card"), fx("counterId"), fx("newValue"))),
    Row("modify_variable_by_kami_read_only", "modify_variable_by_kami", (fx("card"), fx("greetingId"), "x")),
    Row("get_variable_by_kami_new", "get_variable_by_kami", (fx("card"), fx("counterId"), fx("counterName"))),
    Row("kami_recharge", "kami_recharge", (fx("card"), fx("sourceCard"))),
    Row("kami_recharge_used", "kami_recharge", (fx("card"), fx("sourceCard"))),
    Row("query_kami_after_recharge", "query_kami", (fx("card"),)),
    Row("ip_unbind_kami", "ip_unbind_kami", (fx("card"),)),
    Row("ip_unbind_kami_again", "ip_unbind_kami", (fx("card"),)),
    Row("unbind_kami_other_device", "unbind_kami", (fx("card"), fx("otherImei"))),
    Row("unbind_kami", "unbind_kami", (fx("card"), fx("imei"))),
    Row("unbind_kami_again", "unbind_kami", (fx("card"), fx("imei"))),
    Row("disable_kami", "disable_kami", (fx("card"),)),
    Row("disable_kami_again", "disable_kami", (fx("card"),)),
    Row("login_disabled", "login", (fx("card"), fx("imei"))),
    # --- app calls ------------------------------------------------------------------------
    Row("get_notice", "get_notice"),
    Row("get_notice_off", "get_notice", client="off"),
    Row("get_latest_version", "get_latest_version"),
    Row("get_latest_version_off", "get_latest_version", client="off"),
    Row("check_update_latest", "check_update", (fx("version"),)),
    Row("check_update_old", "check_update", ("0.0.1",)),
    # t3sdk reads a 201 reply to check_update as "already latest" (msg kept), and 201 is the
    # server's default t3ErrorCode: the same call against a server whose error code is 202.
    Row("check_update_off", "check_update", (fx("version"),), client="off"),
    Row("check_update_off_code202", "check_update", (fx("version"),), client="off202"),
    Row("app_sign", "app_sign", (fx("autograph"),)),
    Row("app_sign_mismatch", "app_sign", ("not-our-signature",)),
    # --- account (账号) calls ---------------------------------------------------------------
    Row("user_register", "user_register", (fx("user"), fx("pass"), fx("email"))),
    Row("user_register_exists", "user_register", (fx("user"), fx("pass"), fx("email"))),
    Row("recharge", "recharge", (fx("user"), fx("userCard"))),
    Row("recharge_used", "recharge", (fx("user"), fx("userCard"))),
    Row("user_login", "user_login", (fx("user"), fx("pass"), fx("imei"))),
    Row("user_login_wrong_password", "user_login", (fx("user"), "wrong-password", fx("imei"))),
    Row("user_heartbeat", "user_heartbeat", (fx("user"), fx("pass"), res("user_login", "statecode"))),
    Row("user_heartbeat_unknown_statecode", "user_heartbeat", (fx("user"), fx("pass"), UNKNOWN_STATECODE)),
    Row("heartbeat_any_user", "heartbeat_any", (res("user_login", "statecode"),)),
    Row("get_online_user_count", "get_online_user_count"),
    Row("get_online_user_count_off", "get_online_user_count", client="off"),
    Row("get_core_by_user", "get_core_by_user", (fx("user"), fx("pass"))),
    Row("get_core_by_user_wrong_password", "get_core_by_user", (fx("user"), "wrong-password")),
    Row("change_password_wrong_password", "change_password", (fx("user"), "wrong-password", fx("newPass"))),
    Row("change_password", "change_password", (fx("user"), fx("pass"), fx("newPass"))),
    Row("user_login_old_password", "user_login", (fx("user"), fx("pass"), fx("imei"))),
    Row("user_login_new_password", "user_login", (fx("user"), fx("newPass"), fx("imei"))),
    # --- the card calls with an account (the `_user` variants) ------------------------------
    Row(
        "get_variable_by_user",
        "get_variable_by_user",
        (fx("user"), fx("newPass"), fx("greetingId"), fx("greetingName")),
    ),
    Row(
        "get_variable_by_user_wrong_password",
        "get_variable_by_user",
        (fx("user"), "wrong-password", fx("greetingId"), fx("greetingName")),
    ),
    Row(
        "modify_variable_by_user",
        "modify_variable_by_user",
        (fx("user"), fx("newPass"), fx("counterId"), "43"),
    ),
    Row(
        "modify_variable_by_user_read_only",
        "modify_variable_by_user",
        (fx("user"), fx("newPass"), fx("greetingId"), "x"),
    ),
    Row(
        "get_variable_by_user_new",
        "get_variable_by_user",
        (fx("user"), fx("newPass"), fx("counterId"), "计数"),
    ),
    Row("modify_core_by_user", "modify_core_by_user", (fx("user"), fx("newPass"), fx("userCore"))),
    Row(
        "modify_core_by_user_too_long", "modify_core_by_user", (fx("user"), fx("newPass"), fx("tooLongCore"))
    ),
    Row("get_core_by_user_new", "get_core_by_user", (fx("user"), fx("newPass"))),
    Row("ip_unbind_user", "ip_unbind_user", (fx("user"), fx("newPass"))),
    Row("ip_unbind_user_again", "ip_unbind_user", (fx("user"), fx("newPass"))),
    Row("unbind_user_other_device", "unbind_user", (fx("user"), fx("newPass"), fx("otherImei"))),
    Row("unbind_user", "unbind_user", (fx("user"), fx("newPass"), fx("imei"))),
    Row("unbind_user_again", "unbind_user", (fx("user"), fx("newPass"), fx("imei"))),
    Row("disable_user", "disable_user", (fx("user"), fx("newPass"))),
    Row("disable_user_again", "disable_user", (fx("user"), fx("newPass"))),
    Row("user_register_to_cancel", "user_register", (fx("cancelUser"), fx("pass"))),
    Row("user_cancel_wrong_password", "user_cancel", (fx("cancelUser"), "wrong-password")),
    Row("user_cancel", "user_cancel", (fx("cancelUser"), fx("pass"))),
    Row("user_login_cancelled", "user_login", (fx("cancelUser"), fx("pass"), fx("imei"))),
]


def make_client(cfg: dict) -> T3Verify:
    accepted = inspect.signature(T3Verify.init).parameters
    codes = {f"{name}_code": code for name, code in cfg["routes"].items() if f"{name}_code" in accepted}
    client = T3Verify()
    client.init(
        appkey=cfg["appkey"],
        encode_type=cfg["mode"],
        base64_charset=cfg.get("alphabet"),
        rsa_public_key=cfg.get("publicKey"),
        **codes,
    )
    client.server_urls = [cfg["url"]]
    client.server_url = cfg["url"]
    return client


def resolve(arg: Any, fixtures: dict, results: dict) -> Any:
    if isinstance(arg, tuple) and arg[0] == "fixture":
        return fixtures[arg[1]]
    if isinstance(arg, tuple) and arg[0] == "result":
        return results[arg[1]].get(arg[2])
    return arg


def clear_of_minute_end() -> None:
    # login checks the token against its local minute (the server's `date`): a call in a
    # minute's last two seconds could see the minute turn between the two clocks.
    second = time.time() % 60
    if second >= 58:
        time.sleep(60.2 - second)


def main() -> None:
    cfg = json.load(sys.stdin)
    clients = {name: make_client(c) for name, c in cfg["clients"].items()}
    only = set(cfg["only"]) if cfg.get("only") else None
    calls, results = {}, {}
    for row in ROWS:
        if only is not None and row.label not in only:
            continue
        args = [resolve(a, cfg["fixtures"], results) for a in row.args]
        if row.method == "login":
            clear_of_minute_end()
        calls[row.label] = row.method
        try:
            results[row.label] = getattr(clients[row.client], row.method)(*args)
        except Exception as e:  # t3sdk lets a few errors escape (e.g. int() of a count)
            results[row.label] = {"exception": f"{type(e).__name__}: {e}"}
    json.dump({"calls": calls, "results": results}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
