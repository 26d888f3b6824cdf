package dev.landscape.kubectl;

import dev.landscape.contract.Severity;
import dev.landscape.operator.crd.ActiveSilence;
import dev.landscape.operator.crd.CheckpointSource;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.crd.ProbeReportSpec;
import dev.landscape.operator.crd.ProbeReportStatus;
import dev.landscape.operator.crd.SilenceSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

import java.util.List;
import java.util.Map;

/**
 * A 4-rank job as the operator would have written it at 12:00: a job-wide LossSpike that a planned silence covers,
 * and rank 2 in a restart loop on its second pod.
 */
final class TestingProbes {

    private TestingProbes() {
    }

    static LandscapeProbe bert(String namespace) {
        LandscapeProbeSpec spec = new LandscapeProbeSpec();
        spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("job-name", "bert").build());
        CheckpointSource cp = new CheckpointSource();
        cp.setVolume("checkpoints");
        spec.setCheckpoints(cp);
        SilenceSpec retrain = new SilenceSpec();
        retrain.setStart("2026-12-07T11:30:00Z");
        retrain.setEnd("2026-12-07T14:00:00Z");
        retrain.setReason("LR warm-up restart, expect spikes (ML-4711)");
        retrain.setFindingReasons(List.of("LossSpike", "GradientSpike"));
        spec.setSilences(List.of(retrain));
        LandscapeProbe p = new LandscapeProbe();
        p.setMetadata(new ObjectMetaBuilder().withName("bert").withNamespace(namespace).build());
        p.setSpec(spec);
        return p;
    }

    static LandscapeProbeStatus bertStatus() {
        LandscapeProbeStatus s = new LandscapeProbeStatus();
        s.setObservedGeneration(1L);
        s.setConditions(List.of(
                condition("Ready", "True", "Accepted", "Probe accepted; 4 selected pod(s), 4 with the sidecar."),
                condition("TrainingStable", "False", "LossSpike", "Rank 0 (pod bert-worker-0) since step 4100: loss 7.9 is 8.2 MADs above the median."),
                condition("WorkersInSync", "True", "InSync", "4 rank(s) reporting, progressing together."),
                condition("InfrastructureHealthy", "False", "RestartLoop", "Rank 2 (pod bert-worker-2-r1) restarted 3 times within 30m.")));
        s.setRanks(4);
        s.setLatestStep(4200L);
        s.setPodsInjected(4);
        s.setPodsUninjected(0);
        s.setRestarts(3);
        s.setOomKills(1);
        FindingStatus loop = finding("RestartLoop", Severity.CRITICAL, 2, "bert-worker-2-r1", null,
                "2026-12-07T11:48:00Z", "Rank 2 (pod bert-worker-2-r1) restarted 3 times within 30m.", Map.of("restarts", 3.0, "windowSeconds", 1800.0));
        loop.setRemedy("The rank keeps restarting: stop the job, fix the cause of the first failure (see the previous container's logs) and resume from the last good checkpoint.");
        List<FindingStatus> findings = new java.util.ArrayList<>(List.of(loop));
        for (int rank = 0; rank < 4; rank++) {
            if (rank == 2) {
                continue;
            }
            FindingStatus spike = finding("LossSpike", Severity.WARNING, rank, "bert-worker-" + rank, 4100L,
                    "2026-12-07T11:52:10Z", "Rank " + rank + " (pod bert-worker-" + rank + ") since step 4100: loss 7.9 is 8.2 MADs above the median.",
                    Map.of("z", 8.2, "value", 7.9, "median", 2.31));
            spike.setRemedy("Restart from the checkpoint before the spike with a lower learning rate or skip the offending data; enable gradient clipping.");
            spike.setSilencedUntil("2026-12-07T14:00:00Z");
            findings.add(spike);
        }
        s.setFindings(findings);
        ActiveSilence silence = new ActiveSilence();
        silence.setSource("spec.silences[0]");
        silence.setUntil("2026-12-07T14:00:00Z");
        silence.setReason("LR warm-up restart, expect spikes (ML-4711)");
        silence.setFindingReasons(List.of("GradientSpike", "LossSpike"));
        s.setSilences(List.of(silence));
        s.setSilencedUntil("2026-12-07T14:00:00Z");
        return s;
    }

    static ProbeReport report(String namespace, int rank, String pod, long step, double loss, double gradNorm, Double eos,
                              int restarts, int ooms, String lastReport) {
        ProbeReport r = new ProbeReport();
        r.setMetadata(new ObjectMetaBuilder().withName(ProbeReport.nameFor("bert", rank)).withNamespace(namespace)
                .addToLabels("landscape.dev/probe", "bert").build());
        ProbeReportSpec spec = new ProbeReportSpec();
        spec.setProbe("bert");
        spec.setRank(rank);
        r.setSpec(spec);
        ProbeReportStatus s = new ProbeReportStatus();
        s.setCurrentPod(pod);
        s.setLatestStep(step);
        s.setLatestLoss(loss);
        s.setLatestGradNorm(gradNorm);
        s.setLatestEosRatio(eos);
        s.setRestarts(restarts);
        s.setOomKills(ooms);
        s.setLastReportTime(lastReport);
        r.setStatus(s);
        return r;
    }

    private static Condition condition(String type, String status, String reason, String message) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime("2026-12-07T11:48:05Z").withObservedGeneration(1L).build();
    }

    private static FindingStatus finding(String reason, Severity severity, Integer rank, String pod, Long step,
                                         String since, String message, Map<String, Double> values) {
        FindingStatus f = new FindingStatus();
        f.setReason(reason);
        f.setSeverity(severity);
        f.setRank(rank);
        f.setPod(pod);
        f.setStep(step);
        f.setSince(since);
        f.setMessage(message);
        f.setValues(values);
        return f;
    }
}
