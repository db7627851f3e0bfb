#!/usr/bin/env bash
# Runs the whole platform on this machine: a private PostgreSQL in
# $LCP_DATA_DIR (default .lcp-data), the demo network, the web UI and the API
# on $LCP_LISTEN (default 127.0.0.1:8080). Installs what is missing first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_system_packages run
ensure_node_modules frontend
ensure_node_modules e2e
say "building the web UI"
(cd frontend && npm run --silent build)
say "building the service"
cargo build --locked --bin lcp

export LCP_FRONTEND_DIR="${LCP_FRONTEND_DIR:-$ROOT/frontend/dist}"
export LCP_LOG_FORMAT="${LCP_LOG_FORMAT:-pretty}"
export RUST_LOG="${RUST_LOG:-info,actix_server=warn,tracing_actix_web=warn}"
export LCP_LISTEN="${LCP_LISTEN:-127.0.0.1:8080}"
export LCP_DATA_DIR="${LCP_DATA_DIR:-$ROOT/.lcp-data}"
export LCP_PUBLIC_URL="${LCP_PUBLIC_URL:-http://$LCP_LISTEN}"

# The demo identity provider: the demo people with one fresh password, the
# platform's web client and the demo ERP clients with fresh secrets.
idp_port="${LCP_IDP_PORT:-8081}"
idp_dir="$LCP_DATA_DIR/idp"
mkdir -p "$idp_dir"
chmod 700 "$idp_dir"
say "configuring the demo identity provider"
"$LCP_BIN" demo-people >"$idp_dir/people.json"
(umask 077 && node e2e/idp/demo-config.mjs --people "$idp_dir/people.json" \
  --public-url "$LCP_PUBLIC_URL" --port "$idp_port" --out "$idp_dir/idp.json" >"$idp_dir/secrets.json")
secret() { node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(s[process.argv[2]])' "$idp_dir/secrets.json" "$1"; }
LCP_OIDC_ISSUER=$(secret issuer)
LCP_OIDC_CLIENT_ID=$(secret web_client_id)
LCP_OIDC_CLIENT_SECRET=$(secret web_client_secret)
LCP_DEMO_PASSWORD=$(secret demo_password)
export LCP_OIDC_ISSUER LCP_OIDC_CLIENT_ID LCP_OIDC_CLIENT_SECRET LCP_DEMO_PASSWORD
export LCP_API_AUDIENCE=lcp-api

say "starting the demo identity provider at $LCP_OIDC_ISSUER (log: $idp_dir/idp.log)"
node e2e/idp/server.mjs --config "$idp_dir/idp.json" --exit-with-parent >"$idp_dir/ready" 2>"$idp_dir/idp.log" &
idp_pid=$!
trap 'kill -TERM "$idp_pid" 2>/dev/null || true; wait "$idp_pid" 2>/dev/null || true' EXIT
for _ in $(seq 150); do
  grep -q '^IDP_READY ' "$idp_dir/ready" && break
  kill -0 "$idp_pid" 2>/dev/null || { cat "$idp_dir/idp.log" >&2; die "the demo identity provider did not start"; }
  sleep 0.2
done
grep -q '^IDP_READY ' "$idp_dir/ready" || die "the demo identity provider did not become ready"
say "ERP clients get tokens at $LCP_OIDC_ISSUER/token (client credentials); their secrets: $idp_dir/secrets.json"

# The provider ends by itself when the platform (this process after exec) ends.
trap - EXIT
exec "$LCP_BIN" demo
