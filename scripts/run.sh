#!/usr/bin/env bash
# Runs the whole platform on this machine: a private PostgreSQL in
# $LCP_DATA_DIR (default .lcp-data), the demo network, the web UI and the API
# on $LCP_LISTEN (default 127.0.0.1:8080). Installs what is missing first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_system_packages run
ensure_node_modules frontend
say "building the web UI"
(cd frontend && npm run --silent build)
say "building the service"
cargo build --locked --bin lcp

export LCP_FRONTEND_DIR="${LCP_FRONTEND_DIR:-$ROOT/frontend/dist}"
export LCP_LOG_FORMAT="${LCP_LOG_FORMAT:-pretty}"
export RUST_LOG="${RUST_LOG:-info,actix_server=warn,tracing_actix_web=warn}"
exec "$LCP_BIN" demo
