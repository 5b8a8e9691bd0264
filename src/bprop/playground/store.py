"""The sessions the server holds: bounded in number and in idle time.

One session per browser tab. Creating the (max_sessions + 1)-th evicts the
one used least recently; a session idle for ``idle_seconds`` is dropped at the
next request. The store's own lock guards only the dictionary; each session
has its own lock, held while it trains or answers, so that tabs never wait on
each other.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

from .session import Session
from .settings import SettingError

MAX_SESSIONS = 32
IDLE_SECONDS = 30 * 60
LOCK_WAIT_SECONDS = 10.0


class SessionStore:
    def __init__(self, max_sessions: int = MAX_SESSIONS, idle_seconds: float = IDLE_SECONDS, clock=time.monotonic):
        self.max_sessions, self.idle_seconds, self.clock = max_sessions, idle_seconds, clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def __len__(self):
        with self._lock:
            return len(self._sessions)

    def create(self, settings) -> Session:
        """A new session (built outside the store's lock), evicting the least recently used beyond the bound."""
        session = Session(secrets.token_urlsafe(12), settings, now=self.clock())
        with self._lock:
            self._expire()
            self._sessions[session.id] = session
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
        return session

    def get(self, sid: str) -> Session:
        """The session ``sid``, marked as used now; SettingError 404 when it does not exist (or expired)."""
        with self._lock:
            self._expire()
            session = self._sessions.get(sid)
            if session is None:
                raise SettingError(
                    "id",
                    f"there is no session {sid!r} (it may have expired after "
                    f"{self.idle_seconds / 60:g} idle minutes, or been replaced by newer ones); "
                    "create one with POST /api/sessions.",
                    status=404,
                )
            session.last_used = self.clock()
            self._sessions.move_to_end(sid)
            return session

    def delete(self, sid: str) -> None:
        with self._lock:
            if self._sessions.pop(sid, None) is None:
                raise SettingError("id", f"there is no session {sid!r} to delete.", status=404)

    def _expire(self) -> None:
        now = self.clock()
        while self._sessions:
            sid, oldest = next(iter(self._sessions.items()))
            if now - oldest.last_used <= self.idle_seconds:
                break
            del self._sessions[sid]


def locked(session: Session):
    """The session's lock, or SettingError 409 when another request holds it for too long."""
    if not session.lock.acquire(timeout=LOCK_WAIT_SECONDS):
        raise SettingError("id", f"session {session.id!r} is busy with another request; try again.", status=409)
    return _Release(session.lock)


class _Release:
    def __init__(self, lock):
        self.lock = lock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.lock.release()
