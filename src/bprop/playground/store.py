"""The sessions the server holds: bounded in number, per client, and in idle time.

One session per browser tab. The store holds at most ``max_sessions`` (32);
a session idle for ``idle_seconds`` (30 min) is dropped at the next request.
Which session makes room for a new one:

1. A client that already holds ``per_client`` sessions (16, half the store)
   gives up its own least recently used one.
2. Otherwise, when the store is full, the least recently used session goes,
   **unless it was used in the last ``protected_seconds``** (5 min): then the
   client's own least recently used session goes, and a client with none gets
   SettingError 503 ("all in use, try again later").

So a flood of new sessions, from one client or from many, evicts only the
flooder's own sessions or ones left idle for minutes; a tab in use (the page
steps many times a second) is never evicted because of someone else. A flood
from many clients can at worst delay *new* sessions by a few minutes.

A *client* is whatever key the server passes (``server.client_of``: the remote
address and the ``bprop_client`` cookie the page sets). It is a fairness rule
between well-behaved clients, not authentication: the Host/Origin checks
(``guard``) keep other web sites out, and a local program can make any key.

The store's own lock guards only the dictionaries; each session has its own
lock, held while it trains or answers, so that tabs never wait on each other.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable

from .session import Session
from .settings import SettingError

MAX_SESSIONS = 32
PER_CLIENT = 16
IDLE_SECONDS = 30 * 60
PROTECTED_SECONDS = 5 * 60
LOCK_WAIT_SECONDS = 10.0


class SessionStore:
    def __init__(
        self,
        max_sessions: int = MAX_SESSIONS,
        idle_seconds: float = IDLE_SECONDS,
        clock=time.monotonic,
        per_client: int = PER_CLIENT,
        protected_seconds: float = PROTECTED_SECONDS,
    ):
        self.max_sessions, self.idle_seconds, self.clock = max_sessions, idle_seconds, clock
        self.per_client, self.protected_seconds = per_client, protected_seconds
        self._sessions: OrderedDict[str, Session] = OrderedDict()  # least recently used first
        self._clients: dict[str, Hashable] = {}  # session id → the client that created it
        self._lock = threading.Lock()

    def __len__(self):
        with self._lock:
            return len(self._sessions)

    def create(self, settings, client: Hashable = None, data=None) -> Session:
        """A new session for ``client`` (built outside the store's lock), making room as the module docstring says.

        ``data``: the data it trains on, kept from another session (default: generated from ``settings``).
        """
        return self.add(Session(self.new_id(), settings, now=self.clock(), data=data), client)

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(12)

    def add(self, session: Session, client: Hashable = None) -> Session:
        """Hold ``session`` (built elsewhere, e.g. replayed from a link) for ``client``, making room as for ``create``."""
        session.last_used = self.clock()
        with self._lock:
            self._expire()
            self._make_room(client)
            self._sessions[session.id] = session
            self._clients[session.id] = client
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
                    zh=f"没有会话 {sid!r}（可能空闲 {self.idle_seconds / 60:g} 分钟后已过期，或已被更新的会话替换）。",
                    status=404,
                )
            session.last_used = self.clock()
            self._sessions.move_to_end(sid)
            return session

    def delete(self, sid: str) -> None:
        with self._lock:
            if sid not in self._sessions:
                raise SettingError("id", f"there is no session {sid!r} to delete.", status=404)
            self._drop(sid)

    def _make_room(self, client) -> None:
        """Evict so that one more session of ``client`` fits (rules 1 and 2), or SettingError 503."""
        own = [sid for sid in self._sessions if self._clients[sid] == client]  # least recently used first
        if len(own) >= self.per_client:
            self._drop(own[0])
        elif len(self._sessions) >= self.max_sessions:
            oldest = next(iter(self._sessions.values()))
            if self.clock() - oldest.last_used > self.protected_seconds:
                self._drop(oldest.id)
            elif own:
                self._drop(own[0])
            else:
                raise SettingError(
                    None,
                    f"the playground holds {self.max_sessions} sessions, all used in the last "
                    f"{self.protected_seconds / 60:g} minutes; close a tab or try again in a few minutes.",
                    zh=f"演示已有 {self.max_sessions} 个会话，都在最近 {self.protected_seconds / 60:g} 分钟内用过；"
                    "请关闭一个标签页，或几分钟后再试。",
                    status=503,
                )

    def _expire(self) -> None:
        now = self.clock()
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.last_used <= self.idle_seconds:
                break
            self._drop(oldest.id)

    def _drop(self, sid: str) -> None:
        del self._sessions[sid], self._clients[sid]


def locked(session: Session):
    """The session's lock, or SettingError 409 when another request holds it for too long."""
    if not session.lock.acquire(timeout=LOCK_WAIT_SECONDS):
        raise SettingError(
            "id",
            f"session {session.id!r} is busy with another request; try again.",
            status=409,
            zh="会话正在处理另一个请求；请再试一次。",
        )
    return _Release(session.lock)


class _Release:
    def __init__(self, lock):
        self.lock = lock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.lock.release()
