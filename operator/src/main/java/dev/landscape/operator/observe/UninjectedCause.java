package dev.landscape.operator.observe;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.webhook.InjectionAnnotations;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * Why a selected pod runs without the sidecar. Only {@link #MISSED} is a fault: a pod created after its probe,
 * not opted out, that the webhook did not inject — the webhook failed open (unreachable, timed out, TLS) or was
 * skipped, or the operator was down when the pod was created.
 */
public enum UninjectedCause {
    /** {@code landscape.dev/inject=false} on the pod. */
    OPTED_OUT,
    /** Created before the probe existed: the webhook only sees pods as they are created. */
    PREDATES_PROBE,
    /** Should have been injected and was not. */
    MISSED;

    /** The metric label value: {@code opted_out}, {@code predates_probe}, {@code missed}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Why {@code pod}, which the probe selects and which has no sidecar, has none. */
    public static UninjectedCause of(LandscapeProbe probe, Pod pod) {
        Map<String, String> annotations = orEmpty(pod.getMetadata().getAnnotations());
        Map<String, String> labels = orEmpty(pod.getMetadata().getLabels());
        if ("false".equals(annotations.get(InjectionAnnotations.INJECT)) || "false".equals(labels.get(InjectionAnnotations.INJECT))) {
            return OPTED_OUT;
        }
        Optional<Instant> podCreated = time(pod.getMetadata().getCreationTimestamp());
        Optional<Instant> probeCreated = time(probe.getMetadata().getCreationTimestamp());
        if (podCreated.isPresent() && probeCreated.isPresent() && podCreated.get().isBefore(probeCreated.get())) {
            return PREDATES_PROBE;
        }
        return MISSED;
    }

    private static Optional<Instant> time(String s) {
        try {
            return s == null ? Optional.empty() : Optional.of(OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
