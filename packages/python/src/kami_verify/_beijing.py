"""Beijing time (UTC+8, no DST) as the wire writes it: ``date`` is ``yyyyMMddHHmm``, ``end_time``
is ``YYYY-MM-DD HH:mm:ss``. A fixed offset, never a zone database (China had DST in 1986–1991)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Optional

BEIJING = timezone(timedelta(hours=8))
_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})", re.ASCII)

#: What a permanent card's ``end_time`` says (inferred: the hosted service's value is undocumented).
PERMANENT_END_TIME = "2099-12-31 23:59:59"


def _at(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(int(epoch_seconds // 1), BEIJING)


def format_minute(epoch_seconds: float) -> str:
    """The ``date`` field: ``yyyyMMddHHmm``, Beijing time."""
    return _at(epoch_seconds).strftime("%Y%m%d%H%M")


def format_date_time(epoch_seconds: float) -> str:
    """The ``end_time`` format: ``YYYY-MM-DD HH:mm:ss``, Beijing time."""
    return _at(epoch_seconds).strftime("%Y-%m-%d %H:%M:%S")


def parse_date_time(text: str) -> Optional[int]:
    """``YYYY-MM-DD HH:mm:ss`` (Beijing) → epoch seconds; ``None`` when malformed or impossible
    (``2026-02-30`` is refused, not normalised)."""
    match = _DATE_TIME.fullmatch(text)
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        moment = datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)
    except ValueError:
        return None
    return int(moment.timestamp())
