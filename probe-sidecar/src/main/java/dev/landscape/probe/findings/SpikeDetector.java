package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * GradientSpike / LossSpike (warning): the latest value lies at least {@code spikeZ} robust standard deviations
 * above the trend of the previous {@code spikeWindow} finite values ({@link TrendBaseline}: a Theil–Sen line through
 * the logarithms, so a spike ×k is judged as a jump of ln k at any level and a loss falling fast does not hide it),
 * with a scale that the series' last {@value TrendBaseline#POOL} one-step prediction errors keep from collapsing;
 * this rule carries those errors from checkpoint to checkpoint (its only state, bounded).
 * One-sided: only jumps up are spikes. Failure modes: a regime change upwards (a new learning-rate phase,
 * curriculum) looks like a spike once; a slow run-away growth moves the trend along and is not a spike
 * (EdgeOfStability and NonFiniteValues catch those); a minibatch loss whose own scatter is wide (robust σ of its
 * logarithm 0.25 and more) hides spikes below about e^(6·σ).
 */
final class SpikeDetector implements Detector {

    private final Reason reason;
    private final String series;
    private final ToDoubleFunction<Tier1Metrics> value;
    private final TrendBaseline.Errors errors = new TrendBaseline.Errors();

    private SpikeDetector(Reason reason, String series, ToDoubleFunction<Tier1Metrics> value) {
        this.reason = reason;
        this.series = series;
        this.value = value;
    }

    static SpikeDetector gradient() {
        return new SpikeDetector(Reason.GradientSpike, "gradient norm", Tier1Metrics::spikeGradNorm);
    }

    static SpikeDetector loss() {
        return new SpikeDetector(Reason.LossSpike, "loss", m -> m.loss().orElse(Double.NaN));
    }

    @Override
    public Reason reason() {
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
        TrendBaseline.Score score = TrendBaseline.score(x, past, errors);
        double z = score.z();
        if (!(z >= t.spikeZ())) {
            return Optional.empty();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("value", x);
        values.put("expected", score.predicted());
        values.put("robustZ", z);
        String msg = String.format(Locale.ROOT, "Step %d: %s %.4g is %s where the trend of the previous %d checkpoints "
                + "put it (%.4g), %.1f robust standard deviations of their scatter. Look for a bad batch or a learning-rate "
                + "jump; if it repeats, clip gradients or lower the learning rate.", m.step(), series, x,
                score.logScale() ? String.format(Locale.ROOT, "%.3g×", x / score.predicted()) : "above", past.length,
                score.predicted(), z);
        return Optional.of(new Finding(reason, Severity.WARNING, m.step(), m.step(), values, msg));
    }
}
