"""The compiled-kernel cache is keyed on the kernel sources, so an edited callee is never served
stale from a caller's cache entry (numba's own check looks only at the caller's file)."""
import os
import subprocess
import sys
import textwrap
import time

from engine.jit_cache import UNUSED_FOR, cache_directory, kernel_sources_fingerprint

CALLEE = "from numba import njit\n\n@njit(cache=True)\ndef scale(x):\n    return x * {factor}\n"
CALLER = "from numba import njit\nfrom callee import scale\n\n@njit(cache=True)\ndef twice(x):\n    return scale(x) + scale(x)\n"

# Runs in a fresh interpreter: the caller's result, with the cache either numba's default
# (__pycache__ next to the sources) or our versioned directory.
RUN = textwrap.dedent("""
    import sys
    from pathlib import Path
    import numba
    package, versioned = Path(sys.argv[1]), sys.argv[2] == "versioned"
    if versioned:
        from engine.jit_cache import cache_directory
        numba.config.CACHE_DIR = str(cache_directory(package, package.parent / "cache"))
    sys.path.insert(0, str(package))
    from caller import twice
    print(twice(1.0))
""")


def write_kernels(package, factor):
    package.mkdir(exist_ok=True)
    (package / "callee.py").write_text(CALLEE.format(factor=factor))
    (package / "caller.py").write_text(CALLER)
    stamp = time.time() + factor  # numba compares file stamps: make the edit visible even within a second
    os.utime(package / "callee.py", (stamp, stamp))


def run_caller(package, mode):
    env = {**os.environ, "NUMBA_CACHE_DIR": ""}
    done = subprocess.run([sys.executable, "-c", RUN, str(package), mode], capture_output=True, text=True,
                          env=env, check=True, cwd=os.getcwd())
    return float(done.stdout.strip())


def test_an_edited_callee_is_recompiled_with_the_versioned_cache(tmp_path):
    package = tmp_path / "kernels"
    write_kernels(package, 2)
    assert run_caller(package, "versioned") == 4.0
    write_kernels(package, 3)
    assert run_caller(package, "versioned") == 6.0


def test_numba_alone_serves_the_stale_callee(tmp_path):
    """Why the versioned cache exists: this is numba's documented limit, and it must still hold for
    the test above to mean anything."""
    package = tmp_path / "kernels"
    write_kernels(package, 2)
    assert run_caller(package, "default") == 4.0
    write_kernels(package, 3)
    assert run_caller(package, "default") == 4.0  # stale: the caller's cache entry inlined the old callee


def test_the_fingerprint_follows_kernel_sources_only(tmp_path):
    (tmp_path / "kernel.py").write_text("from engine.config import njit\n")
    (tmp_path / "notes.py").write_text("TEXT = 1\n")
    (tmp_path / "kernels").mkdir()
    (tmp_path / "kernels" / "codes.py").write_text("ACT_RELU = 4\n")  # constants kernels bake in
    first = kernel_sources_fingerprint(tmp_path)
    (tmp_path / "notes.py").write_text("TEXT = 2\n")
    assert kernel_sources_fingerprint(tmp_path) == first
    (tmp_path / "kernel.py").write_text("from engine.config import njit  # edited\n")
    second = kernel_sources_fingerprint(tmp_path)
    assert second != first
    (tmp_path / "kernels" / "codes.py").write_text("ACT_RELU = 5\n")
    assert kernel_sources_fingerprint(tmp_path) != second


def test_a_new_version_removes_only_long_unused_versions(tmp_path):
    sources, parent = tmp_path / "src", tmp_path / "cache"
    sources.mkdir()
    (sources / "kernel.py").write_text("njit = 1\n")
    old, recent, foreign = parent / ("a" * 16), parent / ("b" * 16), parent / "my-own-things"
    for directory in (old, recent, foreign):
        directory.mkdir(parents=True)
    long_ago = time.time() - UNUSED_FOR - 60
    os.utime(old, (long_ago, long_ago))
    os.utime(foreign, (long_ago, long_ago))
    current = cache_directory(sources, parent)
    assert current.is_dir() and current.parent == parent
    assert not old.exists() and recent.exists() and foreign.exists()
    os.utime(current, (long_ago, long_ago))
    assert cache_directory(sources, parent) == current and current.stat().st_mtime > long_ago, \
        "a version in use is marked as used, so another version's start never prunes it"
