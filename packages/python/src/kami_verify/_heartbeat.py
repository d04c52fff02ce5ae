"""The two drivers of :class:`HeartbeatSchedule`: a daemon thread and an asyncio task."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Awaitable, Callable, Optional, Union

from ._heartbeat_policy import (
    Beat,
    HeartbeatEnd,
    HeartbeatSchedule,
    Outcome,
    Relogin,
    Wait,
    as_kami_error,
)


class _Status:
    _schedule: HeartbeatSchedule

    @property
    def state(self) -> str:
        """``"running"``, ``"stopped"`` or ``"lost"``."""
        return self._schedule.state

    @property
    def statecode(self) -> str:
        """The statecode in use (changes after a re-login)."""
        return self._schedule.statecode

    @property
    def beats(self) -> int:
        return self._schedule.beats

    @property
    def last_beat_at(self) -> Optional[float]:
        """``time.time()`` of the last successful beat or re-login."""
        return self._schedule.last_beat_at

    @property
    def end(self) -> Optional[HeartbeatEnd]:
        """How the loop ended, once it has."""
        return self._schedule.end

    @property
    def interval(self) -> float:
        return self._schedule.interval

    @property
    def validity(self) -> float:
        return self._schedule.validity


class Heartbeat(_Status):
    """A running heartbeat on a daemon thread (from :meth:`Client.start_heartbeat`).

    Never raises into the app: failures go to the ``on_error`` / ``on_lost`` callbacks (which run
    on the heartbeat thread). Use it as a context manager, or call :meth:`stop`.
    """

    def __init__(
        self,
        schedule: HeartbeatSchedule,
        perform: Callable[[Union[Beat, Relogin]], Outcome],
    ) -> None:
        self._schedule = schedule
        self._perform = perform
        self._wake = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._main, name="kami-verify-heartbeat", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            plan = self._schedule.run()
            action = next(plan)
            while True:
                outcome: Outcome = None
                if isinstance(action, Wait):
                    self._wake.wait(action.seconds)
                else:
                    try:
                        outcome = self._perform(action)
                    except Exception as error:  # every failure is data for the schedule
                        outcome = as_kami_error(error)
                action = plan.send(outcome)
        except StopIteration:
            pass
        except BaseException as bug:  # never an unhandled exception in a background thread
            self._schedule.fail(bug)
        finally:
            self._done.set()

    def stop(self, timeout: Optional[float] = None) -> HeartbeatEnd:
        """Stops beating (idempotent) and waits up to ``timeout`` seconds for the thread: a beat in
        flight finishes within its own timeout, and its result is ignored."""
        end = self._schedule.request_stop()
        self._wake.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        return end

    def wait(self, timeout: Optional[float] = None) -> Optional[HeartbeatEnd]:
        """Blocks until the loop ends (``lost`` or stopped), or ``timeout``; returns its end."""
        self._done.wait(timeout)
        return self._schedule.end

    def __enter__(self) -> Heartbeat:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class AsyncHeartbeat(_Status):
    """A running heartbeat as an asyncio task (from :meth:`AsyncClient.start_heartbeat`).

    Never raises into the app: failures go to the callbacks. ``await hb.stop()`` cancels a beat
    in flight at once.
    """

    def __init__(
        self,
        schedule: HeartbeatSchedule,
        perform: Callable[[Union[Beat, Relogin]], Awaitable[Outcome]],
    ) -> None:
        self._schedule = schedule
        self._perform = perform
        self._task = asyncio.get_running_loop().create_task(self._main(), name="kami-verify-heartbeat")

    async def _main(self) -> None:
        try:
            plan = self._schedule.run()
            action = next(plan)
            while True:
                outcome: Outcome = None
                if isinstance(action, Wait):
                    await asyncio.sleep(action.seconds)
                else:
                    try:
                        outcome = await self._perform(action)
                    except asyncio.CancelledError:
                        raise
                    except Exception as error:
                        outcome = as_kami_error(error)
                action = plan.send(outcome)
        except StopIteration:
            pass
        except asyncio.CancelledError:
            self._schedule.request_stop()
            raise
        except Exception as bug:
            self._schedule.fail(bug)

    async def stop(self) -> HeartbeatEnd:
        """Stops beating (idempotent), cancelling a beat in flight; returns how the loop ended."""
        end = self._schedule.request_stop()
        if not self._task.done():
            self._task.cancel()
        await asyncio.wait({self._task})
        return end

    async def wait(self) -> HeartbeatEnd:
        """Waits until the loop ends (``lost``, or stopped) and returns its end."""
        await asyncio.wait({self._task})
        end = self._schedule.end
        assert end is not None
        return end

    async def __aenter__(self) -> AsyncHeartbeat:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
