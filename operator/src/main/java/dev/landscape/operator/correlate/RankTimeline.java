package dev.landscape.operator.correlate;

import dev.landscape.contract.Severity;
import dev.landscape.contract.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything known about one rank, in time order: analysed checkpoints (with the sidecar's own findings),
 * infrastructure events, the state of its current pod and its latest tensor fingerprints. Built by the observer
 * from ProbeReports and pods; consumed by the pure {@link Correlator}.
 *
 * @param podRunning    whether the rank's current pod is running (a hang is only suspected while it runs)
 * @param waitingReason the current container's waiting reason, e.g. {@code CrashLoopBackOff}, or {@code ""}
 * @param sketchStep    the step the sketches were taken at
 */
public record RankTimeline(int rank, String currentPod, boolean podRunning, String waitingReason,
                           List<CheckpointPoint> checkpoints, List<InfraPoint> infra,
                           long sketchStep, List<Sketch> sketches) {

    public RankTimeline {
        checkpoints = checkpoints.stream().sorted(Comparator.comparingLong(CheckpointPoint::step)).toList();
        infra = infra.stream().sorted(Comparator.comparing(InfraPoint::time)).toList();
        sketches = List.copyOf(sketches);
        currentPod = currentPod == null ? "" : currentPod;
        waitingReason = waitingReason == null ? "" : waitingReason;
    }

    public Optional<CheckpointPoint> latest() {
        return checkpoints.isEmpty() ? Optional.empty() : Optional.of(checkpoints.get(checkpoints.size() - 1));
    }

    /** A finding the sidecar raised on one checkpoint. */
    public record SidecarFinding(Reason reason, Severity severity, String message, Map<String, Double> values) {
        public SidecarFinding {
            values = values == null ? Map.of() : Map.copyOf(values);
        }
    }

    /** One analysed checkpoint. */
    public record CheckpointPoint(long step, Instant observedAt, String pod, OptionalDouble loss, OptionalDouble gradNorm,
                                  OptionalDouble eosRatio, long nonFinite, List<SidecarFinding> findings) {
        public CheckpointPoint {
            findings = List.copyOf(findings);
        }

        public Optional<SidecarFinding> finding(Reason reason) {
            return findings.stream().filter(f -> f.reason() == reason).findFirst();
        }
    }

    /**
     * One termination or restart of the rank's trainer container.
     *
     * @param reason {@link Reason#OOMKilled}, {@link Reason#ErrorExit} or {@link Reason#Evicted}, or empty for a
     *               restart whose cause the kubelet no longer reports (two restarts between observations)
     */
    public record InfraPoint(Instant time, String pod, Optional<Reason> reason, Integer exitCode, int restartCount, String detail) {
    }

    /** A CountSketch of one tensor; comparable across ranks with equal seed and width. */
    public record Sketch(String tensor, long seed, double norm, double[] values) {
    }

    /** Median spacing of consecutive checkpoints in time, if there are at least two. */
    public Optional<Duration> medianInterval() {
        if (checkpoints.size() < 2) {
            return Optional.empty();
        }
        long[] gaps = new long[checkpoints.size() - 1];
        for (int i = 1; i < checkpoints.size(); i++) {
            gaps[i - 1] = Duration.between(checkpoints.get(i - 1).observedAt(), checkpoints.get(i).observedAt()).toMillis();
        }
        java.util.Arrays.sort(gaps);
        long median = gaps[gaps.length / 2];
        return median > 0 ? Optional.of(Duration.ofMillis(median)) : Optional.empty();
    }
}
