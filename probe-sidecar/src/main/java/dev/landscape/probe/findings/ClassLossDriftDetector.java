package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.probe.metrics.EvalLoss;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * ClassLossDrift (warning): on tier 2's eval batch, one class's mean loss has risen to at least
 * {@code classDriftRise} times its baseline while the batch's mean loss stayed below {@code classDriftMeanRise}
 * times its own, for {@code classDriftCheckpoints} checkpoints in a row. The baseline of a series is its median over
 * the {@code classDriftWindow} checkpoints before those. The mean averages classes, so a class the model is
 * forgetting (a shift in the data mix, a label bug in one class's shard, a head being overwritten) hides behind
 * the others improving; this rule looks under the mean. Needs tier 2 with a loss that has classes
 * (cross-entropy, or MSE on one-hot targets); silent otherwise. Failure modes: a class with one or two examples
 * in the batch is noisy, and a deliberate curriculum change moves classes on purpose.
 */
final class ClassLossDriftDetector implements Detector {

    /** Fewest baseline checkpoints the medians are taken over. */
    static final int MIN_BASELINE = 3;

    @Override
    public Reason reason() {
        return Reason.ClassLossDrift;
    }

    @Override
    public boolean isEvent() {
        return false;
    }

    @Override
    public Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t) {
        int n = t.classDriftCheckpoints();
        List<EvalLoss> evals = new ArrayList<>();
        for (Tier1Metrics m : history) {
            if (m.evalLoss() != null) {
                evals.add(m.evalLoss());
            }
        }
        Tier1Metrics now = history.get(history.size() - 1);
        if (now.evalLoss() == null || now.evalLoss().classes().isEmpty() || evals.size() < n + MIN_BASELINE) {
            return Optional.empty();
        }
        List<EvalLoss> recent = evals.subList(evals.size() - n, evals.size());
        List<EvalLoss> base = evals.subList(Math.max(0, evals.size() - n - t.classDriftWindow()), evals.size() - n);
        double meanBase = RobustZ.median(base.stream().mapToDouble(EvalLoss::mean).toArray());
        for (EvalLoss e : recent) {
            if (!(e.mean() < t.classDriftMeanRise() * meanBase)) {
                return Optional.empty();
            }
        }
        int worst = -1;
        double worstRise = 0;
        double worstBase = Double.NaN;
        for (int c : now.evalLoss().classes().keySet()) {
            double[] past = base.stream().map(e -> e.classes().get(c)).filter(v -> v != null && Double.isFinite(v))
                    .mapToDouble(Double::doubleValue).toArray();
            if (past.length < MIN_BASELINE) {
                continue;
            }
            double b = RobustZ.median(past);
            double least = Double.POSITIVE_INFINITY;
            for (EvalLoss e : recent) {
                Double v = e.classes().get(c);
                least = Math.min(least, v == null ? Double.NaN : v / b);
            }
            if (least >= t.classDriftRise() && least > worstRise) {
                worst = c;
                worstRise = least;
                worstBase = b;
            }
        }
        if (worst < 0) {
            return Optional.empty();
        }
        double loss = now.evalLoss().classes().get(worst);
        double mean = now.evalLoss().mean();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("class", (double) worst);
        values.put("classLoss", loss);
        values.put("classBaseline", worstBase);
        values.put("meanLoss", mean);
        values.put("meanBaseline", meanBase);
        String msg = String.format(Locale.ROOT, "Step %d: on the eval batch, class %d's loss is %.4g, %.2f× its baseline "
                        + "%.4g, for %d checkpoints, while the mean loss is %.4g (baseline %.4g). The model is losing that "
                        + "class while the others improve: check that class's data (a shard gone missing or mislabelled, "
                        + "a changed sampling mix) before the mean shows it.", now.step(), worst, loss, worstRise, worstBase,
                n, mean, meanBase);
        return Optional.of(new Finding(reason(), Severity.WARNING, now.step(), now.step(), values, msg));
    }
}
