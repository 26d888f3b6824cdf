package dev.landscape.operator.ingest;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.ReportedFinding;
import dev.landscape.contract.TensorSketch;
import dev.landscape.contract.Tier1Summary;
import dev.landscape.contract.Tier2Metrics;
import dev.landscape.operator.crd.CheckpointSummary;
import dev.landscape.operator.crd.ProbeReportStatus;
import dev.landscape.operator.crd.RankFinding;
import dev.landscape.operator.crd.SketchStatus;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Folds one accepted report into its rank's history: idempotent on the step (the same report twice, or a replayed
 * spool, changes nothing), order-independent (a late report is inserted where its step belongs), bounded (only
 * the last {@code keep} checkpoints, and sketches only for the newest step, are kept). Pure.
 */
public final class ReportRecorder {

    /** What happened to a report. */
    public enum Outcome { ACCEPTED, DUPLICATE }

    private ReportRecorder() {
    }

    public static Outcome record(ProbeReportStatus status, CheckpointReport report, int keep, Instant now) {
        long step = report.step();
        boolean duplicate = status.getCheckpoints().stream().anyMatch(c -> Objects.equals(c.getStep(), step));
        if (duplicate) {
            return Outcome.DUPLICATE;
        }
        List<CheckpointSummary> checkpoints = status.getCheckpoints();
        checkpoints.add(summary(report));
        checkpoints.sort(Comparator.comparing(CheckpointSummary::getStep));
        while (checkpoints.size() > keep) {
            checkpoints.remove(0);
        }
        CheckpointSummary latest = checkpoints.get(checkpoints.size() - 1);
        status.setLatestStep(latest.getStep());
        status.setLatestLoss(latest.getLoss());
        status.setLatestGradNorm(latest.getGradNorm() != null ? latest.getGradNorm() : latest.getGradNormProxy());
        status.setLatestEosRatio(latest.getEosRatio());
        if (status.getSketchStep() == null || step >= status.getSketchStep()) {
            status.setSketchStep(step);
            status.setSketches(report.sketches().stream().map(ReportRecorder::sketch).toList());
        }
        status.setCurrentPod(report.pod());
        status.setReportsAccepted((status.getReportsAccepted() == null ? 0 : status.getReportsAccepted()) + 1);
        status.setSkippedCheckpoints((status.getSkippedCheckpoints() == null ? 0 : status.getSkippedCheckpoints()) + report.skipped().size());
        status.setLastReportTime(now.toString());
        return Outcome.ACCEPTED;
    }

    private static CheckpointSummary summary(CheckpointReport r) {
        CheckpointSummary c = new CheckpointSummary();
        c.setStep(r.step());
        c.setPod(r.pod());
        c.setObservedAt(r.observedAt());
        if (r.checkpoint() != null) {
            c.setPath(r.checkpoint().path());
            c.setFormat(r.checkpoint().format());
            c.setCompletedAt(r.checkpoint().completedAt());
        }
        Tier1Summary t1 = r.tier1();
        c.setParamNorm(t1.paramNorm());
        c.setNonFinite(t1.nonFinite());
        c.setUpdateNorm(t1.updateNorm());
        c.setRelativeUpdate(t1.relativeUpdate());
        c.setUpdateCosine(t1.updateCosine());
        c.setGradNormProxy(t1.gradNormProxy());
        c.setSecantCurvature(t1.secantCurvature());
        c.setSharpness(t1.sharpness());
        c.setEosRatio(t1.eosRatio());
        c.setLoss(t1.loss());
        c.setGradNorm(t1.gradNorm());
        c.setLearningRate(t1.learningRate());
        Tier2Metrics t2 = r.tier2();
        if (t2 != null) {
            if (t2.eosRatio() != null) {
                c.setEosRatio(t2.eosRatio());
            }
            if (t2.preconditionedSharpness() != null) {
                c.setSharpness(t2.preconditionedSharpness());
            } else if (!t2.eigenvalues().isEmpty()) {
                c.setSharpness(t2.eigenvalues().get(0));
            }
            c.setEvalLoss(t2.loss());
            c.setEvalLossP95(t2.lossP95());
            c.setWorstClass(t2.worstClass());
            c.setClassLosses(t2.classLosses().isEmpty() ? null : new java.util.TreeMap<>(t2.classLosses()));
        }
        if (!r.findings().isEmpty()) {
            c.setFindings(r.findings().stream().map(ReportRecorder::finding).toList());
        }
        return c;
    }

    private static RankFinding finding(ReportedFinding f) {
        RankFinding out = new RankFinding();
        out.setReason(f.reason());
        out.setSeverity(f.severity());
        out.setMessage(f.message());
        out.setValues(f.values().isEmpty() ? null : f.values());
        return out;
    }

    private static SketchStatus sketch(TensorSketch s) {
        SketchStatus out = new SketchStatus();
        out.setTensor(s.tensor());
        out.setSeed(s.seed());
        out.setNorm(s.norm());
        out.setValues(s.values());
        return out;
    }
}
