package dev.landscape.probe.curvature;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Per-class and tail loss of the eval batch, against hand-computed values and against the loss head itself. */
class ClassLossesTest {

    private static final double LN2 = Math.log(2);

    @Test
    void crossEntropyPerClassWorstClassAndPercentileByHand() {
        // Logits [4, 2]: examples 0 and 1 are class 0 with p = 1/2 and 1/(1+e) for it; 2 and 3 are class 1 with p = 1/2.
        double[] logits = {0, 0, 0, 1, 0, 0, 3, 3};
        HostTensor target = HostTensor.ofIntegers(new long[] {4}, 0, 0, 1, 1);

        ClassLosses c = ClassLosses.of(LossHead.CROSS_ENTROPY, logits, new long[] {4, 2}, target);

        double hard = Math.log(1 + Math.E);
        assertThat(c.examples()).isEqualTo(4);
        assertThat(c.classes().get(0)).isCloseTo((LN2 + hard) / 2, within(1e-12));
        assertThat(c.classes().get(1)).isCloseTo(LN2, within(1e-12));
        assertThat(c.worstClass()).isZero();
        assertThat(c.worstClassLoss()).isCloseTo((LN2 + hard) / 2, within(1e-12));
        assertThat(c.p95()).isCloseTo(hard, within(1e-12));
    }

    @Test
    void ignoredTargetsAreLeftOutAsPyTorchLeavesThemOut() {
        double[] logits = {0, 0, 5, 0, 0, 0};
        HostTensor target = HostTensor.ofIntegers(new long[] {3}, 0, ClassLosses.IGNORE_INDEX, 1);

        ClassLosses c = ClassLosses.of(LossHead.CROSS_ENTROPY, logits, new long[] {3, 2}, target);

        assertThat(c.examples()).isEqualTo(2);
        assertThat(c.classes()).containsOnlyKeys(0, 1);
        assertThat(c.classes().get(0)).isCloseTo(LN2, within(1e-12));
    }

    @Test
    void probabilityTargetsCountTowardTheirMostProbableClass() {
        double[] logits = {0, 0, 0, 0};
        HostTensor target = HostTensor.of(new long[] {2, 2}, 0.9, 0.1, 0.2, 0.8);

        ClassLosses c = ClassLosses.of(LossHead.CROSS_ENTROPY, logits, new long[] {2, 2}, target);

        assertThat(c.classes()).containsOnlyKeys(0, 1);
        assertThat(c.classes().get(1)).isCloseTo(LN2, within(1e-12));
    }

    @Test
    void mseOnOneHotRowsHasClassesAndOnOtherTargetsOnlyTheTail() {
        double[] out = {0.5, 0.5, 1, 0};
        ClassLosses oneHot = ClassLosses.of(LossHead.MSE, out, new long[] {2, 2}, HostTensor.of(new long[] {2, 2}, 1, 0, 1, 0));
        ClassLosses regression = ClassLosses.of(LossHead.MSE, out, new long[] {2, 2}, HostTensor.of(new long[] {2, 2}, 0.3, 0.1, 2, 0));

        assertThat(oneHot.classes()).isEqualTo(Map.of(0, 0.125));
        assertThat(oneHot.p95()).isCloseTo(0.25, within(1e-12));
        assertThat(regression.classes()).isEmpty();
        assertThat(regression.worstClass()).isEqualTo(-1);
        assertThat(regression.p95()).isCloseTo(0.5, within(1e-12));
        assertThat(regression.note()).contains("not one-hot");
    }

    @Test
    void aGraphLossHasNothingPerExample() {
        ClassLosses c = ClassLosses.of(LossHead.GRAPH, new double[] {1}, new long[] {}, null);

        assertThat(c.examples()).isZero();
        assertThat(c.note()).contains("per-example losses need");
    }

    @Test
    void classMeansAverageToTheLossTheHeadComputes() {
        // 60 examples, 3 equally large classes: the mean of the class means is the batch mean, which is the loss.
        for (LossHead head : new LossHead[] {LossHead.CROSS_ENTROPY, LossHead.MSE}) {
            CurvatureModel m = BenchModels.clusters(60, 4, 8, 3, 1, head);
            double[] w = m.point();

            ClassLosses c = ClassLosses.of(head, m.outputValues(w), m.outputShape(), target(head));

            assertThat(c.examples()).isEqualTo(60);
            assertThat(c.classes()).containsOnlyKeys(0, 1, 2);
            double mean = c.classes().values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertThat(mean).as(head.cliName()).isCloseTo(m.loss().loss(w), within(1e-9));
        }
    }

    private static HostTensor target(LossHead head) {
        double[] y = new double[60];
        double[] oneHot = new double[180];
        for (int r = 0; r < 60; r++) {
            y[r] = r % 3;
            oneHot[r * 3 + r % 3] = 1;
        }
        return head == LossHead.MSE ? HostTensor.of(new long[] {60, 3}, oneHot) : HostTensor.ofIntegers(new long[] {60}, y);
    }
}
