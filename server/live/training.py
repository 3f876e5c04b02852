"""The training side of a session, run on its worker thread: chunks, pacing, frames, evaluations.

A chunk is as many `Trainer.train` steps as fit in a few milliseconds (measured and adapted), so
a pause lands quickly and frames stay on time. Frames go out at the subscribed rate; each view is
computed only if subscribed and due (expensive views have a lower cap). The per-step losses of
every chunk go into the session history; a frame carries the part its client has not seen yet.
"""
import logging
import threading
import time

import numpy as np

from server.live import engine_ops
from server.live.codec import pack
from server.live.history import MetricHistory
from server.live.sender import now
from server.live.views import VIEWS, ViewContext
from server.protocol import ProtocolError, error_message

log = logging.getLogger("layerlab.training")

MAX_CHUNK_STEPS = 20_000
COST_SHARE = 0.1  # the most of a session's time one view (or the evaluation) may take


class CpuBudget:
    """The CPU that training may use, shared evenly by the sessions running right now.

    With 60 students on 2 cores nobody can train at full speed; what matters is that every
    session keeps streaming. Each running session gets cores / running of CPU time for its
    chunks and waits out the rest, leaving the remainder to frames and the event loop. And at
    most `cores` chunks run at any moment (`slot`): 60 runnable training threads would get 60
    of every 61 time slices from the OS scheduler and starve the thread that sends the frames.
    """

    def __init__(self, cores: float):
        self.cores = cores
        self.slot = threading.BoundedSemaphore(max(1, round(cores)))
        self._running = 0
        self._lock = threading.Lock()

    def share(self) -> float:
        return self.cores / max(1, self._running)

    def enter(self, loop: "TrainingLoop") -> None:
        with self._lock:
            if not loop.counted:
                loop.counted, self._running = True, self._running + 1

    def leave(self, loop: "TrainingLoop") -> None:
        with self._lock:
            if loop.counted:
                loop.counted, self._running = False, self._running - 1


class TrainingLoop:
    def __init__(self, session, budget: CpuBudget | None = None):
        self.session = session
        self.settings = session.settings
        self.budget = budget or CpuBudget(self.settings.training_cores)
        self.counted = False  # by the budget, as a running session
        self.running = threading.Event()
        self.step = 0
        self.steps_left: int | None = None   # a `step N` request counts down; play runs on
        self.views: list[str] = []
        self.view_options: dict[str, dict] = {}
        self.fps = self.settings.default_fps
        self._chunk_steps = 1
        self._loss_cursor = 0                # history already sent to the attached client
        self._eval_cursor = 0
        self._next_frame_at = 0.0
        self._view_computed_at: dict[str, float] = {}
        self._view_cost: dict[str, float] = {}     # CPU seconds the last computation took
        self._eval_cost = 0.0
        self._last_eval_at = 0.0
        self._last_eval_step = -1
        self._window_started = time.perf_counter()  # for the steps-per-second cap
        self._window_steps = 0
        self._window_busy = 0.0  # seconds spent in chunks since play

    @property
    def epoch(self) -> int:
        """Whole passes over the training set (the trainer counts samples; batch size may change)."""
        trainer = self.session.trainer
        return int(trainer.epoch) if trainer is not None else 0

    @property
    def steps_per_second(self) -> float:
        """Steps per second since the last play (what the quota allows and the CPU gives)."""
        elapsed = time.perf_counter() - self._window_started
        return self._window_steps / elapsed if self.running.is_set() and elapsed > 0 else 0.0

    # ---- control ----------------------------------------------------------------------------

    def halt(self) -> None:
        """Stops training after the current chunk (callable from any thread)."""
        self.running.clear()
        self.budget.leave(self)

    def restart(self, first_step: int = 0) -> None:
        """A new model or data set: the step count and the history start again (from
        ``first_step`` for a saved network that goes on from where it was saved)."""
        self.halt()
        self.session.history = MetricHistory(first_step)
        self.step, self.steps_left = first_step, None
        self._loss_cursor = self._eval_cursor = 0
        self._last_eval_step = -1
        self._eval_cost = 0.0
        self._view_cost.clear()

    def play(self, steps: int | None = None) -> None:
        self.steps_left = steps
        self._window_started, self._window_steps, self._window_busy = time.perf_counter(), 0, 0.0
        self._next_frame_at = self._window_started
        self.budget.enter(self)
        self.running.set()

    def subscribe(self, views: list[str], fps: float | None, options: dict) -> None:
        for index, name in enumerate(views):
            if name not in VIEWS:
                raise ProtocolError("unknown_view", f"there is no view '{name}'; views: {', '.join(VIEWS)}",
                                    f"views[{index}]")
        self.views = list(dict.fromkeys(views))
        self.view_options = options
        self.fps = min(fps or self.settings.default_fps, self.settings.max_fps)
        self._view_computed_at.clear()

    # ---- one tick: a chunk of training (unless ahead of the quota), then a frame if due ----------

    def wait_time(self) -> float:
        """How long the worker may wait for commands before the next tick: 0 when a chunk is due;
        else until the quota allows more steps or the next frame is due, whichever comes first."""
        now = time.perf_counter()
        ahead = self._quota_ahead(now)
        if ahead <= 0:
            return 0.0
        return max(0.0, min(ahead, self._next_frame_at - now))

    def tick(self) -> None:
        if self._quota_ahead(time.perf_counter()) <= 0 and not self._train_chunk():
            return  # the run stopped (step N done, or diverged)
        if time.perf_counter() >= self._next_frame_at:
            self.emit_frame()

    def _quota_ahead(self, now: float) -> float:
        """Seconds ahead of the steps-per-second quota or of this session's share of the CPU."""
        wall = now - self._window_started
        by_steps = self._window_steps / self.settings.quotas.max_steps_per_second - wall
        by_cpu = self._window_busy / self.budget.share() - wall
        return max(by_steps, by_cpu)

    def _train_chunk(self) -> bool:
        session = self.session
        # steps taken here count, not those of a loaded network's earlier life (its first_step)
        room = self.settings.quotas.max_steps_per_session - (self.step - session.history.first_step)
        if room <= 0:
            self._stop("paused", f"this session has trained the most steps a session may here "
                                 f"({self.settings.quotas.max_steps_per_session:,}): reset to start again")
            return False
        steps = self._chunk_steps if self.steps_left is None else min(self._chunk_steps, self.steps_left)
        steps = min(steps, room)
        # Wait for a training slot only until the next frame is due: the frame goes first.
        if not self.budget.slot.acquire(timeout=max(0.001, self._next_frame_at - time.perf_counter())):
            return True
        try:
            started, cpu_started = time.perf_counter(), time.thread_time()
            losses, divergence = engine_ops.train(session.trainer, session.data, steps)
            elapsed = time.perf_counter() - started
            # CPU, not wall time: a busy machine is no excuse. Capped: a first chunk that loads or
            # compiles kernels must not cost the session seconds of waiting afterwards.
            self._window_busy += min(time.thread_time() - cpu_started, 4 * self.settings.chunk_seconds)
        finally:
            self.budget.slot.release()
        session.history.append_losses(losses)
        self.step += len(losses)
        self._window_steps += len(losses)
        self._adapt_chunk(len(losses), elapsed)
        if divergence is not None:
            self._stop(divergence.state, divergence.message)
            return False
        if self.steps_left is not None:
            self.steps_left -= len(losses)
            if self.steps_left <= 0:
                self._stop("paused", "")
                return False
        return True

    def _stop(self, state: str, message: str) -> None:
        self.halt()
        self.steps_left = None
        self.emit_frame(force=True, evaluate=True)
        self.session.set_state(state, message)

    def _adapt_chunk(self, steps: int, elapsed: float) -> None:
        """Aim for chunk_seconds of work, and never more than half a frame's worth of the quota
        (a bigger chunk would make the quota's pause swallow frames)."""
        target = min(self.settings.chunk_seconds, 0.5 / self.fps)
        quota_cap = max(1, int(0.5 * self.settings.quotas.max_steps_per_second / self.fps))
        if steps and elapsed > 0:
            ideal = target * steps / elapsed
            self._chunk_steps = int(np.clip(0.5 * self._chunk_steps + 0.5 * ideal, 1, min(MAX_CHUNK_STEPS, quota_cap)))

    # ---- frames ---------------------------------------------------------------------------------

    def emit_frame(self, force: bool = False, evaluate: bool = False) -> None:
        session, outlet = self.session, self.session.outlet
        if outlet is None:
            return
        clock = time.perf_counter()
        # keep the cadence (a frame a little late does not delay the next), unless far behind
        self._next_frame_at = max(self._next_frame_at + 1.0 / self.fps, clock + 0.5 / self.fps)
        if session.model is not None and session.data_fits and (evaluate or self._eval_due(clock)):
            self._evaluate(clock)
        history = session.history
        losses = history.losses_since(self._loss_cursor)
        start, self._loss_cursor = history.first_step + self._loss_cursor, self._loss_cursor + len(losses)
        evals = history.evals_since(self._eval_cursor)
        self._eval_cursor += len(evals)
        header = {"step": self.step, "epoch": self.epoch, "t": now(), "state": session.state,
                  "metrics": self._latest_metrics()}
        outlet.offer_frame(header, self._compute_views(clock, force), losses, start, evals)

    def send_history(self) -> None:
        history = self.session.history
        self._loss_cursor, self._eval_cursor = history.steps, history.eval_count
        self.session.send(pack(history.to_message()))

    def _eval_due(self, clock: float) -> bool:
        interval = max(1.0 / self.settings.evals_per_second, self._eval_cost / COST_SHARE)
        return self.step != self._last_eval_step and clock - self._last_eval_at >= interval

    def _evaluate(self, clock: float) -> None:
        session = self.session
        record = {"step": self.step, "epoch": self.epoch}
        recent = session.history.losses_since(max(0, self._last_eval_step - session.history.first_step))
        if len(recent):
            record["loss"] = float(np.mean(recent))
        started, warm = time.thread_time(), self._last_eval_step >= 0
        record.update(engine_ops.evaluate(session.model, session.spec, session.data,
                                          self.settings.eval_samples))
        if warm:  # a first evaluation may include compiling: not its cost
            self._eval_cost = time.thread_time() - started
        session.history.add_eval(record)
        self._last_eval_at, self._last_eval_step = clock, self.step

    def _latest_metrics(self) -> dict:
        metrics = {key: value for key, value in self.session.history.latest_eval().items()
                   if key not in ("step", "epoch")}
        recent = self.session.history.losses_since(max(0, self.session.history.steps - 20))
        if len(recent):
            metrics["loss"] = float(np.mean(recent))
        return metrics

    def _compute_views(self, clock: float, force: bool) -> dict:
        session = self.session
        if session.model is None:
            return {}
        context = ViewContext(session.model, session.spec, session.data, session.layers, self.step)
        payloads = {}
        for name in list(self.views):
            view = VIEWS[name]
            last = self._view_computed_at.get(name, -1e9)
            # 0.75: frames come on a cadence with jitter; a strict 1/max_fps would skip every other.
            # A view that costs a lot (a confusion matrix of a CNN) is computed less often, so that
            # no view takes more than COST_SHARE of the session's time from training.
            interval = max(0.75 / view.max_fps, self._view_cost.get(name, 0.0) / COST_SHARE)
            if not force and clock - last < interval:
                continue
            if view.needs_data and not session.data_fits:
                continue
            warm = name in self._view_computed_at  # a first call may include compiling: not its cost
            self._view_computed_at[name] = clock
            try:
                started = time.thread_time()  # CPU time: being preempted on a busy machine is no cost
                payload = view.compute(context, self.view_options.get(name, {}))
                if warm:
                    self._view_cost[name] = time.thread_time() - started
            except Exception:  # one view's bug must not stop the frames of the others
                log.exception("view %s failed; dropping it from this subscription", name)
                self.views.remove(name)
                self.session.send(error_message("engine_error", f"the {name} view failed and was turned off",
                                                "views"))
                continue
            if payload is not None:
                payloads[name] = payload
        return payloads
