package dev.landscape.demo.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model as the JSON document the page embeds: the charts' input, and the whole report in a form a tool can read
 * back out of the page. Points are {@code [step, value]} pairs to keep a long run's page small.
 */
final class ReportJson {

    private ReportJson() {
    }

    /**
     * @param imageNames the file name each image was copied to, in the model's image order
     */
    static Map<String, Object> of(ReportModel model, List<String> imageNames) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("title", model.title());
        doc.put("probe", model.probe());
        doc.put("namespace", model.namespace());
        doc.put("started", model.started().toString());
        doc.put("durationSeconds", model.duration().toMillis() / 1000.0);
        doc.put("metrics", model.metrics().stream().map(ReportJson::metric).toList());
        doc.put("markers", model.markers().stream().map(ReportJson::marker).toList());
        doc.put("conditions", model.conditions().stream().map(c -> object(
                "type", c.type(), "status", c.status(), "reason", c.reason(), "message", c.message())).toList());
        doc.put("findings", model.findings().stream().map(f -> object(
                "reason", f.reason(), "severity", f.severity().label(), "rank", f.rank(), "pod", f.pod(),
                "step", f.step(), "since", time(f.since()), "message", f.message(), "remedy", f.remedy())).toList());
        doc.put("events", model.events().stream().map(e -> object(
                "time", time(e.time()), "type", e.type(), "reason", e.reason(), "object", e.object(),
                "message", e.message())).toList());
        doc.put("detection", model.detection().stream().map(d -> object(
                "fault", d.fault(), "rank", d.rank(), "expectedReason", d.expectedReason(), "detected", d.detected(),
                "leadTimeSteps", d.leadTimeSteps(), "falseAlarms", d.falseAlarms())).toList());
        doc.put("ranks", model.ranks().stream().map(r -> object(
                "rank", r.rank(), "pod", r.pod(), "latestStep", r.latestStep(), "restarts", r.restarts(),
                "lastTermination", r.lastTermination(), "findings", r.findings())).toList());
        List<Object> images = new ArrayList<>();
        for (int i = 0; i < model.images().size(); i++) {
            images.add(object("file", imageNames.get(i), "caption", model.images().get(i).caption()));
        }
        doc.put("images", images);
        return doc;
    }

    private static Map<String, Object> metric(MetricSeries m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m.name());
        out.put("unit", m.unit());
        out.put("scale", m.scale().name().toLowerCase(Locale.ROOT));
        out.put("threshold", m.threshold() == null ? null
                : object("value", m.threshold().value(), "label", m.threshold().label()));
        out.put("lines", m.lines());
        out.put("ranks", m.ranks().stream().map(r -> object(
                "rank", r.rank(),
                "points", r.points().stream().map(p -> List.<Object>of(p.step(), p.value())).toList())).toList());
        return out;
    }

    private static Map<String, Object> marker(Marker m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rank", m.rank());
        out.put("step", m.step());
        Marker.Kind kind = m.kind();
        if (kind instanceof Marker.OomKilled) {
            out.put("kind", "OOMKilled");
        } else if (kind instanceof Marker.Restart) {
            out.put("kind", "Restart");
        } else if (kind instanceof Marker.Finding f) {
            out.put("kind", "Finding");
            out.put("reason", f.reason());
            out.put("severity", f.severity().label());
        } else if (kind instanceof Marker.FaultInjected f) {
            out.put("kind", "FaultInjected");
            out.put("label", f.label());
        }
        out.put("detail", m.detail());
        return out;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    /** An ordered object from key/value pairs; unlike {@code Map.of} it keeps order and allows null values. */
    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }
}
