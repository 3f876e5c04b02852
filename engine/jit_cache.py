"""Where Numba's compiled kernels are cached: one directory per version of the kernel sources.

Numba's own cache (``cache=True``) is checked against the timestamp of the file that *defines* a
kernel, not the files of the kernels it calls and inlines. Edit ``optim.adam_step`` and the fused
training loop in another file kept its stale compiled copy: ``Trainer.train`` with a new
optimizer option silently ran the old maths. So the cache lives under a directory named after a
hash of every engine source that compiles anything; any kernel edit gives a fresh directory and
nothing stale can be loaded. When a new directory is made, the versions no process has started
with for a day are removed, so the cache does not grow without bound (a younger one may still be in use by
a running process, which would fail to save into a directory that vanished).

``NUMBA_CACHE_DIR``, when set, is the parent directory (the bench's cold-start run points it at an
empty temporary directory); otherwise ``.numba-cache`` at the top of the checkout, or
``~/.cache/layerlab/numba`` when the checkout is read-only.
"""

import hashlib
import os
import shutil
import time
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent
ALWAYS = ("kernels", "fused", "config.py", "jit_cache.py")  # hashed whatever their text: constants in codes.py are baked in
MARKER = "njit"  # any other source that mentions it compiles kernels (engine.config.njit / njit_parallel)
UNUSED_FOR = 24 * 3600  # seconds without a write before another version's directory is removed


def kernel_sources_fingerprint(root: Path = ENGINE_DIR) -> str:
    """A short hash over the path and text of every engine source that compiles kernels or that
    kernels read (everything in kernels/ and fused/, config, and any file that uses njit)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        text = path.read_bytes()
        if path.relative_to(root).parts[0] in ALWAYS or MARKER.encode() in text:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + text + b"\0")
    return digest.hexdigest()[:16]


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / ".write-test"
        probe.touch()
        probe.unlink()
        return True
    except OSError:
        return False


def _parent_directory() -> Path:
    configured = os.environ.get("NUMBA_CACHE_DIR")
    if configured:
        return Path(configured)
    in_checkout = ENGINE_DIR.parent / ".numba-cache"
    if _writable(in_checkout):
        return in_checkout
    return Path.home() / ".cache" / "layerlab" / "numba"


def _remove_unused_versions(parent: Path, keep: str) -> None:
    cutoff = time.time() - UNUSED_FOR
    for entry in parent.iterdir():
        ours = len(entry.name) == 16 and all(c in "0123456789abcdef" for c in entry.name)
        if not ours or entry.name == keep:
            continue
        try:  # processes starting together prune together: an entry may vanish under us
            if entry.is_dir() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass


def cache_directory(sources: Path = ENGINE_DIR, parent: Path | None = None) -> Path:
    """The directory for this version of the kernels, created (and unused ones pruned) if new."""
    parent = parent if parent is not None else _parent_directory()
    fingerprint = kernel_sources_fingerprint(sources)
    directory = parent / fingerprint
    if directory.is_dir():
        try:
            os.utime(directory)  # in use: a version only read from never looks unused to a pruner
        except OSError:
            pass
    else:
        directory.mkdir(parents=True, exist_ok=True)
        _remove_unused_versions(parent, fingerprint)
    return directory


def point_numba_at_versioned_cache() -> Path:
    """Sets numba's cache directory; must run before any kernel is decorated (engine.config does)."""
    import numba
    directory = cache_directory()
    numba.config.CACHE_DIR = str(directory)
    return directory
