package dev.landscape.operator.correlate;

import dev.landscape.operator.correlate.RankTimeline.CheckpointPoint;
import dev.landscape.operator.correlate.RankTimeline.InfraPoint;
import dev.landscape.operator.correlate.RankTimeline.SidecarFinding;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What Kubernetes saw happen to each rank, joined with what the metrics saw just before.
 *
 * <ul>
 *   <li>OOMKilled / ErrorExit / Evicted: the rank's latest such event within {@code restartLoopWindow}.</li>
 *   <li>RestartLoop: at least {@code restartLoopRestarts} restarts within {@code restartLoopWindow}, or the
 *       container waiting in {@code CrashLoopBackOff}.</li>
 *   <li>InstabilityBeforeFailure: an OOM kill or error exit that came at most {@code instabilityWindow} after a
 *       metric anomaly (non-finite values, edge of stability, gradient or loss spike, update oscillation) on the
 *       same rank. It replaces the bare OOMKilled/ErrorExit finding for that event: one finding naming both, since
 *       raising memory would only postpone a failure the optimisation caused.</li>
 * </ul>
 */
final class InfrastructureDetector {

    private InfrastructureDetector() {
    }

    static List<Finding> detect(List<RankTimeline> ranks, CorrelationThresholds t, Instant now) {
        List<Finding> out = new ArrayList<>();
        Instant horizon = now.minus(t.restartLoopWindow());
        for (RankTimeline r : ranks) {
            Map<Reason, InfraPoint> latestByReason = new HashMap<>();
            int restarts = 0;
            InfraPoint firstInWindow = null;
            for (InfraPoint p : r.infra()) {
                if (p.time().isBefore(horizon)) {
                    continue;
                }
                if (p.restartCount() > 0 || p.reason().isEmpty()) {
                    restarts++;
                    firstInWindow = firstInWindow == null ? p : firstInWindow;
                }
                p.reason().ifPresent(reason -> latestByReason.put(reason, p));
            }
            for (Reason failure : Reason.FAILURES) {
                InfraPoint p = latestByReason.get(failure);
                if (p == null) {
                    continue;
                }
                Optional<Finding> instability = instabilityBefore(r, p, t);
                if (instability.isPresent()) {
                    out.add(instability.get());
                } else {
                    out.add(failureFinding(r, p));
                }
            }
            InfraPoint evicted = latestByReason.get(Reason.Evicted);
            if (evicted != null) {
                out.add(failureFinding(r, evicted));
            }
            boolean crashLoop = "CrashLoopBackOff".equals(r.waitingReason());
            if (restarts >= t.restartLoopRestarts() || crashLoop) {
                Instant since = firstInWindow != null ? firstInWindow.time() : now;
                String message = String.format(Locale.ROOT, "Rank %d (pod %s) restarted %d times in the last %s%s.",
                        r.rank(), r.currentPod(), restarts, ProgressDetector.human(t.restartLoopWindow()),
                        crashLoop ? " and is in CrashLoopBackOff" : "");
                out.add(new Finding(Reason.RestartLoop, Severity.CRITICAL, OptionalInt.of(r.rank()), r.currentPod(),
                        r.latest().map(c -> OptionalLong.of(c.step())).orElse(OptionalLong.empty()), since, message,
                        Map.of("restarts", (double) restarts)));
            }
        }
        return out;
    }

    private static Finding failureFinding(RankTimeline r, InfraPoint p) {
        Reason reason = p.reason().orElseThrow();
        String what = switch (reason) {
            case OOMKilled -> "was OOM-killed" + (p.exitCode() != null ? " (exit code " + p.exitCode() + ")" : "");
            case ErrorExit -> "exited with code " + p.exitCode() + (p.detail() == null || p.detail().isEmpty() ? "" : " (" + p.detail() + ")");
            case Evicted -> "was evicted" + (p.detail() == null || p.detail().isEmpty() ? "" : ": " + p.detail());
            default -> "failed";
        };
        String message = String.format(Locale.ROOT, "Rank %d (pod %s) %s at %s%s.", r.rank(), p.pod(), what, p.time(),
                r.latest().map(c -> ", last checkpoint step " + c.step()).orElse(""));
        Map<String, Double> values = p.exitCode() == null ? Map.of() : Map.of("exitCode", (double) p.exitCode());
        return new Finding(reason, Severity.WARNING, OptionalInt.of(r.rank()), p.pod(),
                r.latest().map(c -> OptionalLong.of(c.step())).orElse(OptionalLong.empty()), p.time(), message, values);
    }

    private static Optional<Finding> instabilityBefore(RankTimeline r, InfraPoint failure, CorrelationThresholds t) {
        CheckpointPoint anomalyAt = null;
        SidecarFinding anomaly = null;
        for (CheckpointPoint c : r.checkpoints()) {
            if (c.observedAt().isAfter(failure.time())
                    || Duration.between(c.observedAt(), failure.time()).compareTo(t.instabilityWindow()) > 0) {
                continue;
            }
            for (SidecarFinding f : c.findings()) {
                if (Reason.ANOMALIES.contains(f.reason()) && (anomalyAt == null || c.observedAt().isBefore(anomalyAt.observedAt()))) {
                    anomalyAt = c;
                    anomaly = f;
                }
            }
        }
        if (anomaly == null) {
            return Optional.empty();
        }
        Duration lead = Duration.between(anomalyAt.observedAt(), failure.time());
        String failureWhat = failure.reason().orElseThrow() == Reason.OOMKilled ? "was OOM-killed" : "exited with code " + failure.exitCode();
        String message = String.format(Locale.ROOT,
                "Rank %d had a %s at step %d (%s) %s before its pod %s %s at %s. %s",
                r.rank(), anomaly.reason(), anomalyAt.step(), anomaly.message(), ProgressDetector.human(lead),
                failure.pod(), failureWhat, failure.time(), Reason.InstabilityBeforeFailure.remedy());
        Map<String, Double> values = new HashMap<>(anomaly.values());
        values.put("leadSeconds", (double) lead.toSeconds());
        values.put("anomalyStep", (double) anomalyAt.step());
        return Optional.of(new Finding(Reason.InstabilityBeforeFailure, Severity.CRITICAL, OptionalInt.of(r.rank()),
                failure.pod(), OptionalLong.of(anomalyAt.step()), anomalyAt.observedAt(), message, values));
    }
}
