package dev.landscape.probe.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.probe.findings.Finding;
import dev.landscape.probe.metrics.CountSketch;
import dev.landscape.probe.metrics.GroupMetrics;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * Renders {@code analyze} results: the JSON contract of docs/analyser.md ({@code {"checkpoints": [{"step", "path",
 * "format", "metrics", "findings"}]}}, plus {@code "sketches"} per checkpoint and {@code "error"} for one that could
 * not be read) or a table for people. Figures that could not be computed are left out of the JSON (JSON has no
 * NaN) and shown as {@code -} in the table.
 */
final class AnalyzeReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AnalyzeReport() {
    }

    /** Receives results one at a time and writes them out at once; {@link #finish} closes the document. */
    abstract static class Sink implements Consumer<RunAnalysis.Result> {
        int analysed;
        int unreadable;

        @Override
        public final void accept(RunAnalysis.Result r) {
            if (r.error() != null) {
                unreadable++;
            } else {
                analysed++;
            }
            write(r);
        }

        abstract void write(RunAnalysis.Result r);

        abstract void finish();
    }

    /** JSON written as a stream: one checkpoint object at a time, so memory does not grow with the run. */
    static Sink json(PrintWriter out) {
        try {
            JsonGenerator gen = JSON.getFactory().createGenerator(out).useDefaultPrettyPrinter();
            gen.writeStartObject();
            gen.writeArrayFieldStart("checkpoints");
            return new Sink() {
                @Override
                void write(RunAnalysis.Result r) {
                    try {
                        gen.writeTree(checkpoint(r));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                void finish() {
                    try {
                        gen.writeEndArray();
                        gen.writeNumberField("analysed", analysed);
                        gen.writeNumberField("unreadable", unreadable);
                        gen.writeEndObject();
                        gen.flush();
                        out.println();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode checkpoint(RunAnalysis.Result r) {
        ObjectNode c = JSON.createObjectNode();
        if (r.step().isPresent()) {
            c.put("step", r.step().getAsLong());
        }
        c.put("path", r.path().toString());
        if (r.error() != null) {
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
            o.put("reason", f.reason().name());
            o.put("severity", f.severity().label());
            o.put("step", f.step());
            o.put("since", f.since());
            o.put("message", f.message());
            ObjectNode v = o.putObject("values");
            f.values().forEach((k, x) -> put(v, k, x));
        }
        return c;
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
        put(o, "trajectorySharpness", m.trajectorySharpness());
        put(o, "trajectorySharpnessError", m.trajectorySharpnessError());
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

    /** A table for people, one line per checkpoint and one per finding, printed as results arrive. */
    static Sink table(Path dir, PrintWriter out) {
        out.printf(Locale.ROOT, "%-10s %-11s %-11s %-11s %-11s %-9s %-8s %-11s %-8s %s%n", "STEP", "LOSS", "GRADNORM",
                "PARAMNORM", "UPDATE", "REL", "COS", "SHARPNESS", "EOS", "NONFINITE");
        return new Sink() {
            @Override
            void write(RunAnalysis.Result r) {
                String step = r.step().isPresent() ? Long.toString(r.step().getAsLong()) : "?";
                if (r.error() != null) {
                    out.printf(Locale.ROOT, "%-10s ERROR %s: %s%n", step, r.path(), r.error());
                    return;
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
                out.flush();
            }

            @Override
            void finish() {
                out.printf(Locale.ROOT, "%d checkpoint(s) in %s analysed", analysed, dir);
                out.println(unreadable > 0
                        ? "; " + unreadable + " could not be read (ERROR lines above) and were skipped." : ".");
            }
        };
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
