package dev.landscape.probe.runtime;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.ReportValidator;
import dev.landscape.contract.ReportedFinding;
import dev.landscape.contract.TensorSketch;
import dev.landscape.contract.Tier1Summary;
import dev.landscape.contract.Tier2Metrics;
import dev.landscape.probe.findings.Finding;
import dev.landscape.probe.metrics.CountSketch;
import dev.landscape.probe.metrics.Tier1Analyzer;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one checkpoint's analysis into the wire report. Fingerprints are bounded so a report of any model stays
 * far below the operator's limits: per tensor when they fit in {@link ReportValidator#MAX_SKETCH_VALUES}, else
 * summed per layer (CountSketch is linear, so a layer's sketch is the sketch of its concatenated tensors and
 * distances keep their meaning), else the layers with the largest norms — the ones whose divergence matters most.
 */
public final class ReportFactory {

    private ReportFactory() {
    }

    public static CheckpointReport build(SidecarConfig c, long step, Path path, String format, Instant completedAt,
                                         Instant observedAt, Tier1Metrics m, Tier2Metrics tier2, List<Finding> findings,
                                         List<CheckpointReport.SkippedCheckpoint> skipped) {
        Tier1Summary t1 = new Tier1Summary(
                finite(m.parameterNorm()), m.nonFinite(), finite(m.updateNorm()), finite(m.relativeUpdate()),
                finite(m.updateCosine()), finite(m.firstMomentNorm()), finite(m.fisherTrace()),
                finite(m.secantSharpness()),
                finite(Double.isFinite(m.preconditionedSharpness()) ? m.preconditionedSharpness() : m.secantSharpness()),
                finite(m.stabilityRatio()),
                m.loss().isPresent() ? finite(m.loss().getAsDouble()) : null,
                m.loggedGradNorm().isPresent() ? finite(m.loggedGradNorm().getAsDouble()) : finite(m.gradientNorm()),
                finite(m.learningRate()));
        List<ReportedFinding> reported = findings.stream()
                .limit(ReportValidator.MAX_FINDINGS)
                .map(f -> new ReportedFinding(f.reason().name(), f.severity().label(), f.since(), f.message(), finiteValues(f.values())))
                .toList();
        return new CheckpointReport(CheckpointReport.API_VERSION, c.probe(), c.namespace(), c.pod(), c.rank(), step,
                new CheckpointReport.CheckpointRef(path.toString(), format, completedAt.toString()), observedAt.toString(),
                t1, tier2, sketches(m), reported, skipped);
    }

    /** The fingerprints to send, within the report's budget. */
    static List<TensorSketch> sketches(Tier1Metrics m) {
        Map<String, CountSketch> fingerprints = m.fingerprints();
        if (fingerprints.isEmpty()) {
            return List.of();
        }
        int width = fingerprints.values().iterator().next().width();
        int budget = Math.min(ReportValidator.MAX_SKETCHES, ReportValidator.MAX_SKETCH_VALUES / width);
        Map<String, CountSketch> chosen = fingerprints;
        Map<String, dev.landscape.probe.metrics.GroupMetrics> norms = m.tensors();
        if (chosen.size() > budget) {
            norms = m.layers();
            Map<String, CountSketch> layers = new LinkedHashMap<>();
            fingerprints.forEach((name, s) -> layers.computeIfAbsent(Tier1Analyzer.layerOf(name),
                    k -> new CountSketch(s.width(), s.seed())).addAll(s));
            chosen = layers;
        }
        List<Map.Entry<String, CountSketch>> entries = new ArrayList<>(chosen.entrySet());
        if (entries.size() > budget) {
            entries.sort(Comparator.comparingDouble((Map.Entry<String, CountSketch> e) -> e.getValue().normSquared()).reversed());
            entries = entries.subList(0, budget);
        }
        List<TensorSketch> out = new ArrayList<>();
        for (Map.Entry<String, CountSketch> e : entries) {
            double[] b = e.getValue().buckets();
            List<Double> values = new ArrayList<>(b.length);
            for (double v : b) {
                values.add(Double.isFinite(v) ? v : 0.0);
            }
            var group = norms.get(e.getKey());
            double norm = group != null && Double.isFinite(group.parameterNorm()) ? group.parameterNorm() : Math.sqrt(e.getValue().normSquared());
            out.add(new TensorSketch(e.getKey(), e.getValue().seed(), norm, values));
        }
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Map<String, Double> finiteValues(Map<String, Double> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
