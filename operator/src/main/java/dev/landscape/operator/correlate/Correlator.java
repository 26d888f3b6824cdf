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
 * <p>{@code previous} carries each still-active finding's start and first step across reconciles (keyed by
 * {@link #identity(Reason, java.util.OptionalInt)}), so "since when" and "from which step" survive re-evaluation;
 * a finding that cleared is absent from it and starts again when it comes back.
 */
public final class Correlator {

    private Correlator() {
    }

    public static List<CorrelatedFinding> correlate(List<RankTimeline> ranks, CorrelationThresholds thresholds, Instant now,
                                          Map<String, FirstSeen> previous) {
        List<CorrelatedFinding> found = new ArrayList<>();
        found.addAll(SidecarFindings.active(ranks));
        found.addAll(DivergenceDetector.detect(ranks, thresholds, previous));
        found.addAll(ProgressDetector.detect(ranks, thresholds, now));
        found.addAll(InfrastructureDetector.detect(ranks, thresholds, now));
        List<CorrelatedFinding> out = new ArrayList<>(found.size());
        for (CorrelatedFinding f : found) {
            FirstSeen first = previous.get(identity(f.reason(), f.rank()));
            out.add(first != null && !first.since().isAfter(f.since()) ? startedAt(f, first) : f);
        }
        out.sort(Comparator.comparing(CorrelatedFinding::severity).reversed()
                .thenComparing(CorrelatedFinding::since, Comparator.reverseOrder())
                .thenComparing(f -> f.reason().name())
                .thenComparingInt(f -> f.rank().orElse(-1)));
        return out;
    }

    /**
     * The ongoing finding with its first start and step; its message and values stay those of the present evidence.
     * A start without a step (none was known then) takes the present one.
     */
    private static CorrelatedFinding startedAt(CorrelatedFinding f, FirstSeen first) {
        return new CorrelatedFinding(f.reason(), f.severity(), f.rank(), f.pod(),
                first.step().isPresent() ? first.step() : f.step(), first.since(), f.message(), f.values());
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
