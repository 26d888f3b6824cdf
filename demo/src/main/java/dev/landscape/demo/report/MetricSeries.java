package dev.landscape.demo.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One metric's timeline, one line per rank (or per class, for a rank's per-class loss), drawn as one chart.
 *
 * <p>Values that are NaN or infinite are kept as gaps in the line (a non-finite loss is the moment a chart matters
 * most, so the point is not silently dropped from the data: the JSON carries it as {@code null}). On a log scale,
 * values at or below zero are gaps too.
 *
 * @param name      what the chart is titled, e.g. {@code loss}, {@code stability ratio}
 * @param unit      the y axis label, e.g. {@code ratio}; empty when the metric has none
 * @param scale     linear or logarithmic y axis
 * @param threshold a horizontal reference line (the edge-of-stability ratio 1), or {@code null} for none
 * @param ranks     one series per rank, in rank order (per class when {@code lines} says so)
 * @param lines     what one line is, as the legend names it: {@code rank} or {@code class}
 */
public record MetricSeries(String name, String unit, Scale scale, Threshold threshold, List<RankSeries> ranks,
                           String lines) {

    /** Y axis scale. */
    public enum Scale { LINEAR, LOG }

    /**
     * A horizontal reference line.
     *
     * @param value where it is drawn; must be positive on a log scale
     * @param label the text beside it, e.g. {@code threshold 1}
     */
    public record Threshold(double value, String label) {
        public Threshold {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("threshold must be finite, was " + value);
            }
            Objects.requireNonNull(label, "label");
        }
    }

    /** One rank's points, sorted by step. */
    public record RankSeries(int rank, List<Point> points) {
        public RankSeries {
            points = points.stream().sorted(Comparator.comparingLong(Point::step)).toList();
        }
    }

    /** One checkpoint's value. */
    public record Point(long step, double value) {
    }

    public MetricSeries {
        Objects.requireNonNull(name, "name");
        unit = unit == null ? "" : unit;
        Objects.requireNonNull(scale, "scale");
        if (threshold != null && scale == Scale.LOG && threshold.value() <= 0) {
            throw new IllegalArgumentException(
                    "metric '" + name + "': a log-scale threshold must be positive, was " + threshold.value());
        }
        ranks = ranks.stream().sorted(Comparator.comparingInt(RankSeries::rank)).toList();
        lines = lines == null ? "rank" : lines;
        for (int i = 1; i < ranks.size(); i++) {
            if (ranks.get(i).rank() == ranks.get(i - 1).rank()) {
                throw new IllegalArgumentException(
                        "metric '" + name + "': rank " + ranks.get(i).rank() + " has two series; merge its points");
            }
        }
    }

    /** A series from points per rank, with no threshold. */
    public static MetricSeries of(String name, String unit, Scale scale, Map<Integer, List<Point>> pointsByRank) {
        List<RankSeries> ranks = new ArrayList<>();
        pointsByRank.forEach((rank, points) -> ranks.add(new RankSeries(rank, points)));
        return new MetricSeries(name, unit, scale, null, ranks, "rank");
    }

    /** A series with one line per class of one rank ({@code pointsByClass}: class index to points). */
    public static MetricSeries perClass(String name, String unit, Scale scale, Map<Integer, List<Point>> pointsByClass) {
        List<RankSeries> classes = new ArrayList<>();
        pointsByClass.forEach((c, points) -> classes.add(new RankSeries(c, points)));
        return new MetricSeries(name, unit, scale, null, classes, "class");
    }

    /** This series with a reference line at {@code value}. */
    public MetricSeries withThreshold(double value, String label) {
        return new MetricSeries(name, unit, scale, new Threshold(value, label), ranks, lines);
    }
}
