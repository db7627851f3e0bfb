{{/*
Chart name, truncated to the 63-character DNS label limit.
*/}}
{{- define "lcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name used as the resource name prefix.
*/}}
{{- define "lcp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version for the helm.sh/chart label.
*/}}
{{- define "lcp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels shared by every pod of the release (server and migration).
*/}}
{{- define "lcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector labels of the HTTP server pods only (excludes migration Job pods).
*/}}
{{- define "lcp.serverSelectorLabels" -}}
{{ include "lcp.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/*
Common labels for every resource.
*/}}
{{- define "lcp.labels" -}}
helm.sh/chart: {{ include "lcp.chart" . }}
{{ include "lcp.selectorLabels" . }}
app.kubernetes.io/version: {{ (default .Chart.AppVersion .Values.image.tag) | toString | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: lcp
{{- end }}

{{/*
ServiceAccount used by the server pods.
*/}}
{{- define "lcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lcp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
ServiceAccount used by the migration hook. Pre-install hooks run before the
chart's regular resources exist, so a dedicated hook ServiceAccount is created
when serviceAccount.create is true.
*/}}
{{- define "lcp.migrationServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- printf "%s-migrate" (include "lcp.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Container image reference: repository@digest, or repository:tag (tag defaults to appVersion).
*/}}
{{- define "lcp.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}
{{- end }}

{{/*
LCP_LISTEN value derived from the container port.
*/}}
{{- define "lcp.listen" -}}
{{- printf "0.0.0.0:%d" (int .Values.config.port) }}
{{- end }}

{{/*
DATABASE_URL env entry, always a reference to an existing Secret (never a literal value).
*/}}
{{- define "lcp.databaseUrlEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret is required: name of an existing Secret holding the PostgreSQL URL" .Values.database.existingSecret | quote }}
      key: {{ .Values.database.existingSecretKey | quote }}
{{- end }}

{{/*
Name of the ConfigMap holding the non-secret environment.
*/}}
{{- define "lcp.configMapName" -}}
{{- printf "%s-config" (include "lcp.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Secret env entries of the server container: identity secrets and master keys,
always references to existing Secrets (never literal values). Rendered only
when the corresponding existingSecret is set; the schema requires
identity.existingSecret whenever identity.issuer is set.
*/}}
{{- define "lcp.secretEnv" -}}
{{- if .Values.identity.issuer }}
{{- $_ := required "identity.existingSecret is required with identity.issuer: name of an existing Secret holding the OIDC client secret and the session secret" .Values.identity.existingSecret }}
{{- end }}
{{- with .Values.identity.existingSecret }}
- name: LCP_OIDC_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $.Values.identity.clientSecretKey | quote }}
- name: LCP_SESSION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $.Values.identity.sessionSecretKey | quote }}
{{- end }}
{{- with .Values.encryption.existingSecret }}
- name: LCP_MASTER_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $.Values.encryption.existingSecretKey | quote }}
{{- end }}
{{- end }}

{{/*
TCP port of the identity provider for the NetworkPolicy egress rule:
networkPolicy.egress.identityProviderPort, else the port of identity.issuer
(443 for https, 80 for http when the URL names none).
*/}}
{{- define "lcp.issuerPort" -}}
{{- if .Values.networkPolicy.egress.identityProviderPort }}
{{- .Values.networkPolicy.egress.identityProviderPort }}
{{- else }}
{{- $u := urlParse .Values.identity.issuer }}
{{- $parts := splitList ":" $u.host }}
{{- if gt (len $parts) 1 }}
{{- last $parts }}
{{- else if eq $u.scheme "http" }}
{{- 80 }}
{{- else }}
{{- 443 }}
{{- end }}
{{- end }}
{{- end }}
