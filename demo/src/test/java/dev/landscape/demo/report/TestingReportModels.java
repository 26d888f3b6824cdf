package dev.landscape.demo.report;

import dev.landscape.contract.Severity;
import dev.landscape.demo.report.MetricSeries.Point;
import dev.landscape.demo.report.MetricSeries.Scale;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * A run like the demo's: 4 ranks, 40 checkpoints, rank 2 gets an LR spike at step 24, goes over the edge of stability,
 * its loss blows up and its pod is OOM-killed at step 31 and restarts. Tier 2 runs on rank 0 every 5 steps only.
 */
final class TestingReportModels {

    static final int RANKS = 4;
    static final int STEPS = 40;
    static final Instant STARTED = Instant.parse("2025-06-01T10:00:00Z");

    private TestingReportModels() {
    }

    static ReportModel realistic(Path landscapePng) {
        return builder(landscapePng).build();
    }

    static ReportModel.Builder builder(Path landscapePng) {
        Random random = new Random(7);
        ReportModel.Builder b = ReportModel.builder("landscape-probe demo: 4 ranks, LR spike and OOM on rank 2",
                        "train-probe", "ml-team")
                .timing(STARTED, Duration.ofSeconds(257));
        b.metric(series("loss", "", Scale.LINEAR, (rank, step) -> {
            double base = 2.3 * Math.exp(-step / 15.0) + 0.25 + 0.02 * random.nextGaussian();
            return rank == 2 && step >= 26 && step <= 31 ? base * Math.pow(1.9, step - 25) : base;
        }));
        b.metric(series("gradient norm", "L2", Scale.LOG, (rank, step) -> {
            double base = 1.5 * Math.exp(-step / 25.0) * (1 + 0.1 * random.nextGaussian());
            return rank == 2 && step >= 25 && step <= 31 ? base * Math.pow(4, step - 24) : base;
        }));
        b.metric(series("stability ratio", "ratio", Scale.LINEAR, (rank, step) -> {
            double base = 0.35 + 0.01 * step + 0.03 * random.nextGaussian();
            return rank == 2 && step >= 24 && step <= 31 ? 1.2 + 0.15 * (step - 24) : base;
        }).withThreshold(1.0, "threshold 1"));
        b.metric(series("relative update", "", Scale.LOG, (rank, step) -> step == 0 ? Double.NaN
                : 1e-3 * (1 + 0.2 * random.nextGaussian()) * (rank == 2 && step >= 24 && step <= 31 ? 50 : 1)));
        b.metric(series("preconditioned sharpness", "1/lr", Scale.LINEAR,
                (rank, step) -> 12 + 0.3 * step + random.nextGaussian() + (rank == 2 && step >= 24 ? 40 : 0)));
        Map<Integer, List<Point>> lambda = new LinkedHashMap<>();
        List<Point> rank0 = new ArrayList<>();
        for (int step = 0; step < STEPS; step += 5) {
            rank0.add(new Point(step, 8 + step * 0.4 + random.nextGaussian() * 0.3));
        }
        lambda.put(0, rank0);
        b.metric(MetricSeries.of("tier-2 λmax", "", Scale.LINEAR, lambda));

        b.marker(new Marker(2, 24, new Marker.FaultInjected("lr spike x50"), "scripted by the demo"));
        b.marker(new Marker(2, 25, new Marker.Finding("EdgeOfStability", Severity.WARNING),
                "stability ratio 1.35 >= 1 for 2 checkpoints"));
        b.marker(new Marker(2, 27, new Marker.Finding("LossSpike", Severity.WARNING), "robust z 9.1"));
        b.marker(new Marker(2, 31, new Marker.OomKilled(), "container trainer exit code 137"));
        b.marker(new Marker(2, 31, new Marker.Finding("InstabilityBeforeFailure", Severity.CRITICAL),
                "OOMKilled 6 steps after EdgeOfStability"));
        b.marker(new Marker(2, 32, new Marker.Restart(), "restart 1"));

        b.condition(new ConditionRow("Ready", "True", "Observing", "4 of 4 ranks report."));
        b.condition(new ConditionRow("TrainingStable", "False", "EdgeOfStability",
                "Rank 2 (pod train-2) is over the edge of stability since step 25."));
        b.condition(new ConditionRow("WorkersInSync", "True", "InSync", "Ranks agree within 1e-3."));
        b.condition(new ConditionRow("InfrastructureHealthy", "False", "OOMKilled",
                "Pod train-2 was OOM-killed at step 31."));

        b.finding(new FindingRow("EdgeOfStability", Severity.WARNING, 2, "train-2", 25L,
                STARTED.plusSeconds(150), "Rank 2 stability ratio 1.35 >= 1 for 2 checkpoints at step 25.",
                "Lower the learning rate or raise warm-up."));
        b.finding(new FindingRow("InstabilityBeforeFailure", Severity.CRITICAL, 2, "train-2", 31L,
                STARTED.plusSeconds(190), "Pod train-2 (rank 2) was OOMKilled at step 31, 6 steps after "
                + "EdgeOfStability at step 25.",
                "Restart from the checkpoint before step 25 with a lower LR and gradient clipping."));
        b.finding(new FindingRow("StepSkew", Severity.WARNING, null, "", 33L, STARTED.plusSeconds(200),
                "Rank 2 is 2 checkpoints behind the other ranks.", ""));

        b.event(new EventRow(STARTED.plusSeconds(190), "Warning", "InstabilityBeforeFailure",
                "LandscapeProbe/train-probe", "Pod train-2 (rank 2) was OOMKilled at step 31."));
        b.event(new EventRow(STARTED.plusSeconds(5), "Normal", "Injected", "Pod/train-0",
                "Sidecar injected (native sidecar)."));
        b.event(new EventRow(STARTED.plusSeconds(150), "Warning", "EdgeOfStability", "LandscapeProbe/train-probe",
                "Rank 2 stability ratio 1.35 >= 1."));

        b.detection(new DetectionRow("lr spike x50", 2, "EdgeOfStability", true, 6L, 0));
        b.detection(new DetectionRow("OOM at step 31", 2, "OOMKilled", true, 0L, 0));
        b.detection(new DetectionRow("slow rank 3", 3, "StepSkew", false, null, 1));

        for (int rank = 0; rank < RANKS; rank++) {
            b.rank(new RankRow(rank, "train-" + rank, (long) (rank == 2 ? STEPS - 3 : STEPS - 1),
                    rank == 2 ? 1 : 0, rank == 2 ? "OOMKilled (exit 137)" : "",
                    rank == 2 ? List.of("EdgeOfStability", "InstabilityBeforeFailure") : List.of()));
        }
        if (landscapePng != null) {
            b.image(new ReportImage(landscapePng, "rank 2: loss on a filter-normalised plane around step 30"));
        }
        return b;
    }

    /** One series per rank over every step, from a function of (rank, step). */
    static MetricSeries series(String name, String unit, Scale scale, BiFunction<Integer, Integer, Double> value) {
        Map<Integer, List<Point>> byRank = new LinkedHashMap<>();
        for (int rank = 0; rank < RANKS; rank++) {
            List<Point> points = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                points.add(new Point(step, value.apply(rank, step)));
            }
            byRank.put(rank, points);
        }
        return MetricSeries.of(name, unit, scale, byRank);
    }

    /** A loss-landscape-like heat map: a bowl with a ridge, blue (low) to red (high). */
    static Path landscapePng(Path dir, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int py = 0; py < height; py++) {
            for (int px = 0; px < width; px++) {
                double a = 2.0 * px / (width - 1) - 1;
                double b = 2.0 * py / (height - 1) - 1;
                double loss = a * a + 0.5 * b * b + 0.3 * Math.sin(4 * a) * b;
                double t = Math.max(0, Math.min(1, loss / 1.8));
                int red = (int) (255 * t);
                int blue = (int) (255 * (1 - t));
                image.setRGB(px, py, (red << 16) | (64 << 8) | blue);
            }
        }
        Path file = dir.resolve("landscape-2d.png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }
}
