package dev.landscape.probe.findings;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RobustZTest {

    @Test
    void qnIsTheKthSmallestPairwiseDistanceTimesItsFactors() {
        // Distances of {1, 2, 4, 8, 16}: 1 2 3 4 6 7 8 12 14 15; h = 3, k = 3: the third, 3; n = 5 factor 0.844.
        assertThat(RobustZ.qn(new double[] {16, 1, 8, 2, 4})).isCloseTo(2.2219 * 0.844 * 3, within(1e-12));
    }

    @Test
    void qnReadsTheStandardDeviationOfNormalValuesAndIgnoresAFewOutliers() {
        Random random = new Random(7);
        double[] normal = random.doubles(2000).map(u -> 0).map(u -> 3 * random.nextGaussian()).toArray();
        double[] withOutliers = normal.clone();
        Arrays.fill(withOutliers, 0, 100, 1e6);

        assertThat(RobustZ.qn(normal)).isCloseTo(3, within(0.15));
        assertThat(RobustZ.qn(withOutliers)).isCloseTo(3, within(0.45));
    }

    @Test
    void qnNeedsTwoValues() {
        assertThatThrownBy(() -> RobustZ.qn(new double[] {1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 values, got 1");
    }
}
