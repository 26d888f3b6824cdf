package dev.landscape.probe.curvature;

import onnx.Onnx;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The cross-entropy head on language-model outputs: classes on the last axis of [B, T, V] logits, targets of -100
 * (PyTorch's default ignore_index, Hugging Face's padding label) left out of the mean; the same as a graph that
 * computes SoftmaxCrossEntropyLoss(ignore_index=-100) itself.
 */
class LossHeadTest {

    private static final long[] LOGITS = {2, 3, 4};

    private final Random rng = new Random(9);
    private final double[] z = ClosedFormCurvatureTest.gaussian(rng, 24);

    @Test
    void classesOnTheLastAxisAndIgnoredTargetsLeftOut() {
        long[] target = {1, -100, 3, 0, 2, -100};

        double loss = headLoss(target);

        double expected = 0;
        int count = 0;
        for (int p = 0; p < 6; p++) {
            if (target[p] == -100) {
                continue;
            }
            double lse = 0;
            for (int k = 0; k < 4; k++) {
                lse += Math.exp(z[p * 4 + k]);
            }
            expected += Math.log(lse) - z[(int) (p * 4 + target[p])];
            count++;
        }
        assertThat(loss).isCloseTo(expected / count, within(1e-12));
    }

    @Test
    void theHeadEqualsSoftmaxCrossEntropyLossWithIgnoreIndexInTheGraph() {
        long[] target = {3, 3, -100, 1, -100, 0};
        Onnx.GraphProto.Builder g = graph()
                .addInitializer(TestGraphs.longs("shape", new long[] {2}, -1, 4))
                .addInitializer(TestGraphs.longs("flat", new long[] {1}, -1))
                .addInitializer(TestGraphs.longs("labels", new long[] {2, 3}, target))
                .addNode(TestGraphs.node("Reshape", "r1", new String[] {"out", "shape"}, "z2"))
                .addNode(TestGraphs.node("Reshape", "r2", new String[] {"labels", "flat"}, "t1"))
                .addNode(TestGraphs.node("SoftmaxCrossEntropyLoss", "sce", new String[] {"z2", "t1"}, "loss")
                        .addAttribute(TestGraphs.intAttr("ignore_index", -100)))
                .addOutput(TestGraphs.input("loss"));
        CurvatureModel inGraph = CurvatureModel.build(TestGraphs.model(17, g), Map.of(), weights(), LossHead.GRAPH, "loss");

        assertThat(inGraph.loss().loss(inGraph.point())).isCloseTo(headLoss(target), within(1e-13));
    }

    @Test
    void aBatchWhoseTargetsAreAllIgnoredIsRejected() {
        assertThatThrownBy(() -> headLoss(new long[] {-100, -100, -100, -100, -100, -100}))
                .isInstanceOf(CurvatureException.class).hasMessageContaining("every target is the ignore index -100");
    }

    @Test
    void otherNegativeTargetsAreStillRejected() {
        assertThatThrownBy(() -> headLoss(new long[] {1, -1, 0, 0, 0, 0}))
                .isInstanceOf(CurvatureException.class).hasMessageContaining("target -1.0 at position 1");
    }

    @Test
    void targetsThatFitNeitherClassAxisAreRejectedWithBothExpectations() {
        assertThatThrownBy(() -> build(HostTensor.ofIntegers(new long[] {3, 2}, 0, 0, 0, 0, 0, 0)))
                .isInstanceOf(CurvatureException.class)
                .hasMessageContaining("[2, 4] for classes on axis 1, or [2, 3] for classes on the last axis");
    }

    private double headLoss(long[] target) {
        CurvatureModel m = build(HostTensor.ofIntegers(new long[] {2, 3},
                java.util.Arrays.stream(target).asDoubleStream().toArray()));
        return m.loss().loss(m.point());
    }

    private CurvatureModel build(HostTensor target) {
        Onnx.GraphProto.Builder g = graph().addOutput(TestGraphs.input("out", LOGITS));
        return CurvatureModel.build(TestGraphs.model(17, g), Map.of("target", target), weights(), LossHead.CROSS_ENTROPY, "out");
    }

    private static Onnx.GraphProto.Builder graph() {
        return TestGraphs.graph("lm").addInitializer(TestGraphs.floats("z", LOGITS))
                .addNode(TestGraphs.node("Identity", "id", new String[] {"z"}, "out"));
    }

    private WeightBinding weights() {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        w.put("z", HostTensor.of(LOGITS, z));
        return WeightBinding.allTrainable(w);
    }
}
