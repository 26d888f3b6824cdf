package dev.landscape.operator.webhook;

import io.fabric8.kubernetes.api.model.EnvVarSource;

/**
 * A pod's rank as far as the webhook can know it at admission: a literal value, a downward-API reference the kubelet
 * resolves at container start, or neither (then the sidecar is told where to look and reports the rank as unknown).
 *
 * @param value     the rank, when the pod already carries it
 * @param valueFrom a downward-API source for {@code LANDSCAPE_RANK}, when the value is only known at start
 * @param origin    where it came from, e.g. {@code label training.kubeflow.org/replica-index}; also why it is unknown
 */
public record RankResolution(String value, EnvVarSource valueFrom, String origin) {

    static RankResolution literal(String value, String origin) {
        return new RankResolution(value, null, origin);
    }

    static RankResolution reference(EnvVarSource source, String origin) {
        return new RankResolution(null, source, origin);
    }

    static RankResolution unknown(String why) {
        return new RankResolution(null, null, why);
    }

    public boolean resolved() {
        return value != null || valueFrom != null;
    }
}
