package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.probe.metrics.EvalLoss;
import dev.landscape.probe.metrics.Tier1Metrics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * ClassLossDrift on a scripted eval batch of three equally large classes: ten checkpoints at class losses
 * 1.0/0.8/0.6 (mean 0.8), then a change. Expected values are worked out from the rule's definition: baselines are
 * the medians of the ten checkpoints before the last two.
 */
class ClassLossDriftTest {

    private static Tier1Metrics at(long step, double... classLoss) {
        Map<Integer, Double> classes = new java.util.TreeMap<>();
        double sum = 0;
        for (int c = 0; c < classLoss.length; c++) {
            classes.put(c, classLoss[c]);
            sum += classLoss[c];
        }
        return new Tier1Metrics(step, "adam", 1e-3, 1, 1, 0, Map.of(), 0.1, 0.1, 0.5, 1, Double.NaN, Double.NaN,
                1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 20, 0.05, OptionalDouble.empty(), OptionalDouble.empty(), Map.of(), Map.of(), Map.of(), true,
                new EvalLoss(sum / classLoss.length, classes, Double.NaN));
    }

    /** Reasons raised at each checkpoint after the ten steady ones, given the class losses of the later ones. */
    private static List<List<Finding>> run(double[]... later) {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        for (int s = 1; s <= 10; s++) {
            assertThat(monitor.observe(at(s, 1.0, 0.8, 0.6))).isEmpty();
        }
        List<List<Finding>> out = new java.util.ArrayList<>();
        for (int i = 0; i < later.length; i++) {
            out.add(monitor.observe(at(11 + i, later[i])).stream().filter(f -> f.reason() == Reason.ClassLossDrift).toList());
        }
        return out;
    }

    @Test
    void oneClassRisingWhileTheMeanHoldsIsRaisedAtItsSecondCheckpoint() {
        // Class 2 goes 0.6 → 0.95 (×1.58) while classes 0 and 1 improve: mean 0.8 → (0.8 + 0.65 + 0.95)/3 = 0.8.
        List<List<Finding>> f = run(new double[] {0.8, 0.65, 0.95}, new double[] {0.8, 0.65, 0.95});

        assertThat(f.get(0)).isEmpty();
        assertThat(f.get(1)).singleElement().satisfies(x -> {
            assertThat(x.step()).isEqualTo(12);
            assertThat(x.severity()).isEqualTo(Severity.WARNING);
            assertThat(x.values().get("class")).isEqualTo(2.0);
            assertThat(x.values().get("classBaseline")).isCloseTo(0.6, within(1e-12));
            assertThat(x.values().get("meanBaseline")).isCloseTo(0.8, within(1e-12));
            assertThat(x.message()).contains("class 2's loss is 0.95").contains("1.58×");
        });
    }

    @Test
    void everyClassRisingTogetherIsNotADriftOfOne() {
        // All ×1.6: the mean rises ×1.6 too, past 1.1, so the mean shows it (LossSpike's business, not this rule's).
        assertThat(run(new double[] {1.6, 1.28, 0.96}, new double[] {1.6, 1.28, 0.96})).allMatch(List::isEmpty);
    }

    @Test
    void aRiseBelowTheRatioOrForOneCheckpointOnlyIsNotRaised() {
        assertThat(run(new double[] {0.9, 0.8, 0.85}, new double[] {0.9, 0.8, 0.85})).allMatch(List::isEmpty);
        assertThat(run(new double[] {0.8, 0.65, 0.95}, new double[] {1.0, 0.8, 0.6})).allMatch(List::isEmpty);
    }

    @Test
    void withoutTierTwoTheRuleIsSilent() {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        for (int s = 1; s <= 14; s++) {
            Tier1Metrics m = at(s, 1.0, 0.8, s > 10 ? 2.0 : 0.6);
            Tier1Metrics tier1Only = new Tier1Metrics(m.step(), m.optimizer(), m.learningRate(), 1, 1, 0, Map.of(), 0.1,
                    0.1, 0.5, 1, Double.NaN, Double.NaN, 1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 20, 0.05, OptionalDouble.empty(), OptionalDouble.empty(),
                    Map.of(), Map.of(), Map.of(), false, null);
            assertThat(monitor.observe(tier1Only)).isEmpty();
        }
    }
}
