# Shared by scripts/run.sh and scripts/test.sh: find or install what the
# platform needs on a Debian or Ubuntu machine with Rust and Node.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
LCP_BIN="$CARGO_TARGET_DIR/debug/lcp"

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

have_postgres_server() {
  local dir
  for dir in "${PG_BIN:-}" "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
    [[ -n $dir && -x $dir/postgres && -x $dir/initdb ]] && return 0
  done
  return 1
}

# ensure_system_packages run|test
ensure_system_packages() {
  local mode=$1 missing=()
  command -v cargo >/dev/null || die "Rust is needed (cargo not found)"
  command -v node >/dev/null || die "Node.js 20.19 or newer is needed (node not found)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js 20.19 or newer is needed (found $(node --version))"
  have_postgres_server || missing+=(postgresql)
  if [[ $mode == test ]]; then
    [[ -x ${CHROMIUM_BIN:-/usr/bin/chromium} ]] || missing+=(chromium)
    # the diesel CLI (schema check) links libpq
    [[ -f /usr/include/postgresql/libpq-fe.h ]] || missing+=(libpq-dev)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
  fi
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# The diesel CLI of the same version as the diesel crate in Cargo.lock, so
# `print-schema` writes what the committed schema.rs was made with.
ensure_diesel_cli() {
  local want have
  want=$(awk '/^name = "diesel"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")
  have=$(diesel --version 2>/dev/null | awk '/Version:/ { print $2 }' || true)
  if [[ $have != "$want" ]]; then
    say "installing the diesel CLI $want"
    cargo install --quiet --locked diesel_cli --version "$want" --no-default-features --features postgres
  fi
}

# npm ci in a folder unless its node_modules matches the lockfile already
ensure_node_modules() {
  local dir=$ROOT/$1
  if [[ ! -f $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    say "installing npm packages in $1/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
