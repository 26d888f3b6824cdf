package dev.landscape.operator.correlate;

import dev.landscape.contract.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Joins per-rank timelines into findings. Pure: no I/O, no clock of its own, no Kubernetes types; the same input
 * gives the same findings, so reconciles are idempotent and the logic is tested from tables.
 *
 * <p>{@code previousSince} carries each still-active finding's start across reconciles (keyed by
 * {@link #identity(Reason, java.util.OptionalInt)}), so "since when" survives re-evaluation.
 */
public final class Correlator {

    private Correlator() {
    }

    public static List<CorrelatedFinding> correlate(List<RankTimeline> ranks, CorrelationThresholds thresholds, Instant now,
                                          Map<String, Instant> previousSince) {
        List<CorrelatedFinding> found = new ArrayList<>();
        found.addAll(SidecarFindings.active(ranks));
        found.addAll(DivergenceDetector.detect(ranks, thresholds, previousSince));
        found.addAll(ProgressDetector.detect(ranks, thresholds, now));
        found.addAll(InfrastructureDetector.detect(ranks, thresholds, now));
        List<CorrelatedFinding> out = new ArrayList<>(found.size());
        for (CorrelatedFinding f : found) {
            Instant earlier = previousSince.get(identity(f.reason(), f.rank()));
            out.add(earlier != null && earlier.isBefore(f.since())
                    ? new CorrelatedFinding(f.reason(), f.severity(), f.rank(), f.pod(), f.step(), earlier, f.message(), f.values())
                    : f);
        }
        out.sort(Comparator.comparing(CorrelatedFinding::severity).reversed()
                .thenComparing(CorrelatedFinding::since, Comparator.reverseOrder())
                .thenComparing(f -> f.reason().name())
                .thenComparingInt(f -> f.rank().orElse(-1)));
        return out;
    }

    /** The largest cross-rank relative distance (rank furthest from the others, or -1 with two ranks), if comparable. */
    public static java.util.Optional<Divergence> divergence(List<RankTimeline> ranks) {
        return DivergenceDetector.measure(ranks).map(m -> new Divergence(m.worst(), m.group().size() == 2 ? -1 : m.culprit().rank(), m.tensor()));
    }

    /** How far apart the ranks' replicated tensors are. */
    public record Divergence(double relativeDistance, int rank, String tensor) {
    }

    /** What makes two findings "the same ongoing problem": reason and rank. */
    public static String identity(Reason reason, java.util.OptionalInt rank) {
        return reason + "/" + (rank.isPresent() ? Integer.toString(rank.getAsInt()) : "job");
    }
}
