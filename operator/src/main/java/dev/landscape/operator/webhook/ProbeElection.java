package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.store.LabelSelectors;

import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses one probe when several select the same pod: the oldest by creationTimestamp, then by name. A pod gets
 * one sidecar, and every replica of the webhook must pick the same one, hence a total, stable order.
 */
public record ProbeElection(LandscapeProbe winner, List<LandscapeProbe> losers) {

    static final Comparator<LandscapeProbe> OLDEST_FIRST = Comparator
            .comparing((LandscapeProbe p) -> creation(p))
            .thenComparing(p -> p.getMetadata().getName());

    /** The probes among {@code candidates} whose selector matches {@code labels}, ordered, or empty if none. */
    public static Optional<ProbeElection> among(List<LandscapeProbe> candidates, Map<String, String> labels) {
        List<LandscapeProbe> matching = candidates.stream()
                .filter(p -> p.getSpec() != null && LabelSelectors.matches(p.getSpec().getSelector(), labels))
                .sorted(OLDEST_FIRST)
                .toList();
        if (matching.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ProbeElection(matching.get(0), matching.subList(1, matching.size())));
    }

    private static OffsetDateTime creation(LandscapeProbe probe) {
        String ts = probe.getMetadata().getCreationTimestamp();
        // Not yet persisted (never the case for a probe read from the API server): sort it last.
        return ts == null ? OffsetDateTime.MAX : OffsetDateTime.parse(ts);
    }
}
