package dev.landscape.operator.webhook;

/**
 * What the injector needs to know beyond the probe and the pod: operator-wide settings and what the cluster
 * supports. A plain value so that the injector stays a pure function that golden-file tests can drive.
 *
 * @param defaultImage           sidecar image when the probe names none
 * @param reportUrl              where the sidecar POSTs its reports
 * @param nativeSidecar          inject as an init container with {@code restartPolicy: Always} (Kubernetes ≥ 1.29)
 * @param scratchSizeLimit       sizeLimit of the scratch emptyDir
 * @param tokenExpirationSeconds lifetime of the projected service-account token
 * @param caConfigMap            the ConfigMap (in the pod's namespace) whose {@code ca.crt} the sidecar trusts for
 *                               the report URL; null when the operator serves plain HTTP (TLS mode {@code none})
 */
public record InjectionSettings(String defaultImage, String reportUrl, boolean nativeSidecar,
                                String scratchSizeLimit, long tokenExpirationSeconds, String caConfigMap) {
}
