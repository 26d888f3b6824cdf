package dev.landscape.probe.findings;

import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * GradientSpike / LossSpike (warning): the latest value's robust z-score ({@link RobustZ}) against the previous
 * {@code spikeWindow} finite values is at least {@code spikeZ}. One-sided: only jumps up are spikes. Failure
 * modes: a regime change (new learning-rate phase, curriculum) looks like a spike once; a slow run-away growth
 * moves the median along and is not a spike (EdgeOfStability and NonFiniteValues catch those).
 */
final class SpikeDetector implements Detector {

    private final String reason;
    private final String series;
    private final ToDoubleFunction<Tier1Metrics> value;

    private SpikeDetector(String reason, String series, ToDoubleFunction<Tier1Metrics> value) {
        this.reason = reason;
        this.series = series;
        this.value = value;
    }

    static SpikeDetector gradient() {
        return new SpikeDetector("GradientSpike", "gradient norm", Tier1Metrics::spikeGradNorm);
    }

    static SpikeDetector loss() {
        return new SpikeDetector("LossSpike", "loss", m -> m.loss().orElse(Double.NaN));
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public boolean isEvent() {
        return true;
    }

    @Override
    public Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t) {
        Tier1Metrics m = history.get(history.size() - 1);
        double x = value.applyAsDouble(m);
        if (!Double.isFinite(x)) {
            return Optional.empty();
        }
        double[] past = history.subList(Math.max(0, history.size() - 1 - t.spikeWindow()), history.size() - 1).stream()
                .mapToDouble(value).filter(Double::isFinite).toArray();
        if (past.length < t.spikeMinHistory()) {
            return Optional.empty();
        }
        double z = RobustZ.score(x, past);
        if (!(z >= t.spikeZ())) {
            return Optional.empty();
        }
        double median = RobustZ.median(past.clone());
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("value", x);
        values.put("median", median);
        values.put("robustZ", z);
        String msg = String.format(Locale.ROOT, "Step %d: %s %.4g is %.1f robust standard deviations above its median "
                + "%.4g over the previous %d checkpoints. Look for a bad batch or a learning-rate jump; if it repeats, "
                + "clip gradients or lower the learning rate.", m.step(), series, x, z, median, past.length);
        return Optional.of(new Finding(reason, Severity.WARNING, m.step(), m.step(), values, msg));
    }
}
