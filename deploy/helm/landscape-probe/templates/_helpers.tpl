{{/* Labels every object carries, as deploy/ sets them, plus Helm's. */}}
{{- define "landscape.labels" -}}
app.kubernetes.io/name: landscape-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The operator pods' selector: the same as deploy/'s, so that the two installs are interchangeable. */}}
{{- define "landscape.selector" -}}
app.kubernetes.io/name: landscape-operator
{{- end -}}

{{- define "landscape.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "landscape.sidecarImage" -}}
{{ .Values.sidecarImage.repository }}:{{ .Values.sidecarImage.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Whether probes are watched in listed namespaces only (namespaced RBAC). */}}
{{- define "landscape.namespaced" -}}
{{- if .Values.watchNamespaces }}true{{ end -}}
{{- end -}}

{{- define "landscape.selfSigned" -}}
{{- if eq .Values.tls.mode "self-signed" }}true{{ end -}}
{{- end -}}
