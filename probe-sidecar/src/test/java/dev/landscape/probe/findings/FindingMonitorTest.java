package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.probe.metrics.CountSketch;
import dev.landscape.probe.metrics.Tier1Metrics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FindingMonitorTest {

    private static Tier1Metrics metrics(long step, double eosRatio, double cosine, OptionalDouble loss) {
        return new Tier1Metrics(step, "sgd", 0.1, 1, 1, 0, Map.of(), 0.1, 0.1, cosine, 1, Double.NaN, Double.NaN,
                eosRatio * 20, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 20, eosRatio, loss, OptionalDouble.empty(), Map.of(), Map.of(), Map.of(), false, null);
    }

    private static List<String> reasons(List<Finding> fs) {
        return fs.stream().map(f -> f.reason().name()).toList();
    }

    @Test
    void edgeOfStabilityNeedsTwoCheckpointsAndIsHeldUntilThreeCleanOnes() {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        double[] ratios = {1.1, 1.1, 0.9, 1.1, 0.9, 0.9, 0.9, 0.9};
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < ratios.length; i++) {
            List<Finding> fs = monitor.observe(metrics(i, ratios[i], 0.5, OptionalDouble.empty()));
            seen.append(reasons(fs).contains("EdgeOfStability") ? 'E' : '.');
        }
        // Raised at 1 (two in a row). The rule fails at 2, 3 (one in a row) and 4, but the finding is held through
        // them instead of flapping off and on, and cleared once three clean checkpoints (2, 3, 4) have passed.
        assertThat(seen.toString()).isEqualTo(".EEE....");
    }

    @Test
    void edgeOfStabilityIsJudgedOnTheMeasuredSharpnessWhenTierTwoHasOne() {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        List<Finding> last = List.of();
        for (long step = 1; step <= 3; step++) {
            // The secant along the update says 0.05 of the edge; Lanczos on the eval batch says 1.3.
            last = monitor.observe(metrics(step, 0.05, 0.9, OptionalDouble.empty()).withMeasuredSharpness(26, 1.3));
        }
        assertThat(reasons(last)).contains("EdgeOfStability");
        Finding eos = last.stream().filter(f -> f.reason() == Reason.EdgeOfStability).findFirst().orElseThrow();
        assertThat(eos.message()).contains("λmax(H) measured on the eval batch 26").contains("1.30×");

        FindingMonitor secantOnly = new FindingMonitor(Thresholds.DEFAULTS);
        for (long step = 1; step <= 3; step++) {
            last = secantOnly.observe(metrics(step, 0.05, 0.9, OptionalDouble.empty()));
        }
        assertThat(reasons(last)).doesNotContain("EdgeOfStability");
    }

    @Test
    void heldFindingSaysItWasNotSeenAndKeepsItsFirstStep() {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        monitor.observe(metrics(100, 1.5, 0, OptionalDouble.empty()));
        monitor.observe(metrics(200, 1.5, 0, OptionalDouble.empty()));
        Finding held = monitor.observe(metrics(300, 0.5, 0, OptionalDouble.empty())).get(0);

        assertThat(held.step()).isEqualTo(300);
        assertThat(held.since()).isEqualTo(200);
        assertThat(held.message()).contains("Not seen at step 300").contains("1 of 3");
    }

    @Test
    void aRatioThatJumpsPastTheEdgeAtOnceIsRaisedAtThatCheckpoint() {
        // A learning-rate jump ×10 multiplies the ratio at once; Adam's second moment then pulls it back under 1.
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        for (int i = 0; i < 6; i++) {
            assertThat(monitor.observe(metrics(i, 0.12, 0.5, OptionalDouble.empty()))).isEmpty();
        }
        List<Finding> fs = monitor.observe(metrics(6, 1.3, 0.5, OptionalDouble.empty()));

        assertThat(fs).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo(Reason.EdgeOfStability);
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.values().get("ratioBefore")).isEqualTo(0.12);
            assertThat(f.message()).contains("at once, from a median of 0.12×");
        });
    }

    private static Tier1Metrics adam(long step, double ratio) {
        return new Tier1Metrics(step, "adam", 1e-3, 1, 1, 0, Map.of(), 0.1, 0.1, 0.5, 1, 1, 1, Double.NaN,
                ratio * 38_000, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 38_000, ratio, OptionalDouble.empty(), OptionalDouble.empty(),
                Map.of(), Map.of(), Map.of(), false, null);
    }

    @Test
    void adamApproachingTheEdgeIsAnInfoFindingThatTheWarningLaterKeepsTheStepOf() {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        double[] ratios = {0.2, 0.55, 0.6, 0.45, 0.55, 0.6, 0.7, 0.9, 1.1, 1.2};
        StringBuilder seen = new StringBuilder();
        List<Finding> last = List.of();
        for (int i = 0; i < ratios.length; i++) {
            last = monitor.observe(adam(i, ratios[i]));
            seen.append(last.stream().filter(f -> f.reason() == Reason.EdgeOfStability).findFirst()
                    .map(f -> f.severity() == Severity.INFO ? 'i' : 'W').orElse('.'));
            if (i == 6) {
                assertThat(last).singleElement().satisfies(f -> {
                    assertThat(f.since()).isEqualTo(6);
                    assertThat(f.values()).containsEntry("ratio", 0.7).containsEntry("threshold", 38_000.0);
                    assertThat(f.message()).startsWith("Step 6: preconditioned sharpness along the update ")
                            .contains(" is 0.70× the adam stability threshold ")
                            .contains(" for 3 checkpoints: approaching the edge.");
                });
            }
        }
        // 0.55, 0.6 are two in a row, then 0.45 breaks it: the third in a row (step 6) raises the info; 1.1, 1.2 turn
        // it into the warning, which keeps the step it was first raised at.
        assertThat(seen.toString()).isEqualTo("......iiiW");
        assertThat(last).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.since()).isEqualTo(6);
        });
    }

    @Test
    void noApproachingLevelForSgdOrForTheRatioTierTwoMeasured() {
        // Plain SGD's estimate reads ~0.7 of the edge on gradient noise alone: no level below 1 means anything there.
        FindingMonitor sgd = new FindingMonitor(Thresholds.DEFAULTS);
        for (int i = 0; i < 10; i++) {
            assertThat(sgd.observe(metrics(i, 0.8, 0.5, OptionalDouble.empty()))).isEmpty();
        }
        // Tier 2's λmax is measured, not a lower bound: 0.8 of the edge is 0.8, a healthy run.
        FindingMonitor measured = new FindingMonitor(Thresholds.DEFAULTS);
        for (int i = 0; i < 10; i++) {
            assertThat(measured.observe(adam(i, 0.05).withMeasuredSharpness(0.8 * 38_000, 0.8))).isEmpty();
        }
    }

    @Test
    void approachingLevelFollowsItsThresholds() {
        Thresholds t = Thresholds.DEFAULTS.withOverrides(Map.of("eosApproachRatio", "0.7", "eosApproachCheckpoints", "2"));
        FindingMonitor monitor = new FindingMonitor(t);
        assertThat(monitor.observe(adam(1, 0.75))).isEmpty();
        assertThat(monitor.observe(adam(2, 0.65))).isEmpty();
        assertThat(monitor.observe(adam(3, 0.75))).isEmpty();
        assertThat(monitor.observe(adam(4, 0.8))).singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.INFO));
    }

    /** Plain SGD at lr 0.1 (threshold 20) whose estimate along the update reads 0.7 and whose trajectory fit reads λ ± se. */
    private static Tier1Metrics fitted(long step, double lambda, double error) {
        return new Tier1Metrics(step, "sgd", 0.1, 1, 1, 0, Map.of(), 0.1, 0.1, 0.5, 1, Double.NaN, Double.NaN,
                14, Double.NaN, Double.NaN, Double.NaN, lambda, error, 20, 0.7, OptionalDouble.empty(),
                OptionalDouble.empty(), Map.of(), Map.of(), Map.of(), false, null);
    }

    @Test
    void aTrajectoryFitPastTheEdgeIsRaisedAtOnceWhenItsLowerBoundIsCloseEnough() {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        // 1.05 ± 0.2 of the edge: past it, but its lower bound (0.85) is not close enough; 0.95 ± 0.01 is not past it.
        assertThat(monitor.observe(fitted(1, 21, 4))).isEmpty();
        assertThat(monitor.observe(fitted(2, 19, 0.2))).isEmpty();
        // 1.05 ± 0.05: raised at this one checkpoint, a warning, with the fit's figures.
        assertThat(monitor.observe(fitted(3, 21, 1))).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo(Reason.EdgeOfStability);
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.values()).containsEntry("ratio", 1.05).containsEntry("sharpnessError", 1.0);
            assertThat(f.message()).contains("least-squares fit").contains("21.00 ± 1.0").contains("1.05× (± 0.05)");
        });
        // A fit thrown by an outlier in its window: 3 ± 2 of the edge, its error two thirds of it; not raised.
        FindingMonitor thrown = new FindingMonitor(Thresholds.DEFAULTS);
        assertThat(thrown.observe(fitted(1, 60, 40))).isEmpty();
        // Its lower bound at twice the edge is critical.
        FindingMonitor critical = new FindingMonitor(Thresholds.DEFAULTS);
        assertThat(critical.observe(fitted(1, 50, 2))).singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.CRITICAL));
        // Tier 2's measurement, when there is one, is what is judged: 0.5 of the edge, whatever the fit says.
        FindingMonitor measured = new FindingMonitor(Thresholds.DEFAULTS);
        assertThat(measured.observe(fitted(1, 30, 1).withMeasuredSharpness(10, 0.5))).isEmpty();
    }

    @Test
    void aNoisyRatioCrossingOneOnceIsNotAJump() {
        // Plain SGD's estimate scatters around 0.7-0.8 from gradient noise; one reading of 1.05 is neither two in a
        // row nor three times its median.
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        double[] ratios = {0.7, 0.85, 0.6, 0.9, 0.75, 1.05, 0.8};
        for (int i = 0; i < ratios.length; i++) {
            assertThat(reasons(monitor.observe(metrics(i, ratios[i], 0.5, OptionalDouble.empty())))).isEmpty();
        }
    }

    @Test
    void plateauNeedsTheWholeWindowFlatNotJustItsEnds() {
        FindingMonitor flat = new FindingMonitor(Thresholds.DEFAULTS);
        FindingMonitor bump = new FindingMonitor(Thresholds.DEFAULTS);
        List<String> flatSeen = new java.util.ArrayList<>();
        List<String> bumpSeen = new java.util.ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            flatSeen.addAll(reasons(flat.observe(metrics(i, 0, 0.5, OptionalDouble.of(2 + 1e-5 * (i % 2))))));
            bumpSeen.addAll(reasons(bump.observe(metrics(i, 0, 0.5, OptionalDouble.of(i == 5 ? 2.2 : 2)))));
        }

        assertThat(flatSeen).containsExactly("Plateau");
        assertThat(bumpSeen).isEmpty();
    }

    @Test
    void oscillationNeedsThreeReversingUpdatesInARowThatReturnAlongTheUpdateTwoBack() {
        // The weights bounce between two points from step 1 on (each update returns along the one two back), so
        // the third reversing cosine in a row, at step 6 (the first with three updates before it), raises it.
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        double[] cosines = {Double.NaN, -0.9, -0.9, -0.2, -0.9, -0.6, -0.51};
        StringBuilder seen = new StringBuilder();
        for (int s = 0; s < cosines.length; s++) {
            List<Finding> fs = monitor.observe(bouncing(s, cosines[s]));
            seen.append(reasons(fs).contains("UpdateOscillation") ? 'O' : '.');
        }

        assertThat(seen.toString()).isEqualTo("......O");
    }

    /** A checkpoint whose weights' fingerprint alternates between two points, step by step. */
    private static Tier1Metrics bouncing(long step, double cosine) {
        CountSketch fingerprint = new CountSketch(256, CountSketch.DEFAULT_SEED);
        for (int i = 0; i < 8; i++) {
            fingerprint.add(i, (step % 2 == 0 ? 1 : -1) * (i + 1) + 0.01 * step);
        }
        return new Tier1Metrics(step, "sgd", 0.1, 1, 1, 0, Map.of(), 0.1, 0.1, cosine, 1, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 20, 0, OptionalDouble.empty(),
                OptionalDouble.empty(), Map.of(), Map.of(), Map.of("w", fingerprint), false, null);
    }

    @Test
    void aLossSpikeIsJudgedWithTheScaleTheRunCarriesNotOnlyTheWindows() {
        // 40 checkpoints of a noisy loss (σ about 0.28 in its logarithm), then 20 whose residuals happen to bunch (12
        // within ±0.03), then an ordinary ×1.8: on the last window alone that is z > 6, but the monitor has carried
        // the run's earlier prediction errors, which keep the scale from collapsing (TrendBaselineTest has the figures).
        double[] bunched = {0.01, -0.02, 0.4, 0.03, -0.01, -0.35, 0.02, 0.0, 0.3, -0.03, 0.01, -0.5, 0.02, 0.25, -0.02,
            0.0, -0.3, 0.03, 0.45, -0.01};
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        FindingMonitor fresh = new FindingMonitor(Thresholds.DEFAULTS);
        int step = 0;
        for (int i = 0; i < 40; i++) {
            monitor.observe(metrics(step++, 0, 0.5, OptionalDouble.of(Math.exp(0.4 * Math.sin(2.4 * i + 0.3)))));
        }
        for (double b : bunched) {
            monitor.observe(metrics(step, 0, 0.5, OptionalDouble.of(Math.exp(b))));
            fresh.observe(metrics(step++, 0, 0.5, OptionalDouble.of(Math.exp(b))));
        }

        assertThat(reasons(monitor.observe(metrics(step, 0, 0.5, OptionalDouble.of(1.8))))).doesNotContain("LossSpike");
        assertThat(reasons(fresh.observe(metrics(step, 0, 0.5, OptionalDouble.of(1.8))))).as("the window alone")
                .contains("LossSpike");
    }

    @Test
    void lossSpikeNeedsEnoughHistory() {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        for (int i = 0; i < 5; i++) {
            monitor.observe(metrics(i, 0, 0.5, OptionalDouble.of(1 + 0.01 * (i % 2))));
        }
        assertThat(reasons(monitor.observe(metrics(5, 0, 0.5, OptionalDouble.of(100))))).isEmpty();
    }

    @Test
    void loggedNanLossIsNonFiniteValues() {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        List<Finding> fs = monitor.observe(metrics(9, 0, 0.5, OptionalDouble.of(Double.NaN)));
        assertThat(fs).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo(Reason.NonFiniteValues);
            assertThat(f.message()).contains("Step 9").contains("loss is NaN");
        });
    }

    @Test
    void thresholdsAreOverriddenFromDecimalStrings() {
        Thresholds t = Thresholds.DEFAULTS.withOverrides(Map.of("spikeZ", "8", "plateauRelativeChange", "1e-5",
                "clearAfter", "5"));
        assertThat(t.spikeZ()).isEqualTo(8);
        assertThat(t.plateauRelativeChange()).isEqualTo(1e-5);
        assertThat(t.clearAfter()).isEqualTo(5);
        assertThat(t.eosWarningRatio()).isEqualTo(1);
    }

    @Test
    void badThresholdOverridesNameTheKeyAndValue() {
        assertThatThrownBy(() -> Thresholds.DEFAULTS.withOverrides(Map.of("spikeZ", "six")))
                .hasMessageContaining("thresholds.spikeZ").hasMessageContaining("\"six\"");
        assertThatThrownBy(() -> Thresholds.DEFAULTS.withOverrides(Map.of("spikez", "6")))
                .hasMessageContaining("not a known threshold");
        assertThatThrownBy(() -> Thresholds.DEFAULTS.withOverrides(Map.of("clearAfter", "2.5")))
                .hasMessageContaining("whole number");
    }
}
