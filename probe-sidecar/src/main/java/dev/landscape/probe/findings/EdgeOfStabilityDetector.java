package dev.landscape.probe.findings;

import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * EdgeOfStability: the secant sharpness over the optimizer's stability threshold (see
 * {@code dev.landscape.probe.metrics.OptimizerSetup#stabilityThreshold}; preconditioned for Adam) is at least
 * {@code eosWarningRatio} for {@code eosCheckpoints} checkpoints in a row (warning), at least
 * {@code eosCriticalRatio} for as many (critical). Gradient descent self-stabilises around ratio 1 (Cohen et al.
 * 2021), so a warning alone can be a healthy run at the edge; ratio 2 means the step is twice what the curvature
 * allows and loss spikes or divergence usually follow. Blind spot: checkpoints an even number of optimizer steps
 * apart sample a period-two oscillation with one sign, so neither this rule nor UpdateOscillation can see it
 * (pinned by a test); LossSpike and NonFiniteValues still catch the divergence that follows.
 */
final class EdgeOfStabilityDetector implements Detector {

    @Override
    public String reason() {
        return "EdgeOfStability";
    }

    @Override
    public boolean isEvent() {
        return false;
    }

    @Override
    public Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t) {
        int n = t.eosCheckpoints();
        if (history.size() < n) {
            return Optional.empty();
        }
        double least = Double.POSITIVE_INFINITY;
        for (Tier1Metrics m : history.subList(history.size() - n, history.size())) {
            least = Math.min(least, m.stabilityRatio());
        }
        if (!(least >= t.eosWarningRatio())) {
            return Optional.empty();
        }
        Tier1Metrics m = history.get(history.size() - 1);
        Severity severity = least >= t.eosCriticalRatio() ? Severity.CRITICAL : Severity.WARNING;
        boolean adam = m.optimizer().equals("adam");
        double sharpness = adam ? m.preconditionedSharpness() : m.secantSharpness();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("sharpness", sharpness);
        values.put("threshold", m.stabilityThreshold());
        values.put("ratio", m.stabilityRatio());
        values.put("learningRate", m.learningRate());
        String what = m.measuredSharpness()
                ? (adam ? "λmax(P⁻¹H) measured on the eval batch" : "λmax(H) measured on the eval batch")
                : (adam ? "preconditioned sharpness along the update" : "sharpness along the update");
        String msg = String.format(Locale.ROOT, "Step %d: %s %.4g is %.2f× the %s stability "
                + "threshold %.4g (lr %.3g) for %d checkpoints. %s", m.step(), what,
                sharpness, m.stabilityRatio(), m.optimizer(), m.stabilityThreshold(), m.learningRate(), n,
                severity == Severity.CRITICAL
                        ? "Divergence is likely: lower the learning rate or restart from an earlier checkpoint."
                        : "The step size is at the edge the curvature allows; lower the learning rate if loss spikes follow.");
        return Optional.of(new Finding(reason(), severity, m.step(), m.step(), values, msg));
    }
}
