"""/ws: one live session per browser tab (docs/protocol.md).

The route stays thin: check the handshake, start the connection's sender, then read messages,
parse each strictly and hand it to the session. A bad message is answered with an `error` and
the session carries on; only a foreign Origin (before accept), a flood, or a client too slow to
take its replies ends the socket.
"""
import asyncio
import logging

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from server.live.guards import TokenBucket, origin_allowed
from server.live.sender import Sender, SlowClient
from server.protocol import (Build, Control, DatasetChoice, Hyper, Keep, Ping, Probe, ProtocolError, Resume, Save,
                             Subscribe, Transfer, hello_message, parse_client_message)

router = APIRouter()
log = logging.getLogger("layerlab.socket")

POLICY_VIOLATION, TRY_AGAIN_LATER = 1008, 1013
FLOOD_FACTOR = 4  # a client ignoring `rate_limited` this many bursts over is disconnected


@router.websocket("/ws")
async def live_session(websocket: WebSocket) -> None:
    settings, manager = websocket.app.state.settings, websocket.app.state.sessions
    headers = websocket.headers
    if not origin_allowed(headers.get("origin"), settings.allowed_origins, headers.get("host")):
        await websocket.close(code=POLICY_VIOLATION)  # before accept: the browser sees HTTP 403
        return
    await websocket.accept()
    client = websocket.client.host if websocket.client else "unknown"
    try:
        session = manager.create(client)
    except ProtocolError as refusal:
        await websocket.send_json(refusal.to_message())
        await websocket.close(code=POLICY_VIOLATION)
        return
    sender = Sender(websocket, settings.send_timeout_seconds, settings.must_deliver_queue)
    sender.deliver(hello_message(session.token))
    session.attach(sender, greet=False)
    connection = Connection(websocket, sender, session, manager, settings)
    reading = asyncio.create_task(connection.read_messages())
    sending = asyncio.create_task(_send_all(sender))
    try:
        await asyncio.wait([reading, sending], return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Whichever ended first (the client left, or it stopped reading), the session lets go of
        # this socket at once: it keeps training, detached, for the tab to resume.
        connection.session.detach(sender)
        sender.close()
        reading.cancel()
        sending.cancel()
    slow = sending.result() if sending.done() and not sending.cancelled() else None
    if slow is not None:
        log.info("closing a slow client: %s", slow)
        await _close(websocket, TRY_AGAIN_LATER)


async def _send_all(sender: Sender) -> SlowClient | None:
    """The send task: returns why it gave up on a slow client, or None when the socket went away."""
    try:
        await sender.run()
    except SlowClient as slow:
        return slow
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass
    return None


async def _close(websocket: WebSocket, code: int) -> None:
    """Closes, but never waits long: a client that stopped reading cannot take a close frame
    either (the transport is paused); uvicorn's ping timeout then drops the connection."""
    if websocket.application_state == WebSocketState.CONNECTED:
        try:
            await asyncio.wait_for(websocket.close(code=code), 1.0)
        except (RuntimeError, OSError, asyncio.TimeoutError):
            pass


class Connection:
    """One socket's read side: limits, parsing, dispatch to its session."""

    def __init__(self, websocket, sender, session, manager, settings):
        self.websocket, self.sender, self.session = websocket, sender, session
        self.manager, self.settings = manager, settings
        self.bucket = TokenBucket(settings.messages_per_second, settings.message_burst)
        self.refused_in_a_row = 0

    async def read_messages(self) -> None:
        while True:
            try:
                incoming = await self.websocket.receive()
            except (RuntimeError, WebSocketDisconnect):
                return
            if incoming["type"] == "websocket.disconnect":
                return
            if not await self._admit(incoming):
                continue
            try:
                self.dispatch(parse_client_message(incoming["text"]))
            except ProtocolError as problem:
                self.sender.deliver(problem.to_message())

    async def _admit(self, incoming: dict) -> bool:
        """Rate, size and frame-kind checks, before any parsing."""
        if not self.bucket.take():
            self.refused_in_a_row += 1
            if self.refused_in_a_row > FLOOD_FACTOR * self.settings.message_burst:
                await _close(self.websocket, POLICY_VIOLATION)
            elif self.refused_in_a_row == 1:
                self._refuse("rate_limited", f"more than {self.settings.messages_per_second:g} messages "
                                             "a second; wait a moment")
            return False
        self.refused_in_a_row = 0
        text = incoming.get("text")
        if text is None:
            self._refuse("invalid_message", "send control messages as JSON text, not binary")
            return False
        if len(text) > self.settings.max_message_bytes:
            self._refuse("message_too_large", f"a message may have at most {self.settings.max_message_bytes} "
                                              "characters")
            return False
        return True

    def _refuse(self, code: str, message: str) -> None:
        self.sender.deliver(ProtocolError(code, message).to_message())

    def dispatch(self, message) -> None:
        session = self.session
        if isinstance(message, Resume):
            self.resume(message.session)
        elif isinstance(message, Build):
            session.submit(session.build, message.spec)
        elif isinstance(message, DatasetChoice):
            session.submit(session.choose_dataset, message.name, message.options)
        elif isinstance(message, Hyper):
            session.submit(session.change_hyper, message.changes)
        elif isinstance(message, Subscribe):
            session.submit(session.subscribe, message.views, message.fps, message.options)
        elif isinstance(message, Control):
            if message.action == "pause":
                session.request_pause()
            session.submit(session.control, message.action, message.steps)
        elif isinstance(message, Probe):
            session.submit(session.probe, message.input)
        elif isinstance(message, Save):
            session.submit(session.save)
        elif isinstance(message, Keep):
            session.submit(session.keep)
        elif isinstance(message, Transfer):
            session.submit(session.plan_transfer, message.layers)
        elif isinstance(message, Ping):
            self.sender.deliver({"type": "pong"})

    def resume(self, token: str) -> None:
        if token == self.session.token:
            return
        previous = self.manager.resumable(token)  # refuses an ended session or one another tab holds
        self.session.detach(self.sender)
        self.manager.discard(self.session)
        self.session = previous
        self.sender.deliver({"type": "resumed", "session": token})
        previous.attach(self.sender)
