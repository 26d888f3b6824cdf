package dev.landscape.operator.correlate;

import dev.landscape.contract.Severity;
import dev.landscape.contract.Reason;
import dev.landscape.operator.correlate.RankTimeline.CheckpointPoint;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Whether ranks make progress together. StepSkew: the slowest rank's latest step lags the fastest by at least
 * {@code stepSkewIntervals} checkpoint intervals (the median step spacing across ranks). StaleCheckpoints: a rank
 * whose pod is running has produced nothing for {@code staleIntervals} times its own median checkpoint interval,
 * the signature of a hang (NCCL timeout, deadlock) rather than a crash, which Kubernetes would show.
 */
final class ProgressDetector {

    private ProgressDetector() {
    }

    static List<CorrelatedFinding> detect(List<RankTimeline> ranks, CorrelationThresholds t, Instant now) {
        List<CorrelatedFinding> out = new ArrayList<>();
        stepSkew(ranks, t).ifPresent(out::add);
        for (RankTimeline r : ranks) {
            stale(r, t, now).ifPresent(out::add);
        }
        return out;
    }

    private static java.util.Optional<CorrelatedFinding> stepSkew(List<RankTimeline> ranks, CorrelationThresholds t) {
        List<RankTimeline> reporting = ranks.stream().filter(r -> r.latest().isPresent()).toList();
        if (reporting.size() < 2) {
            return java.util.Optional.empty();
        }
        long interval = medianStepInterval(reporting);
        if (interval <= 0) {
            return java.util.Optional.empty();
        }
        RankTimeline slowest = reporting.get(0);
        RankTimeline fastest = reporting.get(0);
        for (RankTimeline r : reporting) {
            long s = r.latest().orElseThrow().step();
            if (s < slowest.latest().orElseThrow().step()) {
                slowest = r;
            }
            if (s > fastest.latest().orElseThrow().step()) {
                fastest = r;
            }
        }
        long behind = fastest.latest().orElseThrow().step() - slowest.latest().orElseThrow().step();
        double intervals = (double) behind / interval;
        if (intervals < t.stepSkewIntervals()) {
            return java.util.Optional.empty();
        }
        CheckpointPoint lag = slowest.latest().orElseThrow();
        String message = String.format(Locale.ROOT,
                "Rank %d (pod %s) is at step %d while rank %d is at step %d: %.1f checkpoint intervals behind (threshold %.3g).",
                slowest.rank(), slowest.currentPod(), lag.step(), fastest.rank(), fastest.latest().orElseThrow().step(),
                intervals, t.stepSkewIntervals());
        return java.util.Optional.of(new CorrelatedFinding(Reason.StepSkew, Severity.WARNING, OptionalInt.of(slowest.rank()),
                slowest.currentPod(), OptionalLong.of(lag.step()), fastest.latest().orElseThrow().observedAt(), message,
                Map.of("intervalsBehind", intervals, "stepsBehind", (double) behind)));
    }

    private static long medianStepInterval(List<RankTimeline> ranks) {
        List<Long> gaps = new ArrayList<>();
        for (RankTimeline r : ranks) {
            List<CheckpointPoint> cps = r.checkpoints();
            for (int i = 1; i < cps.size(); i++) {
                long g = cps.get(i).step() - cps.get(i - 1).step();
                if (g > 0) {
                    gaps.add(g);
                }
            }
        }
        if (gaps.isEmpty()) {
            return 0;
        }
        long[] a = gaps.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }

    private static java.util.Optional<CorrelatedFinding> stale(RankTimeline r, CorrelationThresholds t, Instant now) {
        if (!r.podRunning() || r.latest().isEmpty()) {
            return java.util.Optional.empty();
        }
        java.util.Optional<Duration> interval = r.medianInterval();
        if (interval.isEmpty()) {
            return java.util.Optional.empty();
        }
        CheckpointPoint last = r.latest().get();
        Duration silent = Duration.between(last.observedAt(), now);
        double intervals = (double) silent.toMillis() / interval.get().toMillis();
        if (intervals < t.staleIntervals()) {
            return java.util.Optional.empty();
        }
        String message = String.format(Locale.ROOT,
                "Rank %d (pod %s) has written no checkpoint for %s since step %d, %.1f times its usual interval of %s, while the pod runs: it may be hung.",
                r.rank(), r.currentPod(), human(silent), last.step(), intervals, human(interval.get()));
        return java.util.Optional.of(new CorrelatedFinding(Reason.StaleCheckpoints, Severity.WARNING, OptionalInt.of(r.rank()),
                r.currentPod(), OptionalLong.of(last.step()), last.observedAt().plus(interval.get().multipliedBy((long) Math.ceil(t.staleIntervals()))),
                message, Map.of("intervals", intervals, "silentSeconds", (double) silent.toSeconds())));
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return (s / 60) + "m";
        }
        return (s / 3600) + "h" + ((s % 3600) / 60) + "m";
    }
}
