#!/usr/bin/env bash
# Prints diesel's schema.rs for a freshly migrated database: a throwaway
# private cluster, migrated by `lcp migrate`, read by `diesel print-schema`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_diesel_cli >&2
cargo build --quiet --locked --bin lcp
data=$(mktemp -d)
chmod 755 "$data"
trap 'rm -rf "$data"' EXIT
LCP_DATA_DIR=$data LCP_LOG_FORMAT=pretty RUST_LOG=warn "$LCP_BIN" migrate >&2
# start the migrated cluster again, only to read its schema
url="postgresql://postgres@/lcp?host=$data/postgres/run&port=5432"
pg=${PG_BIN:-$(pg_config --bindir 2>/dev/null || true)}
[[ -x $pg/pg_ctl ]] || pg=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin | sort -V | tail -n 1)
run_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
run_pg "$pg/pg_ctl" -D "$data/postgres/data" -o "-k $data/postgres/run -c listen_addresses=" -l "$data/postgres/run/pg_ctl.log" -w start >&2
status=0
diesel print-schema --database-url "$url" --config-file diesel.toml || status=$?
run_pg "$pg/pg_ctl" -D "$data/postgres/data" -m fast -w stop >&2
exit "$status"
