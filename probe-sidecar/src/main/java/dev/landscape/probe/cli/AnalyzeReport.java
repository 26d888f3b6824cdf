package dev.landscape.probe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.probe.findings.Finding;
import dev.landscape.probe.metrics.CountSketch;
import dev.landscape.probe.metrics.GroupMetrics;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Renders {@code analyze} results: the JSON contract of DESIGN.md ({@code {"checkpoints": [{"step", "path",
 * "format", "metrics", "findings"}]}}, plus {@code "sketches"} per checkpoint and {@code "error"} for one that could
 * not be read) or a table for people. Figures that could not be computed are left out of the JSON (JSON has no
 * NaN) and shown as {@code -} in the table.
 */
final class AnalyzeReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AnalyzeReport() {
    }

    static void writeJson(List<RunAnalysis.Result> results, PrintWriter out) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode cps = root.putArray("checkpoints");
        int unreadable = 0;
        for (RunAnalysis.Result r : results) {
            ObjectNode c = cps.addObject();
            if (r.step().isPresent()) {
                c.put("step", r.step().getAsLong());
            }
            c.put("path", r.path().toString());
            if (r.error() != null) {
                unreadable++;
                c.put("error", r.error());
            } else {
                c.put("format", r.format());
                metrics(c.putObject("metrics"), r.metrics());
                ObjectNode sk = c.putObject("sketches");
                for (Map.Entry<String, CountSketch> e : r.metrics().fingerprints().entrySet()) {
                    ObjectNode s = sk.putObject(e.getKey());
                    s.put("width", e.getValue().width());
                    s.put("seed", e.getValue().seed());
                    ArrayNode v = s.putArray("values");
                    for (double b : e.getValue().buckets()) {
                        v.add(b);
                    }
                }
            }
            ArrayNode fs = c.putArray("findings");
            for (Finding f : r.findings()) {
                ObjectNode o = fs.addObject();
                o.put("reason", f.reason());
                o.put("severity", f.severity().label());
                o.put("step", f.step());
                o.put("since", f.since());
                o.put("message", f.message());
                ObjectNode v = o.putObject("values");
                f.values().forEach((k, x) -> put(v, k, x));
            }
        }
        root.put("analysed", results.size() - unreadable);
        root.put("unreadable", unreadable);
        out.println(JSON.writeValueAsString(root));
    }

    private static void metrics(ObjectNode o, Tier1Metrics m) {
        o.put("optimizer", m.optimizer());
        put(o, "learningRate", m.learningRate());
        if (m.stepsSincePrevious() >= 0) {
            o.put("stepsSincePrevious", m.stepsSincePrevious());
        }
        put(o, "parameterNorm", m.parameterNorm());
        o.put("nonFinite", m.nonFinite());
        if (!m.nonFiniteTensors().isEmpty()) {
            ObjectNode nf = o.putObject("nonFiniteTensors");
            m.nonFiniteTensors().forEach(nf::put);
        }
        put(o, "updateNorm", m.updateNorm());
        put(o, "relativeUpdate", m.relativeUpdate());
        put(o, "updateCosine", m.updateCosine());
        put(o, "gradientNorm", m.gradientNorm());
        put(o, "firstMomentNorm", m.firstMomentNorm());
        put(o, "fisherTrace", m.fisherTrace());
        put(o, "secantSharpness", m.secantSharpness());
        put(o, "preconditionedSharpness", m.preconditionedSharpness());
        put(o, "stabilityThreshold", m.stabilityThreshold());
        put(o, "stabilityRatio", m.stabilityRatio());
        put(o, "loss", m.loss());
        put(o, "loggedGradNorm", m.loggedGradNorm());
        groups(o.putObject("layers"), m.layers());
        groups(o.putObject("tensors"), m.tensors());
    }

    private static void groups(ObjectNode o, Map<String, GroupMetrics> groups) {
        groups.forEach((name, g) -> {
            ObjectNode n = o.putObject(name);
            put(n, "parameterNorm", g.parameterNorm());
            put(n, "updateNorm", g.updateNorm());
            put(n, "relativeUpdate", g.relativeUpdate());
            put(n, "firstMomentNorm", g.firstMomentNorm());
            put(n, "fisherTrace", g.fisherTrace());
            put(n, "fisherShare", g.fisherShare());
            put(n, "signalToNoise", g.signalToNoise());
            n.put("nonFinite", g.nonFinite());
        });
    }

    /** A logged NaN loss is a fact worth keeping: written as the string {@code "NaN"}; an absent loss is omitted. */
    private static void put(ObjectNode o, String key, OptionalDouble v) {
        if (v.isPresent()) {
            double x = v.getAsDouble();
            if (Double.isFinite(x)) {
                o.put(key, x);
            } else {
                o.put(key, Double.toString(x));
            }
        }
    }

    private static void put(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        }
    }

    static void writeTable(Path dir, List<RunAnalysis.Result> results, PrintWriter out) {
        out.printf(Locale.ROOT, "%-10s %-11s %-11s %-11s %-11s %-9s %-8s %-11s %-8s %s%n", "STEP", "LOSS", "GRADNORM",
                "PARAMNORM", "UPDATE", "REL", "COS", "SHARPNESS", "EOS", "NONFINITE");
        int unreadable = 0;
        for (RunAnalysis.Result r : results) {
            String step = r.step().isPresent() ? Long.toString(r.step().getAsLong()) : "?";
            if (r.error() != null) {
                unreadable++;
                out.printf(Locale.ROOT, "%-10s ERROR %s: %s%n", step, r.path(), r.error());
                continue;
            }
            Tier1Metrics m = r.metrics();
            double sharp = m.optimizer().equals("adam") ? m.preconditionedSharpness() : m.secantSharpness();
            out.printf(Locale.ROOT, "%-10s %-11s %-11s %-11s %-11s %-9s %-8s %-11s %-8s %d%n", step,
                    logged(m.loss()), num(m.spikeGradNorm()), num(m.parameterNorm()), num(m.updateNorm()),
                    num(m.relativeUpdate()), fixed(m.updateCosine()), num(sharp), fixed(m.stabilityRatio()),
                    m.nonFinite());
            for (Finding f : r.findings()) {
                out.printf(Locale.ROOT, "%10s %s %s: %s%n", "", f.severity().label(), f.reason(), f.message());
            }
        }
        out.printf(Locale.ROOT, "%d checkpoint(s) in %s analysed", results.size() - unreadable, dir);
        out.println(unreadable > 0 ? "; " + unreadable + " could not be read (ERROR lines above) and were skipped." : ".");
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4g", v);
    }

    /** A logged value: {@code -} when absent, {@code NaN} when the trainer logged NaN. */
    private static String logged(OptionalDouble v) {
        return v.isEmpty() ? "-" : String.format(Locale.ROOT, "%.4g", v.getAsDouble());
    }

    private static String fixed(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
