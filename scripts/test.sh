#!/usr/bin/env bash
# Runs every test the project has: formatting and lints, Rust unit and
# integration tests (against a private PostgreSQL), the web UI's lint,
# type-check, unit tests and build, the Helm chart's checks, and the
# end-to-end tests in Chromium against the real platform. Installs what is
# missing first. Stops at the first failing suite.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT

ensure_system_packages test
ensure_diesel_cli
ensure_node_modules frontend
ensure_node_modules e2e

say "format and lints"
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings

say "Rust tests"
cargo test --locked --workspace 2>&1 | tee "$LOGS/rust.log"

say "web UI: lint, type-check, unit tests, build"
(cd frontend && npm run --silent lint && npm run --silent typecheck)
(cd frontend && npm run --silent test) 2>&1 | tee "$LOGS/frontend.log"
(cd frontend && npm run --silent build)

say "Helm chart"
bash helm/test.sh 2>&1 | tee "$LOGS/helm.log"

say "end-to-end tests in Chromium"
cargo build --locked --bin lcp
(cd e2e && LCP_BIN="$LCP_BIN" npm test) 2>&1 | tee "$LOGS/e2e.log"

# One closing line for the whole run, summed from each runner's own count.
rust=$(grep -Eo '^test result: ok\. [0-9]+ passed' "$LOGS/rust.log" | awk '{ n += $4 } END { print n + 0 }')
frontend=$(sed 's/\x1b\[[0-9;]*m//g' "$LOGS/frontend.log" | grep -Eo 'Tests +[0-9]+ passed' | awk '{ n += $2 } END { print n + 0 }')
helm=$(grep -Eo '^helm: [0-9]+ passed' "$LOGS/helm.log" | awk '{ print $2 }')
e2e=$(grep -Eo '^ℹ pass [0-9]+' "$LOGS/e2e.log" | awk '{ print $3 }')
say "rust $rust, web UI $frontend, helm $helm, e2e $e2e"
echo "all: $((rust + frontend + helm + e2e)) passed, 0 failed"
