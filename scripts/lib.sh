# Shared helpers of the scripts in this folder. Source it; do not run it.
#
# They install what a fresh Debian machine lacks (as root, with apt), keep Cargo's build
# directory outside the clone so that repeated runs reuse it, and manage a throwaway
# PostgreSQL cluster for the tests.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/custodes/target}"
# A CI run builds each clone once: incremental caches would only pile up in the shared
# build directory (tens of GB over many runs) without speeding anything up.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"; fi
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs Debian packages that are missing. Runs `apt-get update` once, first.
apt_ensure() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
    return 2
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building Custodes needs from the system: a C compiler for the bundled SQLite, and
# cmake, a C++ compiler and libclang for the bundled HiGHS solver (custodes-optimise).
ensure_build_deps() {
  command -v cargo >/dev/null || { echo "error: cargo is not installed (https://rustup.rs)" >&2; return 2; }
  command -v cc >/dev/null || apt_ensure gcc libc6-dev
  apt_ensure pkg-config cmake g++ libclang-dev
}

# PostgreSQL server binaries for the tests.
ensure_postgres() {
  [ -x "$PG_BIN/initdb" ] || apt_ensure postgresql
}

# A free TCP port on the loopback interface.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command as the PostgreSQL owner: `postgres` when we are root (PostgreSQL refuses
# to run as root), ourselves otherwise.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts a throwaway cluster in a temporary directory and exports CUSTODES_TEST_PG_URL.
# The cluster keeps fsync on: the durability tests rely on it. stop_pg removes it.
start_pg() {
  PG_DIR="$(mktemp -d /tmp/custodes-pg.XXXXXX)"
  local port; port="$(free_port)"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=400 -c shared_buffers=64MB" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  export CUSTODES_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  log "throwaway PostgreSQL cluster on port $port"
}

stop_pg() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
