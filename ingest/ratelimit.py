"""Client-side throttling: a sliding one-minute window per endpoint group and a client-wide pause."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class MinuteWindowLimiter:
    """At most ``per_minute`` requests in any 60-second window (J-Quants counts per minute)."""

    def __init__(self, per_minute: int | None, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if not self.per_minute:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.per_minute:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self.window - (now - self._sent[0]))

    def refund(self) -> None:
        """Give back the latest request's place: it never reached the server (no connection was made)."""
        if self._sent:
            self._sent.pop()


class ClientPause:
    """Stops every request of the client until a deadline (used after HTTP 429)."""

    def __init__(self) -> None:
        self._until = 0.0

    def pause_for(self, seconds: float) -> None:
        self._until = max(self._until, time.monotonic() + seconds)

    @property
    def remaining(self) -> float:
        return max(0.0, self._until - time.monotonic())

    async def wait(self) -> None:
        while (left := self.remaining) > 0:
            await asyncio.sleep(left)
