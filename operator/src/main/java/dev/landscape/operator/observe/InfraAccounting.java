package dev.landscape.operator.observe;

import dev.landscape.operator.crd.InfraEvent;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReportStatus;
import dev.landscape.operator.crd.RankPod;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Turns pod statuses into a rank's infrastructure history, exactly once per restart, across operator restarts.
 *
 * <p>The count already accounted for is kept per pod UID in the ProbeReport ({@code restartsCounted}); a
 * container's {@code restartCount} above it is new. The kubelet keeps only the latest termination
 * ({@code lastState.terminated}), so when the count jumped by k between two observations, the latest restart is
 * recorded with its reason and exit code and the k−1 before it as {@code Unobserved}: every restart is counted,
 * none is invented. A pod that ended (phase Failed, or a terminated container that will not restart) is recorded
 * once ({@code terminationRecorded}); an eviction is recorded from the pod's own reason.
 */
public final class InfraAccounting {

    /** Infrastructure events kept per rank; older ones are dropped (counters are kept). */
    public static final int MAX_EVENTS = 50;

    private InfraAccounting() {
    }

    /** Updates {@code status} from the rank's pods; returns whether anything changed. */
    public static boolean account(ProbeReportStatus status, List<Pod> pods, Instant now) {
        String before = fingerprint(status);
        Pod newest = pods.stream().max(Comparator.comparing(p -> Objects.toString(p.getMetadata().getCreationTimestamp(), ""))).orElse(null);
        if (newest != null) {
            status.setCurrentPod(newest.getMetadata().getName());
        }
        for (Pod pod : pods) {
            RankPod seen = seen(status, pod, now);
            int total = 0;
            for (ContainerStatus cs : trainerStatuses(pod)) {
                total += cs.getRestartCount() == null ? 0 : cs.getRestartCount();
            }
            int counted = seen.getRestartsCounted() == null ? 0 : seen.getRestartsCounted();
            if (total > counted) {
                ContainerStatus latest = trainerStatuses(pod).stream()
                        .filter(cs -> cs.getLastState() != null && cs.getLastState().getTerminated() != null)
                        .max(Comparator.comparing(cs -> Objects.toString(cs.getLastState().getTerminated().getFinishedAt(), "")))
                        .orElse(null);
                for (int i = counted + 1; i < total; i++) {
                    addEvent(status, event(pod, null, "Unobserved", null, i, now,
                            "restart counted by restartCount; the kubelet no longer reports its cause"));
                }
                if (latest != null) {
                    ContainerStateTerminated t = latest.getLastState().getTerminated();
                    addEvent(status, event(pod, latest.getName(), reasonOf(t), t.getExitCode(), total, time(t, now), t.getMessage()));
                    bump(status, reasonOf(t));
                } else {
                    addEvent(status, event(pod, null, "Unobserved", null, total, now, "restart without a recorded termination"));
                }
                status.setRestarts(value(status.getRestarts()) + (total - counted));
                seen.setRestartsCounted(total);
            }
            if (!Boolean.TRUE.equals(seen.getTerminationRecorded())) {
                recordTermination(status, seen, pod, now);
            }
        }
        return !before.equals(fingerprint(status));
    }

    private static void recordTermination(ProbeReportStatus status, RankPod seen, Pod pod, Instant now) {
        if (pod.getStatus() != null && "Evicted".equals(pod.getStatus().getReason())) {
            addEvent(status, event(pod, null, "Evicted", null, 0, now, pod.getStatus().getMessage()));
            seen.setTerminationRecorded(true);
            return;
        }
        boolean podFailed = pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase());
        for (ContainerStatus cs : trainerStatuses(pod)) {
            ContainerStateTerminated t = cs.getState() == null ? null : cs.getState().getTerminated();
            if (t == null || (!podFailed && (t.getExitCode() == null || t.getExitCode() == 0))) {
                continue;
            }
            if (podFailed || "Never".equals(pod.getSpec() == null ? null : pod.getSpec().getRestartPolicy())) {
                String reason = reasonOf(t);
                addEvent(status, event(pod, cs.getName(), reason, t.getExitCode(), value(cs.getRestartCount()), time(t, now), t.getMessage()));
                bump(status, reason);
                seen.setTerminationRecorded(true);
                return;
            }
        }
    }

    private static void bump(ProbeReportStatus status, String reason) {
        if ("OOMKilled".equals(reason)) {
            status.setOomKills(value(status.getOomKills()) + 1);
        }
    }

    /** Kubernetes' own reason when it has one ({@code OOMKilled}, {@code Error}, {@code Completed}). */
    private static String reasonOf(ContainerStateTerminated t) {
        if (t.getReason() != null && !t.getReason().isBlank()) {
            return t.getReason();
        }
        return t.getExitCode() != null && t.getExitCode() == 137 ? "OOMKilled" : (t.getExitCode() != null && t.getExitCode() == 0 ? "Completed" : "Error");
    }

    private static RankPod seen(ProbeReportStatus status, Pod pod, Instant now) {
        String uid = pod.getMetadata().getUid();
        for (RankPod rp : status.getPods()) {
            if (Objects.equals(rp.getUid(), uid) && Objects.equals(rp.getName(), pod.getMetadata().getName())) {
                return rp;
            }
        }
        RankPod rp = new RankPod();
        rp.setName(pod.getMetadata().getName());
        rp.setUid(uid);
        rp.setNode(pod.getSpec() == null ? null : pod.getSpec().getNodeName());
        rp.setFirstSeen(now.toString());
        rp.setRestartsCounted(0);
        status.getPods().add(rp);
        if (status.getPods().size() > MAX_EVENTS) {
            status.getPods().remove(0);
        }
        return rp;
    }

    private static List<ContainerStatus> trainerStatuses(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return List.of();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(cs -> !LandscapeProbe.SIDECAR_CONTAINER.equals(cs.getName())).toList();
    }

    private static InfraEvent event(Pod pod, String container, String reason, Integer exitCode, int restartCount,
                                    Instant time, String message) {
        InfraEvent e = new InfraEvent();
        e.setTime(time.toString());
        e.setPod(pod.getMetadata().getName());
        e.setPodUid(pod.getMetadata().getUid());
        e.setContainer(container);
        e.setReason(reason);
        e.setExitCode(exitCode);
        e.setRestartCount(restartCount);
        e.setMessage(message == null || message.isBlank() ? null : message.strip());
        return e;
    }

    private static void addEvent(ProbeReportStatus status, InfraEvent e) {
        status.getEvents().add(e);
        while (status.getEvents().size() > MAX_EVENTS) {
            status.getEvents().remove(0);
        }
    }

    private static Instant time(ContainerStateTerminated t, Instant fallback) {
        try {
            return t.getFinishedAt() == null ? fallback : Instant.parse(t.getFinishedAt());
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }

    private static String fingerprint(ProbeReportStatus s) {
        return s.getCurrentPod() + "|" + s.getRestarts() + "|" + s.getOomKills() + "|" + s.getEvents().size() + "|"
                + s.getPods().stream().map(p -> p.getUid() + ":" + p.getRestartsCounted() + ":" + p.getTerminationRecorded())
                .toList();
    }
}
