package dev.landscape.probe.groundtruth;

import dev.landscape.probe.curvature.linalg.SymmetricEigen;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The ground truth's physics, checked on the exact ratio alone (no analyser): every case is what its definition
 * says on the seeds the unit test uses (the bench checks its own seeds the same way before scoring), so that a
 * score measures the analyser, not a case that did not happen.
 */
class GroundTruthRunTest {

    @Test
    void everyCaseHasThePhysicsItsDefinitionStates() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Tier1Case c : Tier1Cases.all()) {
            for (long seed : Tier1SignalsTest.SEEDS) {
                Tier1Cases.violation(c, seed, GroundTruthRun.generate(c, seed, null)).ifPresent(wrong::add);
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void sgdRampCrossesWhereTheLearningRateReachesTwoOverLambdaMax() throws IOException {
        Tier1Case ramp = Tier1Cases.faults().get(0);

        GroundTruthRun.Truth t = GroundTruthRun.generate(ramp, 1, null);

        assertThat(ramp.name()).isEqualTo("sgd ramp low edge");
        assertThat(t.ratio()[48]).isLessThan(1);
        assertThat(t.ratio()[49]).isGreaterThanOrEqualTo(1);
        assertThat(t.crossing()).isEqualTo(49);
    }

    @Test
    void largestEigenvalueAgreesWithJacobi() {
        Random r = new Random(5);
        for (int n : new int[] {2, 3, 24}) {
            double[][] m = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    m[i][j] = m[j][i] = r.nextGaussian();
                }
            }
            assertThat(KnownQuadratic.largestEigenvalue(m)).isCloseTo(SymmetricEigen.jacobi(m).values()[0], within(1e-10));
        }
    }
}
