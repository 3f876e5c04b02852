"""Settings read from the environment (prefix LAYERLAB_), e.g. LAYERLAB_PORT=9000.

Quotas live here too so a classroom host can tighten them without touching code, and so tests
can build an app with small limits: `create_app(Settings(max_layers=3))`.
"""
import os
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Quotas(BaseModel):
    """Per-session limits, checked before the engine allocates anything."""

    max_layers: int = 32
    max_units: int = 1024
    max_params: int = 2_000_000
    max_flops_per_step: float = 2e9  # estimated forward + backward multiply-adds x 2
    max_batch_size: int = 1024
    max_dataset_samples: int = 70_000
    max_upload_bytes: int = 20 * 1024 * 1024
    max_sessions_per_client: int = 8
    max_steps_per_second: float = 20_000.0
    max_steps_per_request: int = 100_000  # the N of control/step
    # The whole loss history is kept (4 bytes a step): 5M steps = 20 MB per session at most.
    max_steps_per_session: int = 5_000_000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAYERLAB_", env_nested_delimiter="__")

    host: str = "127.0.0.1"
    port: int = 8000
    # Browsers send Origin on the WebSocket handshake; anything else is refused before accept.
    # Empty means "same host and port as the server is reached on" (see server.live.origin).
    allowed_origins: list[str] = Field(default_factory=list)
    web_dir: Path = REPO_ROOT / "web"
    quotas: Quotas = Field(default_factory=Quotas)

    resume_grace_seconds: float = 120.0   # a detached session waits this long for its tab
    default_fps: float = 30.0
    max_fps: float = 60.0
    send_timeout_seconds: float = 5.0     # a socket that cannot take one frame in this time is closed
    max_message_bytes: int = 64 * 1024    # inbound control messages are small
    messages_per_second: float = 30.0     # token bucket per socket: rate ...
    message_burst: int = 60               # ... and burst
    must_deliver_queue: int = 64          # replies (built, status, error) waiting for a slow socket
    # CPU (in cores) that the training of all running sessions may use together; the rest keeps
    # frames flowing. Each running session gets training_cores / running sessions.
    training_cores: float = Field(default_factory=lambda: float(max(1, (os.cpu_count() or 2) - 1)))
    chunk_seconds: float = 0.008          # training work between two looks at pause/cancel flags
    eval_samples: int = 2000              # cap on samples used for train/validation metrics
    evals_per_second: float = 4.0         # validation metrics are a forward pass over eval_samples
