"""A live session: one browser tab's model, data, training run and subscription.

Threads: the socket task (event loop) only parses messages and calls `submit`/`request_pause`;
everything that touches the engine runs on this session's worker thread, one command at a time,
with training done in small chunks in between. The pause flag is checked between chunks, so
pause takes effect within one chunk (a few ms) even while commands queue up.

The session outlives its socket: on a page reload the tab resumes it by token and is sent the
state and the whole metric history again (see `greet`).
"""
import logging
import queue
import threading
import time

from server.live import engine_ops
from server.live.history import MetricHistory
from server.live.saved import saved_message
from server.live.training import TrainingLoop
from server.protocol import (ProtocolError, built_message, error_message, kept_message, status_message,
                             transfer_planned_message, transferred_message)
from server.settings import Settings

log = logging.getLogger("layerlab.session")
_STOP = object()


class Session:
    def __init__(self, token: str, client: str, settings: Settings, uploads=None, budget=None):
        self.token, self.client, self.settings = token, client, settings
        self.uploads = uploads
        self.history = MetricHistory()
        self.state = "idle"          # idle | running | paused | diverged (DESIGN §5)
        self.message = ""            # why the state is what it is, in words
        self.spec: dict | None = None
        self.model = None
        self.trainer = None
        self.data = None             # engine.data Dataset
        self.layers: list[dict] = []  # the last `built` answer, re-sent on resume
        self.data_fits = False       # the model takes the data set's samples and targets
        self.total_params = 0
        self.kept: engine_ops.KeptWeights | None = None  # one model-sized copy, freed with the session
        self.transfer_plan: list[str] = []  # layer ids every new network copies from `kept`
        self.detached_at: float | None = time.monotonic()
        self._outlet = None
        self._outlet_lock = threading.Lock()
        self._commands: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self.loop = TrainingLoop(self, budget)

    # ---- called from the event loop: cheap, never engine code -------------------------------

    def attach(self, outlet, greet: bool = True) -> None:
        """greet=False for a brand-new session: it is idle and empty, nothing to redraw."""
        with self._outlet_lock:
            self._outlet = outlet
            self.detached_at = None
        if greet:
            self.submit(self.greet)

    def detach(self, outlet) -> None:
        with self._outlet_lock:
            if self._outlet is outlet:
                self._outlet = None
                self.detached_at = time.monotonic()

    def submit(self, command, *args) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name=f"session-{self.token[:6]}", daemon=True)
            self._thread.start()
        self._commands.put((command, args))

    def request_pause(self) -> None:
        """Stops training at the end of the current chunk, ahead of any queued command."""
        self.loop.halt()

    def close(self) -> None:
        self.loop.halt()
        if self._thread is not None:
            self._commands.put(_STOP)

    def join(self, timeout: float = 5.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # ---- output, from the worker thread ------------------------------------------------------

    @property
    def outlet(self):
        return self._outlet

    def send(self, message, drop_pending_frame: bool = False) -> None:
        outlet = self._outlet
        if outlet is not None:
            outlet.deliver(message, drop_pending_frame)

    def send_status(self) -> None:
        self.send(status_message(self.state, self.loop.step, self.loop.epoch, self.message,
                                 steps_per_second=round(self.loop.steps_per_second, 1)))

    def set_state(self, state: str, message: str = "") -> None:
        self.state, self.message = state, message
        self.send_status()

    # ---- the worker thread --------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            try:
                if not self.loop.running.is_set():
                    item = self._commands.get()
                else:
                    wait = self.loop.wait_time()
                    item = self._commands.get(timeout=wait) if wait > 0 else self._commands.get_nowait()
            except queue.Empty:
                self.loop.tick()
                continue
            if item is _STOP:
                return
            command, args = item
            self._run(command, args)

    def _run(self, command, args) -> None:
        try:
            command(*args)
        except ProtocolError as problem:
            self.send(problem.to_message())
        except Exception as failure:  # an engine bug must not end the session
            log.exception("session %s: %s failed", self.token[:6], getattr(command, "__name__", command))
            self.send(error_message("engine_error", f"the engine failed: {failure}"))

    # ---- commands (worker thread) --------------------------------------------------------------

    def greet(self) -> None:
        """Everything a (re)connected tab needs to redraw: data, network, subscription, history."""
        if self.data is not None:
            self.send(engine_ops.dataset_message(self.data))
        if self.model is not None:
            self.send(built_message(self.layers, self.total_params))
        if self.kept is not None:
            self.send(self._kept_message())
            self.send(transfer_planned_message(self.transfer_plan))
        self.send_status()
        self.loop.send_history()

    def build(self, spec: dict) -> None:
        self.loop.halt()
        model, trainer, layers, total = engine_ops.build(spec, self.settings.quotas)
        transferred = self._start_from_kept(model)  # before the session takes it: a failure changes nothing
        self.spec, self.model, self.trainer = spec, model, trainer
        self.layers, self.total_params = layers, total
        self.loop.restart()
        self.send(built_message(layers, total), drop_pending_frame=True)
        self._report(transferred)
        self._warn_if_incompatible()
        self.set_state("idle")
        self.loop.emit_frame(force=True)

    def choose_dataset(self, name: str, options: dict) -> None:
        self.loop.halt()
        data = engine_ops.load_data(name, options, self.settings.quotas, self.uploads)
        transferred = None
        if self.spec is not None:  # same network, fresh weights: old weights fit other data
            model, trainer = engine_ops.rebuild(self.spec)
            transferred = self._start_from_kept(model)
            self.model, self.trainer = model, trainer
        self.data = data
        self.loop.restart()
        self.send(engine_ops.dataset_message(self.data), drop_pending_frame=True)
        self._report(transferred)
        self._warn_if_incompatible()
        self.set_state("idle")
        self.loop.emit_frame(force=True)

    def change_hyper(self, changes: dict) -> None:
        if self.spec is None:
            raise ProtocolError("no_model", "build a network before changing its hyperparameters")
        self.spec = engine_ops.apply_hyper(self.spec, self.trainer, changes, self.settings.quotas)
        self.send({"type": "hyper_applied", "spec": self.spec})

    def subscribe(self, views: list[str], fps: float | None, options: dict) -> None:
        self.loop.subscribe(views, fps, options)
        self.loop.emit_frame(force=True)

    def control(self, action: str, steps: int) -> None:
        if action == "pause":
            self.loop.halt()
            if self.state == "running":
                self.loop.emit_frame(force=True, evaluate=True)  # the views show where it stopped
                self.set_state("paused")
            return
        if action == "reset":
            self.reset()
            return
        self._require_ready()
        if action == "play":
            self.loop.play()
        else:
            self.loop.play(steps=min(steps, self.settings.quotas.max_steps_per_request))
        self.set_state("running")

    def reset(self) -> None:
        self.loop.halt()
        transferred = None
        if self.spec is not None:
            model, trainer = engine_ops.rebuild(self.spec)
            transferred = self._start_from_kept(model)
            self.model, self.trainer = model, trainer
        self.loop.restart()
        self.send({"type": "reset"}, drop_pending_frame=True)
        self._report(transferred)
        self.set_state("idle")
        self.loop.send_history()
        self.loop.emit_frame(force=True)

    def probe(self, sample) -> None:
        self._require_model()
        self.send(engine_ops.probe_message(self.model, self.spec, sample))

    def save(self) -> None:
        self._require_model()
        self.send(saved_message(self.spec, self.model, self.data, self.loop.step))

    def load(self, spec: dict, params: dict, dataset: dict | None = None, step: int = 0) -> None:
        """A saved network back: its data set, its network and weights, and its step count.

        Nothing changes unless all of it fits: the data set is loaded aside and the network built
        (quotas checked first) and filled before the session takes any of them. The run goes on
        counting from the saved step, and its history starts there.
        """
        data = None
        if dataset is not None:
            data = engine_ops.load_data(dataset["name"], dataset["options"], self.settings.quotas, self.uploads)
        model, trainer, layers, total = engine_ops.build(spec, self.settings.quotas)
        engine_ops.restore_params(model, params)
        self.loop.halt()
        self.spec, self.model, self.trainer, self.layers, self.total_params = spec, model, trainer, layers, total
        if data is not None:
            self.data = data
        self.loop.restart(first_step=step)
        self.send(built_message(layers, total), drop_pending_frame=True)
        if data is not None:
            self.send(engine_ops.dataset_message(data))
        self._warn_if_incompatible()
        self.set_state("idle", "loaded a saved network")
        self.loop.send_history()
        self.loop.emit_frame(force=True, evaluate=True)

    def keep(self) -> None:
        """Copies the current weights aside (replacing any kept before), for `transfer`."""
        self._require_model()
        self.kept = engine_ops.keep_weights(self.model, self.data, self.loop.step)
        self.send(self._kept_message())

    def plan_transfer(self, layers: list[str]) -> None:
        """Networks built from now on start with these layers from the kept weights ([] = none).
        The current network keeps its weights: the plan applies at the next build or reset."""
        self.transfer_plan = engine_ops.check_transfer_plan(self.kept, layers)
        self.send(transfer_planned_message(self.transfer_plan))

    def _start_from_kept(self, model) -> dict | None:
        """Copies the planned layers into a network just built; the report, or None without a plan."""
        kept, plan = self.kept, self.transfer_plan  # read once: close() may clear them meanwhile
        if not plan or kept is None:
            return None
        return engine_ops.transfer(kept, model, plan)

    def _report(self, transferred: dict | None) -> None:
        if transferred is not None:
            self.send(transferred_message(transferred["copied"], transferred["skipped"]))

    def _kept_message(self) -> dict:
        return kept_message(self.kept.layers, self.kept.dataset, self.kept.step)

    def _require_model(self) -> None:
        if self.model is None:
            raise ProtocolError("no_model", "build a network first")

    def _require_ready(self) -> None:
        self._require_model()
        if self.data is None:
            raise ProtocolError("no_dataset", "choose a data set first")
        problem = engine_ops.incompatibility(self.layers, self.spec, self.data)
        if problem is not None:
            raise problem

    def _warn_if_incompatible(self) -> None:
        self.data_fits = False
        if self.model is not None and self.data is not None:
            problem = engine_ops.incompatibility(self.layers, self.spec, self.data)
            if problem is not None:
                self.send(problem.to_message())
            self.data_fits = problem is None
