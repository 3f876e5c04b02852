"""The session manager: every live session by token, resume within a grace period, reaping.

Sessions belong to tokens, not sockets: a socket that closes detaches its session, which waits
`resume_grace_seconds` for its tab to come back with `{"type": "resume", "session": token}`
before it is closed and its memory freed.

Only a detached session can be resumed. A browser copies sessionStorage, token included, into a
duplicated tab: that tab's `resume` arrives while the original tab's socket is still attached,
and taking the session over would leave two tabs driving (and the first one silently losing) one
run. The duplicate keeps the fresh session its socket was given instead. A reload is unaffected:
the page closes its old socket before the new one connects.
"""
import asyncio
import logging
import secrets
import time

from server.live.session import Session
from server.live.training import CpuBudget
from server.live.uploads import UploadStore
from server.protocol import ProtocolError
from server.settings import Settings

log = logging.getLogger("layerlab.sessions")


class SessionManager:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._sessions: dict[str, Session] = {}
        self.uploads = UploadStore()
        self.budget = CpuBudget(settings.training_cores)
        self._reaper: asyncio.Task | None = None
        self.loop_lag = 0.0  # how late the event loop woke up last time: is it keeping up?

    async def start(self) -> None:
        self._reaper = asyncio.create_task(self._reap_forever())

    async def stop(self) -> None:
        if self._reaper:
            self._reaper.cancel()
        sessions = list(self._sessions.values())
        for session in sessions:
            self._close(session)
        await asyncio.to_thread(lambda: [session.join(2.0) for session in sessions])

    def create(self, client: str) -> Session:
        """A fresh, empty session; nothing of the engine is allocated until the client builds."""
        owned = sum(1 for s in self._sessions.values() if s.client == client)
        limit = self.settings.quotas.max_sessions_per_client
        if owned >= limit:
            raise ProtocolError("quota_exceeded", f"at most {limit} sessions per computer: close another tab")
        token = secrets.token_urlsafe(18)
        session = Session(token, client, self.settings, self.uploads, self.budget)
        self._sessions[token] = session
        return session

    def find(self, token: str) -> Session | None:
        return self._sessions.get(token)

    def resumable(self, token: str) -> Session:
        """The session a reconnecting tab may take back, or the ProtocolError to answer it with."""
        session = self._sessions.get(token)
        if session is None:
            raise ProtocolError("unknown_session", "that session has ended (it waited for this tab too long); "
                                                   "a new one has started", "session")
        if session.detached_at is None:
            raise ProtocolError("session_in_use", "that session is open in another tab (a duplicated tab?): "
                                                  "this tab has started a session of its own", "session")
        return session

    def discard(self, session: Session) -> None:
        """Drops a session that was never used (the tab resumed an older one instead)."""
        if self._sessions.get(session.token) is session:
            self._close(session)

    def counts(self) -> dict:
        attached = sum(1 for s in self._sessions.values() if s.detached_at is None)
        running = sum(1 for s in self._sessions.values() if s.state == "running")
        return {"total": len(self._sessions), "attached": attached, "running": running,
                "loop_lag_ms": round(1000 * self.loop_lag, 1)}

    def reap(self, at: float | None = None) -> int:
        """Closes sessions detached for longer than the grace period; returns how many."""
        at = time.monotonic() if at is None else at
        grace = self.settings.resume_grace_seconds
        expired = [s for s in self._sessions.values() if s.detached_at is not None and at - s.detached_at > grace]
        for session in expired:
            self._close(session)
        return len(expired)

    def _close(self, session: Session) -> None:
        self._sessions.pop(session.token, None)
        session.close()

    async def _reap_forever(self) -> None:
        interval = max(0.05, min(1.0, self.settings.resume_grace_seconds / 4))
        loop = asyncio.get_running_loop()
        while True:
            woke_at = loop.time() + interval
            await asyncio.sleep(interval)
            self.loop_lag = loop.time() - woke_at
            closed = self.reap()
            if closed:
                log.info("closed %d sessions left without a tab", closed)
