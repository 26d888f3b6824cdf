package dev.landscape.operator.correlate;

import dev.landscape.operator.correlate.RankTimeline.CheckpointPoint;
import dev.landscape.operator.correlate.RankTimeline.SidecarFinding;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The sidecar's own findings (it applies the spike/plateau/oscillation statistics and their hysteresis with the
 * full series at hand). A finding is active while the rank's latest checkpoint still carries it; it started at
 * the first checkpoint of the unbroken run that carries it.
 */
final class SidecarFindings {

    private SidecarFindings() {
    }

    static List<CorrelatedFinding> active(List<RankTimeline> ranks) {
        List<CorrelatedFinding> out = new ArrayList<>();
        for (RankTimeline r : ranks) {
            List<CheckpointPoint> cps = r.checkpoints();
            if (cps.isEmpty()) {
                continue;
            }
            CheckpointPoint latest = cps.get(cps.size() - 1);
            for (SidecarFinding f : latest.findings()) {
                int first = cps.size() - 1;
                while (first > 0 && cps.get(first - 1).finding(f.reason()).isPresent()) {
                    first--;
                }
                CheckpointPoint start = cps.get(first);
                String pod = latest.pod() == null || latest.pod().isEmpty() ? r.currentPod() : latest.pod();
                String message = "Rank " + r.rank() + " (pod " + pod + ") since step " + start.step() + ": " + f.message();
                out.add(new CorrelatedFinding(f.reason(), f.severity(), OptionalInt.of(r.rank()), pod,
                        OptionalLong.of(start.step()), start.observedAt(), message, f.values()));
            }
        }
        return out;
    }
}
