package dev.landscape.operator.rank;

import io.fabric8.kubernetes.api.model.EnvVarSource;

import java.util.OptionalInt;

/**
 * A pod's rank as far as it can be told: a value, a downward-API reference the kubelet resolves at container start
 * (at admission only, when the pod does not carry the value yet), or neither (then {@link #origin()} says why).
 *
 * @param value     the rank, a non-negative integer in decimal, when known
 * @param valueFrom a downward-API source for {@code LANDSCAPE_RANK}, when the value is only known at start
 * @param origin    where it came from, e.g. {@code label training.kubeflow.org/replica-index}; also why it is unknown
 */
public record RankResolution(String value, EnvVarSource valueFrom, String origin) {

    static RankResolution literal(int value, String origin) {
        return new RankResolution(Integer.toString(value), null, origin);
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

    /** The rank as a number, when known. */
    public OptionalInt number() {
        return value == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(value));
    }
}
