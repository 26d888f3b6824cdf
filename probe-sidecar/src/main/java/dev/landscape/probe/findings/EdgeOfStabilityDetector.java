package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * EdgeOfStability: the stability ratio (the sharpness tier 1 estimates, or tier 2 measured, over the optimizer's
 * stability threshold, see {@code dev.landscape.probe.metrics.OptimizerSetup#stabilityThreshold}; preconditioned
 * for Adam) is at least {@code eosWarningRatio} for {@code eosCheckpoints} checkpoints in a row (warning), at least
 * {@code eosCriticalRatio} for as many (critical); or it has jumped past {@code eosWarningRatio} at once, to at least
 * {@code eosJumpFactor} times its median over the previous checkpoints (warning or critical by the same ratios). The
 * jump is what a learning-rate jump does to the ratio (it is proportional to the learning rate) before the
 * optimizer reacts: Adam's second moment grows within a few steps of the jump and pulls the ratio back under 1,
 * so two checkpoints in a row would see the jump's step and then nothing (on the tier-1 ground truth, bench/results/
 * tier1-signals.md, every Adam jump was missed that way). Gradient descent self-stabilises around ratio 1 (Cohen
 * et al. 2021), so a warning alone can be a healthy run at the edge; ratio 2 means the step is twice what the
 * curvature allows and loss spikes or divergence usually follow. Blind spots: tier 1 sees curvature only along the
 * updates, so a direction that has not moved yet (Adam's preconditioned sharpness rising as its second moment
 * decays, a slow learning-rate ramp) is seen only once the instability has grown into the update; checkpoints an
 * even number of optimizer steps apart sample a period-two oscillation with one sign, so neither this rule nor
 * UpdateOscillation can see it (pinned by a test); LossSpike and NonFiniteValues still catch the divergence that
 * follows.
 */
final class EdgeOfStabilityDetector implements Detector {

    /** Previous checkpoints whose median ratio a jump is measured against. */
    static final int JUMP_BASELINE = 10;

    @Override
    public Reason reason() {
        return Reason.EdgeOfStability;
    }

    @Override
    public boolean isEvent() {
        return false;
    }

    @Override
    public Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t) {
        int n = t.eosCheckpoints();
        Tier1Metrics m = history.get(history.size() - 1);
        double least = Double.POSITIVE_INFINITY;
        if (history.size() >= n) {
            for (Tier1Metrics h : history.subList(history.size() - n, history.size())) {
                least = Math.min(least, h.stabilityRatio());
            }
        } else {
            least = Double.NaN;
        }
        boolean held = least >= t.eosWarningRatio();
        double jumpedFrom = jumpedFrom(history, t);
        if (!held && Double.isNaN(jumpedFrom)) {
            return Optional.empty();
        }
        double judged = held ? least : m.stabilityRatio();
        Severity severity = judged >= t.eosCriticalRatio() ? Severity.CRITICAL : Severity.WARNING;
        boolean adam = m.optimizer().equals("adam");
        double sharpness = adam ? m.preconditionedSharpness() : m.secantSharpness();
        if (!m.measuredSharpness()) {
            sharpness = m.stabilityRatio() * m.stabilityThreshold();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("sharpness", sharpness);
        values.put("threshold", m.stabilityThreshold());
        values.put("ratio", m.stabilityRatio());
        values.put("learningRate", m.learningRate());
        if (!held) {
            values.put("ratioBefore", jumpedFrom);
        }
        String what = m.measuredSharpness()
                ? (adam ? "λmax(P⁻¹H) measured on the eval batch" : "λmax(H) measured on the eval batch")
                : (adam ? "preconditioned sharpness along the update" : "sharpness along the update");
        String how = held ? String.format(Locale.ROOT, "for %d checkpoints", n)
                : String.format(Locale.ROOT, "at once, from a median of %.2f× over the previous checkpoints (a "
                + "learning-rate jump?)", jumpedFrom);
        String msg = String.format(Locale.ROOT, "Step %d: %s %.4g is %.2f× the %s stability "
                + "threshold %.4g (lr %.3g) %s. %s", m.step(), what,
                sharpness, m.stabilityRatio(), m.optimizer(), m.stabilityThreshold(), m.learningRate(), how,
                severity == Severity.CRITICAL
                        ? "Divergence is likely: lower the learning rate or restart from an earlier checkpoint."
                        : "The step size is at the edge the curvature allows; lower the learning rate if loss spikes follow.");
        return Optional.of(new Finding(reason(), severity, m.step(), m.step(), values, msg));
    }

    /**
     * The median ratio the latest checkpoint's jumped from, when it is past the warning ratio and at least
     * {@code eosJumpFactor} times that median; NaN otherwise (or with fewer than three earlier ratios).
     */
    private static double jumpedFrom(List<Tier1Metrics> history, Thresholds t) {
        double now = history.get(history.size() - 1).stabilityRatio();
        if (!(now >= t.eosWarningRatio())) {
            return Double.NaN;
        }
        double[] before = history.subList(Math.max(0, history.size() - 1 - JUMP_BASELINE), history.size() - 1).stream()
                .mapToDouble(Tier1Metrics::stabilityRatio).filter(Double::isFinite).toArray();
        if (before.length < 3) {
            return Double.NaN;
        }
        double median = RobustZ.median(before);
        return now >= t.eosJumpFactor() * median ? median : Double.NaN;
    }
}
