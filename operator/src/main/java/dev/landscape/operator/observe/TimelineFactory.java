package dev.landscape.operator.observe;

import dev.landscape.operator.correlate.RankTimeline;
import dev.landscape.operator.correlate.RankTimeline.CheckpointPoint;
import dev.landscape.operator.correlate.RankTimeline.InfraPoint;
import dev.landscape.operator.correlate.RankTimeline.SidecarFinding;
import dev.landscape.operator.correlate.RankTimeline.Sketch;
import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.operator.crd.CheckpointSummary;
import dev.landscape.operator.crd.InfraEvent;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.crd.ProbeReportStatus;
import dev.landscape.operator.crd.RankFinding;
import dev.landscape.operator.crd.SketchStatus;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** Maps what the API server holds (a rank's ProbeReport and its current pod) to the correlator's pure timeline. */
public final class TimelineFactory {

    private TimelineFactory() {
    }

    public static RankTimeline from(int rank, ProbeReport report, Pod currentPod) {
        ProbeReportStatus s = report == null || report.getStatus() == null ? new ProbeReportStatus() : report.getStatus();
        List<CheckpointPoint> checkpoints = new ArrayList<>();
        for (CheckpointSummary c : s.getCheckpoints()) {
            if (c.getStep() == null) {
                continue;
            }
            List<SidecarFinding> findings = new ArrayList<>();
            if (c.getFindings() != null) {
                for (RankFinding f : c.getFindings()) {
                    Reason.of(f.getReason()).filter(Reason.FROM_SIDECAR::contains).ifPresent(r -> findings.add(
                            new SidecarFinding(r, severity(f.getSeverity()), f.getMessage(), f.getValues())));
                }
            }
            checkpoints.add(new CheckpointPoint(c.getStep(), instant(c.getObservedAt()), c.getPod(), opt(c.getLoss()),
                    opt(c.getGradNorm()), opt(c.getEosRatio()), c.getNonFinite() == null ? 0 : c.getNonFinite(), findings));
        }
        List<InfraPoint> infra = new ArrayList<>();
        for (InfraEvent e : s.getEvents()) {
            infra.add(new InfraPoint(instant(e.getTime()), e.getPod(), infraReason(e), e.getExitCode(),
                    e.getRestartCount() == null ? 0 : e.getRestartCount(), e.getMessage()));
        }
        List<Sketch> sketches = new ArrayList<>();
        if (s.getSketches() != null) {
            for (SketchStatus sk : s.getSketches()) {
                if (sk.getValues() == null || sk.getTensor() == null) {
                    continue;
                }
                sketches.add(new Sketch(sk.getTensor(), sk.getSeed() == null ? 0 : sk.getSeed(),
                        sk.getNorm() == null ? 0 : sk.getNorm(), sk.getValues().stream().mapToDouble(Double::doubleValue).toArray()));
            }
        }
        String podName = currentPod != null ? currentPod.getMetadata().getName() : s.getCurrentPod();
        return new RankTimeline(rank, podName, running(currentPod), waitingReason(currentPod), checkpoints, infra,
                s.getSketchStep() == null ? -1 : s.getSketchStep(), sketches);
    }

    /** OOMKilled, Evicted, ErrorExit (non-zero exits); nothing for clean exits or unobserved restarts. */
    static Optional<Reason> infraReason(InfraEvent e) {
        String r = e.getReason() == null ? "" : e.getReason();
        return switch (r) {
            case "OOMKilled" -> Optional.of(Reason.OOMKilled);
            case "Evicted" -> Optional.of(Reason.Evicted);
            case "Completed", "Unobserved", "" -> Optional.empty();
            default -> e.getExitCode() != null && e.getExitCode() == 0 ? Optional.empty() : Optional.of(Reason.ErrorExit);
        };
    }

    static boolean running(Pod pod) {
        return pod != null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
    }

    static String waitingReason(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return "";
        }
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            if (cs.getState() != null && cs.getState().getWaiting() != null && cs.getState().getWaiting().getReason() != null) {
                return cs.getState().getWaiting().getReason();
            }
        }
        return "";
    }

    private static OptionalDouble opt(Double d) {
        return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
    }

    private static Instant instant(String s) {
        try {
            return s == null ? Instant.EPOCH : Instant.parse(s);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** A stored report's severity; reports are validated at ingest, so anything else is an edited status: warning. */
    private static Severity severity(String wire) {
        return Severity.isWire(wire) ? Severity.parse(wire) : Severity.WARNING;
    }
}
