package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.MatrixOperator;
import dev.landscape.probe.curvature.linalg.PreconditionedOperator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EdgeOfStabilityTest {

    @Test
    void thresholdsFollowTheDesign() {
        assertThat(EdgeOfStability.sgd(100, 0.01).threshold()).isCloseTo(200, within(1e-9));
        assertThat(EdgeOfStability.momentum(100, 0.01, 0.9).threshold()).isCloseTo(380, within(1e-9));
        assertThat(EdgeOfStability.adam(100, 0.01, 0.9).threshold()).isCloseTo(3800, within(1e-9));
        assertThat(EdgeOfStability.sgd(300, 0.01).ratio()).isCloseTo(1.5, within(1e-12));
    }

    @Test
    void rejectsANonPositiveLearningRate() {
        assertThatThrownBy(() -> EdgeOfStability.sgd(1, 0)).hasMessageContaining("learning rate must be positive");
    }

    @Test
    void preconditionedOperatorIsDAD() {
        MatrixOperator a = new MatrixOperator(new double[][] {{2, 1}, {1, 3}});
        PreconditionedOperator p = new PreconditionedOperator(a, new double[] {0.5, 2});
        double[] out = new double[2];

        p.apply(new double[] {1, 1}, out);

        assertThat(out).containsExactly(new double[] {0.5 * (2 * 0.5 + 1 * 2), 2 * (1 * 0.5 + 3 * 2)}, within(1e-12));
    }
}
