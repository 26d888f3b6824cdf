package dev.landscape.demo.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the report shows, as plain data: the scenario fills it, {@link HtmlReport} writes it. Nothing here is
 * derived by the report except display totals, so what the page says is what the scenario observed.
 *
 * @param title      the page title, e.g. {@code landscape-probe demo: 4 ranks, OOM on rank 2}
 * @param probe      the LandscapeProbe's name
 * @param namespace  its namespace
 * @param started    when the scenario started
 * @param duration   how long it ran
 * @param metrics    one chart each, in the order given
 * @param markers    OOM kills, restarts, findings and injected faults, drawn on every chart
 * @param conditions the probe's status conditions at the end
 * @param findings   the findings table
 * @param events     the Events timeline (shown sorted by time)
 * @param detection  the detection-quality table, one row per injected fault
 * @param ranks      the per-rank table
 * @param images     images with captions, in the order given
 */
public record ReportModel(String title, String probe, String namespace, Instant started, Duration duration,
                          List<MetricSeries> metrics, List<Marker> markers, List<ConditionRow> conditions,
                          List<FindingRow> findings, List<EventRow> events, List<DetectionRow> detection,
                          List<RankRow> ranks, List<ReportImage> images) {

    public ReportModel {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(duration, "duration");
        metrics = List.copyOf(metrics);
        markers = List.copyOf(markers);
        conditions = List.copyOf(conditions);
        findings = List.copyOf(findings);
        events = List.copyOf(events);
        detection = List.copyOf(detection);
        ranks = List.copyOf(ranks);
        images = List.copyOf(images);
    }

    /** A builder for the scenario, which collects these pieces at different moments of the run. */
    public static Builder builder(String title, String probe, String namespace) {
        return new Builder(title, probe, namespace);
    }

    /** Collects the parts; {@link #build()} copies them, so the builder may be reused. */
    public static final class Builder {
        private final String title;
        private final String probe;
        private final String namespace;
        private Instant started;
        private Duration duration;
        private final List<MetricSeries> metrics = new ArrayList<>();
        private final List<Marker> markers = new ArrayList<>();
        private final List<ConditionRow> conditions = new ArrayList<>();
        private final List<FindingRow> findings = new ArrayList<>();
        private final List<EventRow> events = new ArrayList<>();
        private final List<DetectionRow> detection = new ArrayList<>();
        private final List<RankRow> ranks = new ArrayList<>();
        private final List<ReportImage> images = new ArrayList<>();

        private Builder(String title, String probe, String namespace) {
            this.title = title;
            this.probe = probe;
            this.namespace = namespace;
        }

        public Builder timing(Instant started, Duration duration) {
            this.started = started;
            this.duration = duration;
            return this;
        }

        public Builder metric(MetricSeries series) {
            metrics.add(series);
            return this;
        }

        public Builder marker(Marker marker) {
            markers.add(marker);
            return this;
        }

        public Builder condition(ConditionRow row) {
            conditions.add(row);
            return this;
        }

        public Builder finding(FindingRow row) {
            findings.add(row);
            return this;
        }

        public Builder event(EventRow row) {
            events.add(row);
            return this;
        }

        public Builder detection(DetectionRow row) {
            detection.add(row);
            return this;
        }

        public Builder rank(RankRow row) {
            ranks.add(row);
            return this;
        }

        public Builder image(ReportImage image) {
            images.add(image);
            return this;
        }

        public ReportModel build() {
            return new ReportModel(title, probe, namespace, started, duration, metrics, markers, conditions, findings,
                    events, detection, ranks, images);
        }
    }
}
