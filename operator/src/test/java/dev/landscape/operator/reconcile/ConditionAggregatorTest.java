package dev.landscape.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class ConditionAggregatorTest {

    private static final Clock T0 = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
    private static final Clock T1 = Clock.fixed(Instant.parse("2026-11-22T10:05:00Z"), ZoneOffset.UTC);

    @Test
    void stampsGenerationAndTransitionTime() {
        List<Condition> out = new ConditionAggregator(null, 3L, T0)
                .set(ConditionType.READY, true, "Accepted", "Probe accepted.").conditions();

        assertThat(out).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getObservedGeneration()).isEqualTo(3L);
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
        });
    }

    @Test
    void unchangedConditionKeepsItsTransitionTime() {
        List<Condition> first = new ConditionAggregator(null, 1L, T0)
                .set(ConditionType.READY, true, "Accepted", "Probe accepted.").conditions();

        List<Condition> second = new ConditionAggregator(first, 2L, T1)
                .set(ConditionType.READY, true, "Accepted", "Probe accepted.").conditions();

        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
        assertThat(second.get(0).getObservedGeneration()).isEqualTo(2L);
    }

    @Test
    void changedMessageKeepsTheTransitionTime() {
        List<Condition> first = new ConditionAggregator(null, 1L, T0)
                .set(ConditionType.TRAINING_STABLE, false, "EdgeOfStability", "Rank 0 at step 100: ratio 1.2.").conditions();

        List<Condition> second = new ConditionAggregator(first, 1L, T1)
                .set(ConditionType.TRAINING_STABLE, false, "EdgeOfStability", "Rank 0 at step 200: ratio 2.1.").conditions();

        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
        assertThat(second.get(0).getMessage()).isEqualTo("Rank 0 at step 200: ratio 2.1.");
    }

    @Test
    void changedReasonWithTheSameStatusKeepsTheTransitionTime() {
        List<Condition> first = new ConditionAggregator(null, 1L, T0)
                .set(ConditionType.TRAINING_STABLE, false, "GradientSpike", "Rank 0 spiked.").conditions();

        List<Condition> second = new ConditionAggregator(first, 1L, T1)
                .set(ConditionType.TRAINING_STABLE, false, "NonFiniteValues", "Rank 0 has NaN.").conditions();

        assertThat(second.get(0).getReason()).isEqualTo("NonFiniteValues");
        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
    }

    @Test
    void changedStatusMovesTheTransitionTime() {
        List<Condition> first = new ConditionAggregator(null, 1L, T0)
                .set(ConditionType.TRAINING_STABLE, true, "Stable", "No anomaly.").conditions();

        List<Condition> second = new ConditionAggregator(first, 1L, T1)
                .set(ConditionType.TRAINING_STABLE, false, "EdgeOfStability", "Rank 0 at step 200: ratio 2.1.").conditions();

        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T10:05:00Z");
    }

    @Test
    void unknownToTrueIsATransition() {
        List<Condition> first = new ConditionAggregator(null, 1L, T0)
                .unknown(ConditionType.WORKERS_IN_SYNC, "NoReportsYet", "No rank has reported yet.").conditions();

        List<Condition> second = new ConditionAggregator(first, 1L, T1)
                .set(ConditionType.WORKERS_IN_SYNC, true, "InSync", "2 rank(s) reporting.").conditions();

        assertThat(second.get(0).getStatus()).isEqualTo("True");
        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T10:05:00Z");
    }

    @Test
    void eachConditionCarriesTheGenerationItWasEvaluatedAt() {
        List<Condition> first = new ConditionAggregator(null, 1L, T0)
                .set(ConditionType.READY, true, "Accepted", "Probe accepted.")
                .set(ConditionType.WORKERS_IN_SYNC, true, "InSync", "2 rank(s) reporting.").conditions();

        List<Condition> second = new ConditionAggregator(first, 2L, T1)
                .set(ConditionType.READY, false, "InvalidSpec", "spec.selector is empty.")
                .keepOrUnknown(ConditionType.WORKERS_IN_SYNC, "NoReportsYet", "No rank has reported yet.").conditions();

        assertThat(second).extracting(Condition::getType, Condition::getObservedGeneration)
                .containsExactly(tuple("Ready", 2L), tuple("WorkersInSync", 1L));
    }

    @Test
    void conditionsComeInDeclaredOrderAndUnsetOnesAreCarriedOver() {
        List<Condition> first = new ConditionAggregator(null, 1L, T0)
                .unknown(ConditionType.INFRASTRUCTURE_HEALTHY, "NoPodsObserved", "No pod yet.").conditions();

        List<Condition> second = new ConditionAggregator(first, 1L, T1)
                .set(ConditionType.READY, true, "Accepted", "Probe accepted.").conditions();

        assertThat(second).extracting(Condition::getType).containsExactly("Ready", "InfrastructureHealthy");
    }

    @Test
    void keepOrUnknownPreservesAnExistingCondition() {
        List<Condition> first = new ConditionAggregator(null, 1L, T0)
                .set(ConditionType.WORKERS_IN_SYNC, false, "WorkerDivergence", "Rank 2 diverges.").conditions();

        List<Condition> second = new ConditionAggregator(first, 1L, T1)
                .keepOrUnknown(ConditionType.WORKERS_IN_SYNC, "NoReportsYet", "No rank has reported yet.").conditions();

        assertThat(second.get(0).getReason()).isEqualTo("WorkerDivergence");
        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
    }

    @Test
    void reasonMustBeOneCamelCaseWord() {
        assertThatThrownBy(() -> new ConditionAggregator(null, 1L, T0)
                .set(ConditionType.READY, false, "ERROR: bad spec", "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
