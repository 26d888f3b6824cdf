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
 * curvature allows and loss spikes or divergence usually follow.
 *
 * <p><b>The trajectory fit</b> (SGD and heavy ball, tier 1): its ratio is at least {@code eosWarningRatio}, its
 * ratio less one standard error at least {@link #FIT_LOWER_BOUND} and that error at most a quarter of the ratio, at
 * one checkpoint (warning; critical when the lower bound reaches {@code eosCriticalRatio}). The fit
 * ({@code metrics/TrajectoryRegression}) regresses the recovered gradients on the weights over the last 32
 * checkpoints, so it already pools a window, and gradient noise does not lift it as it lifts the estimate along the
 * update (pure SGD noise reads about 0.7 of the edge there, about 0.26 on the fit). On the tier-1 ground truth
 * (bench/results/tier1-signals.md, seeds 1–10) it finds SGD's learning-rate jumps past the edge within 3 steps in 9
 * and 10 of 10 seeds, heavy ball's in 10 and 10, heavy ball's ramps in 9 and 8, SGD's ramps in 6 and 5, where the
 * ratio rules above found 4–8 and 0–1; an SGD ramp's crossing is placed no better than the fit's standard error
 * allows (0.08 of the edge, 6 steps of that ramp), so it is early or late by more than 3 steps in the rest.
 *
 * <p><b>Approaching the edge</b> (severity info; Adam, tier 1's estimate only): the ratio is at least
 * {@code eosApproachRatio} for {@code eosApproachCheckpoints} checkpoints in a row. Tier 1's preconditioned estimate
 * is a Rayleigh quotient of {@code P⁻¹H} along the update (or the gradient-difference bound), so apart from gradient
 * noise it never reads more than {@code λmax(P⁻¹H)}; Adam's first moment averages the noise down (pure noise reads
 * about 0.15 of the edge; the ground truth's clean Adam runs never read more than 0.41), so a reading of half the edge
 * held for three checkpoints means the run is at least that close. How far below the truth it reads depends on how
 * much of the update lies along the top direction: on the ground truth's 24-parameter problem about 0.6 of the exact
 * ratio as a learning-rate ramp crosses the edge, so the level comes within a few steps of the crossing; in the
 * demo's network tier 1 read at most 0.35 while tier 2 measured 1.2–11, so on a real model it is rarely reached
 * before the edge itself and tier 2 is what sees the approach. Not for SGD and heavy ball: plain SGD's estimate
 * reads about 0.7 of the edge on pure gradient noise and heavy ball's up to 0.5, so no level below 1 tells an
 * approach from noise there. Info findings raise no alert and are never joined to a failure as its cause.
 *
 * <p>Blind spots: tier 1 sees curvature only along the updates, so a direction that has not moved yet (Adam's
 * preconditioned sharpness rising as its second moment decays at a constant learning rate) is seen only once the
 * instability has grown into the update; checkpoints an even number of optimizer steps apart sample a period-two
 * oscillation with one sign, so neither this rule nor UpdateOscillation can see it (pinned by a test); LossSpike
 * and NonFiniteValues still catch the divergence that follows.
 */
final class EdgeOfStabilityDetector implements Detector {

    /** Previous checkpoints whose median ratio a jump is measured against. */
    static final int JUMP_BASELINE = 10;
    /**
     * The trajectory fit's ratio less one standard error must reach this for its reading past the edge to count
     * (chosen on seeds 1–10 of the tier-1 ground truth among 0.9–0.95 and 1–1.5 standard errors; bench/results/
     * tier1-signals.md).
     */
    static final double FIT_LOWER_BOUND = 0.92;
    /**
     * ... and its standard error at most this share of it: a fit thrown by an outlier in its window (a gradient spike
     * in a quiet run reads 3–5 ± 2–3.5 of the edge for the 32 checkpoints after it) says nothing about a crossing
     * (chosen on seeds 1–10 among 0.15–0.3: from 0.2 up no edge is lost, and no such raise is left).
     */
    static final double FIT_RELATIVE_ERROR = 0.25;

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
            Optional<Finding> fitted = fitted(m, t);
            return fitted.isPresent() ? fitted : approaching(history, t);
        }
        double judged = held ? least : m.stabilityRatio();
        Severity severity = judged >= t.eosCriticalRatio() ? Severity.CRITICAL : Severity.WARNING;
        Map<String, Double> values = values(m);
        if (!held) {
            values.put("ratioBefore", jumpedFrom);
        }
        String how = held ? String.format(Locale.ROOT, "for %d checkpoints", n)
                : String.format(Locale.ROOT, "at once, from a median of %.2f× over the previous checkpoints (a "
                + "learning-rate jump?)", jumpedFrom);
        String msg = String.format(Locale.ROOT, "%s %s. %s", reading(m), how,
                severity == Severity.CRITICAL
                        ? "Divergence is likely: lower the learning rate or restart from an earlier checkpoint."
                        : "The step size is at the edge the curvature allows; lower the learning rate if loss spikes follow.");
        return Optional.of(new Finding(reason(), severity, m.step(), m.step(), values, msg));
    }

    /**
     * The trajectory fit's ratio (SGD and heavy ball, tier 1) at least {@code eosWarningRatio}, its value less one
     * standard error at least {@link #FIT_LOWER_BOUND} and that error at most {@link #FIT_RELATIVE_ERROR} of it: one
     * checkpoint is enough, since the fit already pools a window.
     */
    private Optional<Finding> fitted(Tier1Metrics m, Thresholds t) {
        double ratio = m.trajectoryRatio();
        double error = m.trajectoryRatioError();
        if (m.measuredSharpness() || !(ratio >= t.eosWarningRatio()) || !(ratio - error >= FIT_LOWER_BOUND)
                || !(error <= FIT_RELATIVE_ERROR * ratio)) {
            return Optional.empty();
        }
        Severity severity = ratio - error >= t.eosCriticalRatio() ? Severity.CRITICAL : Severity.WARNING;
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("sharpness", m.trajectorySharpness());
        values.put("sharpnessError", m.trajectorySharpnessError());
        values.put("threshold", m.stabilityThreshold());
        values.put("ratio", ratio);
        values.put("learningRate", m.learningRate());
        String msg = String.format(Locale.ROOT, "Step %d: a least-squares fit of the recovered gradients on the weights "
                        + "over the last checkpoints puts the sharpness at %.4g ± %.2g, %.2f× (± %.2f) the %s stability "
                        + "threshold %.4g (lr %.3g). %s", m.step(), m.trajectorySharpness(), m.trajectorySharpnessError(),
                ratio, error, m.optimizer(), m.stabilityThreshold(), m.learningRate(),
                severity == Severity.CRITICAL
                        ? "Divergence is likely: lower the learning rate or restart from an earlier checkpoint."
                        : "The step size is at the edge the curvature allows; lower the learning rate if loss spikes follow.");
        return Optional.of(new Finding(reason(), severity, m.step(), m.step(), values, msg));
    }

    /**
     * Adam's tier-1 ratio at least {@code eosApproachRatio} (and under the warning ratio, or the rules above would
     * have fired) for {@code eosApproachCheckpoints} in a row: an info finding.
     */
    private Optional<Finding> approaching(List<Tier1Metrics> history, Thresholds t) {
        Tier1Metrics m = history.get(history.size() - 1);
        int n = t.eosApproachCheckpoints();
        if (!m.optimizer().equals("adam") || m.measuredSharpness() || history.size() < n) {
            return Optional.empty();
        }
        for (Tier1Metrics h : history.subList(history.size() - n, history.size())) {
            if (!(h.stabilityRatio() >= t.eosApproachRatio()) || h.measuredSharpness()) {
                return Optional.empty();
            }
        }
        String msg = String.format(Locale.ROOT, "%s for %d checkpoints: approaching the edge. Tier 1 reads the "
                + "curvature along the update, a lower bound of the sharpness, so the run is at least this close; "
                + "EdgeOfStability warns at %.2f×. Nothing to do yet; a learning-rate increase from here may cross it.",
                reading(m), n, t.eosWarningRatio());
        return Optional.of(new Finding(reason(), Severity.INFO, m.step(), m.step(), values(m), msg));
    }

    private static Map<String, Double> values(Tier1Metrics m) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("sharpness", sharpness(m));
        values.put("threshold", m.stabilityThreshold());
        values.put("ratio", m.stabilityRatio());
        values.put("learningRate", m.learningRate());
        return values;
    }

    private static double sharpness(Tier1Metrics m) {
        if (!m.measuredSharpness()) {
            return m.stabilityRatio() * m.stabilityThreshold();
        }
        return m.optimizer().equals("adam") ? m.preconditionedSharpness() : m.secantSharpness();
    }

    /** "Step N: <what> <sharpness> is <ratio>× the <optimizer> stability threshold <t> (lr <lr>)". */
    private static String reading(Tier1Metrics m) {
        boolean adam = m.optimizer().equals("adam");
        String what = m.measuredSharpness()
                ? (adam ? "λmax(P⁻¹H) measured on the eval batch" : "λmax(H) measured on the eval batch")
                : (adam ? "preconditioned sharpness along the update" : "sharpness along the update");
        return String.format(Locale.ROOT, "Step %d: %s %.4g is %.2f× the %s stability threshold %.4g (lr %.3g)",
                m.step(), what, sharpness(m), m.stabilityRatio(), m.optimizer(), m.stabilityThreshold(), m.learningRate());
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
