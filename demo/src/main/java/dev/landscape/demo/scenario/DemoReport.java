package dev.landscape.demo.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.landscape.demo.report.ConditionRow;
import dev.landscape.demo.report.DetectionRow;
import dev.landscape.demo.report.EventRow;
import dev.landscape.demo.report.FindingRow;
import dev.landscape.demo.report.HtmlReport;
import dev.landscape.demo.report.Marker;
import dev.landscape.demo.report.MetricSeries;
import dev.landscape.demo.report.RankRow;
import dev.landscape.demo.report.ReportImage;
import dev.landscape.demo.report.ReportModel;
import dev.landscape.contract.Severity;
import io.fabric8.kubernetes.api.model.Event;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HTML report of a run, from what the operator published (ProbeReport histories, status, Events), what the
 * script injected, the detection score, and the loss-landscape images drawn around the instability.
 */
final class DemoReport {

    private final ProbeWatcher watcher;
    private final TrainingRun training;
    private final DetectionQuality.Result quality;
    private final Instant started;
    private final Duration took;
    private final List<ReportImage> images;

    DemoReport(ProbeWatcher watcher, TrainingRun training, DetectionQuality.Result quality, Instant started, Duration took,
               List<ReportImage> images) {
        this.watcher = watcher;
        this.training = training;
        this.quality = quality;
        this.started = started;
        this.took = took;
        this.images = images;
    }

    Path write(Path dir) throws IOException {
        ReportModel.Builder b = ReportModel.builder("landscape-probe demo: " + DemoScenario.RANKS
                        + " ranks, edge of stability, a diverging rank, an OOM kill, a stall",
                DemoScenario.PROBE, DemoScenario.NAMESPACE).timing(started, took);
        Map<Integer, TreeMap<Long, JsonNode>> history = watcher.checkpoints();
        b.metric(series(history, "loss", "", MetricSeries.Scale.LOG, "loss"));
        b.metric(series(history, "gradient norm (logged, rank-local)", "", MetricSeries.Scale.LOG, "gradNorm"));
        b.metric(series(history, "stability ratio (preconditioned sharpness × lr / threshold)", "ratio",
                MetricSeries.Scale.LOG, "eosRatio").withThreshold(1, "edge of stability"));
        b.metric(series(history, "relative update ‖Δθ‖/‖θ‖", "", MetricSeries.Scale.LOG, "relativeUpdate"));
        b.metric(series(history, "learning rate (from the checkpoint)", "", MetricSeries.Scale.LOG, "learningRate"));
        b.metric(classLosses(history.getOrDefault(0, new TreeMap<>())));
        b.metric(series(history, "eval loss, 95th percentile per example (tier 2)", "", MetricSeries.Scale.LOG, "evalLossP95"));

        for (TrainingRun.Fault f : training.faults()) {
            for (int rank : f.ranks()) {
                b.marker(new Marker(rank, f.step(), new Marker.FaultInjected(f.label()), f.description()));
            }
        }
        for (ProbeWatcher.Seen s : watcher.firstSeen()) {
            if (s.rank() != null && s.step() != null) {
                b.marker(new Marker(s.rank(), s.step(), new Marker.Finding(s.reason(), Severity.parse(s.severity())), s.message()));
            }
        }
        watcher.reports().forEach((rank, r) -> {
            for (JsonNode e : r.path("status").path("events")) {
                long step = stepAt(history.getOrDefault(rank, new TreeMap<>()), Instant.parse(e.path("time").asText()));
                String detail = e.path("reason").asText() + " (exit " + e.path("exitCode").asText() + ") of container "
                        + e.path("container").asText() + " in " + e.path("pod").asText();
                b.marker(new Marker(rank, step, "OOMKilled".equals(e.path("reason").asText()) ? new Marker.OomKilled()
                        : new Marker.Restart(), detail));
            }
            JsonNode rs = r.path("status");
            JsonNode last = rs.path("events").isEmpty() ? null : rs.path("events").get(rs.path("events").size() - 1);
            b.rank(new RankRow(rank, rs.path("currentPod").asText(""), rs.hasNonNull("latestStep") ? rs.get("latestStep").asLong() : null,
                    rs.path("restarts").asInt(0), last == null ? "" : last.path("reason").asText() + " (exit " + last.path("exitCode").asText() + ")",
                    watcher.firstSeen().stream().filter(s -> s.rank() != null && s.rank() == rank).map(ProbeWatcher.Seen::reason).distinct().toList()));
        });

        JsonNode status = watcher.probe().map(p -> p.path("status")).orElseThrow();
        for (JsonNode c : status.path("conditions")) {
            b.condition(new ConditionRow(c.path("type").asText(), c.path("status").asText(), c.path("reason").asText(),
                    c.path("message").asText()));
        }
        for (ProbeWatcher.Seen s : watcher.firstSeen()) {
            b.finding(new FindingRow(s.reason(), Severity.parse(s.severity()), s.rank(), s.pod(), s.step(),
                    s.since() == null ? null : Instant.parse(s.since()), s.message(), s.remedy()));
        }
        for (Event e : watcher.events()) {
            b.event(new EventRow(e.getFirstTimestamp() == null ? Instant.EPOCH : Instant.parse(e.getFirstTimestamp()), e.getType(),
                    e.getReason(), e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName(), e.getMessage()));
        }
        for (DetectionQuality.Row r : quality.rows()) {
            int falseAlarms = (int) quality.falseAlarms().stream().filter(f -> f.rank() != null && f.rank() == r.expected().rank()).count();
            b.detection(new DetectionRow(r.expected().fault(), r.expected().rank(), r.expected().reason().name(), r.found(),
                    r.leadSteps(), falseAlarms));
        }
        images.forEach(b::image);
        return HtmlReport.write(b.build(), dir);
    }

    private static MetricSeries series(Map<Integer, TreeMap<Long, JsonNode>> history, String name, String unit,
                                       MetricSeries.Scale scale, String field) {
        Map<Integer, List<MetricSeries.Point>> points = new TreeMap<>();
        history.forEach((rank, byStep) -> {
            List<MetricSeries.Point> p = new ArrayList<>();
            byStep.forEach((step, c) -> p.add(new MetricSeries.Point(step, c.hasNonNull(field) ? c.get(field).asDouble() : Double.NaN)));
            points.put(rank, p);
        });
        return MetricSeries.of(name, unit, scale, points);
    }

    /** Rank 0's tier-2 loss on the eval batch, one line per class (the ranks share their weights). */
    private static MetricSeries classLosses(TreeMap<Long, JsonNode> rank0) {
        Map<Integer, List<MetricSeries.Point>> byClass = new TreeMap<>();
        rank0.forEach((step, c) -> c.path("classLosses").fields().forEachRemaining(e -> byClass
                .computeIfAbsent(Integer.valueOf(e.getKey()), k -> new ArrayList<>())
                .add(new MetricSeries.Point(step, e.getValue().asDouble()))));
        return MetricSeries.perClass("eval loss per class (rank 0, tier 2)", "", MetricSeries.Scale.LOG, byClass);
    }

    /** The rank's latest checkpoint completed before {@code t} (infrastructure events are timed, charts are by step). */
    private static long stepAt(TreeMap<Long, JsonNode> byStep, Instant t) {
        long step = byStep.isEmpty() ? 0 : byStep.firstKey();
        for (Map.Entry<Long, JsonNode> e : byStep.entrySet()) {
            String at = e.getValue().path("completedAt").asText(e.getValue().path("observedAt").asText(""));
            if (!at.isEmpty() && !Instant.parse(at).isAfter(t)) {
                step = e.getKey();
            }
        }
        return step;
    }
}
