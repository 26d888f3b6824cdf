package dev.landscape.operator.alert;

import dev.landscape.operator.correlate.CorrelationThresholds;
import dev.landscape.operator.correlate.RankTimeline;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.crd.SloSpec;
import dev.landscape.operator.observe.Observation;
import dev.landscape.operator.observe.ProbeObserver;
import dev.landscape.operator.observe.UninjectedCause;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the operator's metrics say about one probe beyond its status: per rank the edge-of-stability ratio, the last
 * report, the checkpoint interval and, while the rank's pod runs with the sidecar, when its next report is overdue;
 * how many ranks run (the SLO counts only that time); why selected pods run without the sidecar; the SLO objective.
 * Built by a pure factory from one reconcile's observation.
 *
 * @param ranksRunning ranks whose current pod is running
 * @param uninjected   unfinished selected pods without the sidecar, by cause
 * @param objective    the stable-training objective as a ratio (0.99 for "99")
 */
public record ProbeGauges(Map<Integer, Rank> ranks, int ranksRunning, Map<UninjectedCause, Integer> uninjected,
                          double objective) {

    public ProbeGauges {
        ranks = Map.copyOf(ranks);
        uninjected = Map.copyOf(uninjected);
    }

    /**
     * One rank; each field null when unknown.
     *
     * @param reportDue when the next report is overdue; null unless the rank's pod runs with the sidecar
     */
    public record Rank(Double eosRatio, Instant lastReport, Duration checkpointInterval, Instant reportDue) {
    }

    public static ProbeGauges of(LandscapeProbe probe, Observation seen, List<RankTimeline> timelines, CorrelationThresholds t) {
        long[] intervals = timelines.stream().flatMap(r -> r.medianInterval().stream()).mapToLong(Duration::toMillis).sorted().toArray();
        Map<Integer, Rank> ranks = new TreeMap<>();
        int running = 0;
        for (RankTimeline timeline : timelines) {
            int rank = timeline.rank();
            ProbeReport report = seen.reportsByRank().get(rank);
            Double eos = report == null || report.getStatus() == null ? null : report.getStatus().getLatestEosRatio();
            Optional<Instant> lastReport = Optional.ofNullable(report == null || report.getStatus() == null ? null
                    : time(report.getStatus().getLastReportTime()));
            Optional<Duration> own = timeline.medianInterval();
            List<Pod> pods = seen.podsByRank().getOrDefault(rank, List.of());
            Pod current = pods.isEmpty() ? null : pods.get(pods.size() - 1);
            Instant due = null;
            if (timeline.podRunning()) {
                running++;
                Instant since = runningSince(current);
                if (since != null && ProbeObserver.hasSidecar(current)) {
                    due = ReportDeadline.due(since, lastReport, own, othersMedian(intervals, own), t.staleIntervals());
                }
            }
            ranks.put(rank, new Rank(eos, lastReport.orElse(null), own.orElse(null), due));
        }
        String objective = SchemaDefaults.orDefault(probe.getSpec().getSlo() == null ? null : probe.getSpec().getSlo().getObjective(),
                SloSpec.class, "objective");
        return new ProbeGauges(ranks, running, seen.uninjectedByCause(), Double.parseDouble(objective) / 100);
    }

    /** The median interval of the ranks that have one, for a rank that has none of its own yet. */
    private static Optional<Duration> othersMedian(long[] sorted, Optional<Duration> own) {
        if (own.isPresent() || sorted.length == 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(sorted[sorted.length / 2]));
    }

    /**
     * When the pod's trainer last (re)started running: the latest start of a running container other than the sidecar,
     * else the pod's start, else its creation.
     */
    static Instant runningSince(Pod pod) {
        if (pod == null || pod.getStatus() == null) {
            return null;
        }
        List<ContainerStatus> statuses = pod.getStatus().getContainerStatuses() == null ? List.of() : pod.getStatus().getContainerStatuses();
        Optional<Instant> latest = statuses.stream()
                .filter(c -> !LandscapeProbe.SIDECAR_CONTAINER.equals(c.getName()))
                .filter(c -> c.getState() != null && c.getState().getRunning() != null)
                .map(c -> time(c.getState().getRunning().getStartedAt()))
                .filter(java.util.Objects::nonNull)
                .max(Instant::compareTo);
        return latest.orElseGet(() -> Optional.ofNullable(time(pod.getStatus().getStartTime()))
                .orElseGet(() -> time(pod.getMetadata().getCreationTimestamp())));
    }

    private static Instant time(String s) {
        try {
            return s == null ? null : OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
