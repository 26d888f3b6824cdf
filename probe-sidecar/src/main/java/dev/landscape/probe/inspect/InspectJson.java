package dev.landscape.probe.inspect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.landscape.probe.metrics.TensorStats;

import java.io.IOException;
import java.io.Writer;

/**
 * The {@code inspect --json} contract (docs/analyser.md, "inspect"), written field by field so that its shape is
 * visible here and cannot drift with a record's accessors. A norm too large for a double (only possible for F64 tensors near
 * {@code Double.MAX_VALUE}) is written as {@code null}: JSON has no infinity.
 */
public final class InspectJson {

    private static final JsonFactory JSON = new JsonFactory();

    private InspectJson() {
    }

    public static void write(InspectReport report, Writer out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("path", report.path().toString());
            g.writeStringField("format", report.format());
            if (report.step().isPresent()) {
                g.writeNumberField("step", report.step().getAsLong());
            } else {
                g.writeNullField("step");
            }
            g.writeArrayFieldStart("tensors");
            for (InspectReport.Row row : report.tensors()) {
                g.writeStartObject();
                g.writeStringField("name", row.info().name());
                g.writeStringField("group", row.info().group());
                g.writeStringField("dtype", row.info().dtype().name());
                g.writeArrayFieldStart("shape");
                for (long d : row.info().shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                number(g, "l2", row.stats().l2());
                number(g, "maxAbs", row.stats().maxAbs());
                g.writeNumberField("nonFinite", row.stats().nonFinite());
                g.writeEndObject();
            }
            g.writeEndArray();
            TensorStats totals = report.totals();
            g.writeObjectFieldStart("totals");
            g.writeNumberField("tensors", report.tensors().size());
            g.writeNumberField("elements", totals.elements());
            number(g, "l2", totals.l2());
            g.writeNumberField("nonFinite", totals.nonFinite());
            g.writeEndObject();
            g.writeArrayFieldStart("globals");
            for (String name : report.globals()) {
                g.writeString(name);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    private static void number(JsonGenerator g, String field, double value) throws IOException {
        if (Double.isFinite(value)) {
            g.writeNumberField(field, value);
        } else {
            g.writeNullField(field);
        }
    }
}
