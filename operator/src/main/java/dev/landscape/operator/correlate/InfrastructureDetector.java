package dev.landscape.operator.correlate;

import dev.landscape.contract.Severity;
import dev.landscape.contract.Reason;
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
 *       same rank, joined to the nearest such anomaly before it (and naming the window's earliest when different). It replaces the bare OOMKilled/ErrorExit finding for that event: one finding naming both, since
 *       raising memory would only postpone a failure the optimisation caused.</li>
 * </ul>
 */
final class InfrastructureDetector {

    private InfrastructureDetector() {
    }

    static List<CorrelatedFinding> detect(List<RankTimeline> ranks, CorrelationThresholds t, Instant now) {
        List<CorrelatedFinding> out = new ArrayList<>();
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
                Optional<CorrelatedFinding> instability = instabilityBefore(r, p, t);
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
                out.add(new CorrelatedFinding(Reason.RestartLoop, Severity.CRITICAL, OptionalInt.of(r.rank()), r.currentPod(),
                        r.latest().map(c -> OptionalLong.of(c.step())).orElse(OptionalLong.empty()), since, message,
                        Map.of("restarts", (double) restarts)));
            }
        }
        return out;
    }

    private static CorrelatedFinding failureFinding(RankTimeline r, InfraPoint p) {
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
        return new CorrelatedFinding(reason, Severity.WARNING, OptionalInt.of(r.rank()), p.pod(),
                r.latest().map(c -> OptionalLong.of(c.step())).orElse(OptionalLong.empty()), p.time(), message, values);
    }

    /** An anomaly the sidecar reported on one checkpoint of the rank. */
    private record Anomaly(CheckpointPoint at, SidecarFinding finding) {
    }

    /**
     * The failure joined to the <b>nearest</b> anomaly before it on the rank (the latest checkpoint within the window
     * that carries one; the most severe if it carries several): that is the one most likely to have caused it. An
     * earlier anomaly in the same window (say, a spike of a learning-rate phase the run recovered from) is named as
     * well when it is a different one, because on-call reads the window's history too, but never as the cause. An
     * info finding (EdgeOfStability approaching the edge) is not an anomaly: it is neither.
     */
    private static Optional<CorrelatedFinding> instabilityBefore(RankTimeline r, InfraPoint failure, CorrelationThresholds t) {
        Anomaly nearest = null;
        Anomaly earliest = null;
        for (CheckpointPoint c : r.checkpoints()) {
            if (c.observedAt().isAfter(failure.time())
                    || Duration.between(c.observedAt(), failure.time()).compareTo(t.instabilityWindow()) > 0) {
                continue;
            }
            for (SidecarFinding f : c.findings()) {
                if (!Reason.ANOMALIES.contains(f.reason()) || f.severity() == Severity.INFO) {
                    continue;
                }
                Anomaly a = new Anomaly(c, f);
                if (earliest == null || c.observedAt().isBefore(earliest.at().observedAt())) {
                    earliest = a;
                }
                if (nearest == null || c.observedAt().isAfter(nearest.at().observedAt())
                        || c == nearest.at() && f.severity().compareTo(nearest.finding().severity()) > 0) {
                    nearest = a;
                }
            }
        }
        if (nearest == null) {
            return Optional.empty();
        }
        Duration lead = Duration.between(nearest.at().observedAt(), failure.time());
        String failureWhat = failure.reason().orElseThrow() == Reason.OOMKilled ? "was OOM-killed" : "exited with code " + failure.exitCode();
        String earlier = "";
        Map<String, Double> values = new HashMap<>(nearest.finding().values());
        values.put("leadSeconds", (double) lead.toSeconds());
        values.put("anomalyStep", (double) nearest.at().step());
        if (earliest.at() != nearest.at()) {
            Duration before = Duration.between(earliest.at().observedAt(), failure.time());
            earlier = String.format(Locale.ROOT, " Earlier in the %s before the failure: a %s at step %d, %s before it.",
                    ProgressDetector.human(t.instabilityWindow()), earliest.finding().reason(), earliest.at().step(),
                    ProgressDetector.human(before));
            values.put("earliestAnomalyStep", (double) earliest.at().step());
            values.put("earliestLeadSeconds", (double) before.toSeconds());
        }
        String message = String.format(Locale.ROOT,
                "Rank %d had a %s at step %d (%s) %s before its pod %s %s at %s: the nearest anomaly before the failure.%s %s",
                r.rank(), nearest.finding().reason(), nearest.at().step(), nearest.finding().message(),
                ProgressDetector.human(lead), failure.pod(), failureWhat, failure.time(), earlier,
                Reason.InstabilityBeforeFailure.remedy());
        return Optional.of(new CorrelatedFinding(Reason.InstabilityBeforeFailure, Severity.CRITICAL, OptionalInt.of(r.rank()),
                failure.pod(), OptionalLong.of(nearest.at().step()), nearest.at().observedAt(), message, values));
    }
}
