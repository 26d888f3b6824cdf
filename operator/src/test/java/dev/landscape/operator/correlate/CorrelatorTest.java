package dev.landscape.operator.correlate;

import dev.landscape.contract.Severity;
import dev.landscape.contract.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

import static dev.landscape.operator.correlate.TestingTimeline.finding;
import static dev.landscape.operator.correlate.TestingTimeline.minute;
import static dev.landscape.operator.correlate.TestingTimeline.rank;
import static org.assertj.core.api.Assertions.assertThat;

/** Table-driven: timelines in, findings (reason@rank:severity) out. */
class CorrelatorTest {

    /** The schema defaults, as the reconciler reads them for a probe without spec.thresholds. */
    private static final CorrelationThresholds T = dev.landscape.operator.observe.EffectiveThresholds.of(null);

    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of("four clean ranks raise nothing",
                        List.of(rank(0).clean(5, 100, 10), rank(1).clean(5, 100, 10), rank(2).clean(5, 100, 10), rank(3).clean(5, 100, 10)),
                        55.0, List.of()),
                Arguments.of("a sidecar finding on the latest checkpoint is active",
                        List.of(rank(0).clean(4, 100, 10).checkpoint(500, 50, finding(Reason.LossSpike, Severity.WARNING, "loss 9.1, z=7.2"))),
                        52.0, List.of("LossSpike@0:WARNING")),
                Arguments.of("a class drifting on the eval batch is a training finding of its rank",
                        List.of(rank(0).clean(4, 100, 10).checkpoint(500, 50, finding(Reason.ClassLossDrift, Severity.WARNING, "class 2 ×1.6"))),
                        52.0, List.of("ClassLossDrift@0:WARNING")),
                Arguments.of("a failing tier 2 is its rank's finding but no anomaly: an OOM kill after it stays a bare OOMKilled",
                        List.of(rank(3).clean(2, 100, 10).checkpoint(300, 30, finding(Reason.CurvatureUnavailable, Severity.WARNING, "tier 2 refused"))
                                .infra(34, Reason.OOMKilled, 137, 1)),
                        35.0, List.of("OOMKilled@3:WARNING", "CurvatureUnavailable@3:WARNING")),
                Arguments.of("a sidecar finding no longer on the latest checkpoint is cleared",
                        List.of(rank(0).checkpoint(100, 10, finding(Reason.LossSpike, Severity.WARNING, "z=7")).checkpoint(200, 20)),
                        21.0, List.of()),
                Arguments.of("OOM kill with no anomaly before it",
                        List.of(rank(3).clean(3, 100, 10).infra(32, Reason.OOMKilled, 137, 1)),
                        33.0, List.of("OOMKilled@3:WARNING")),
                Arguments.of("OOM kill 4 minutes after a gradient spike is one joined finding",
                        List.of(rank(3).clean(2, 100, 10).checkpoint(300, 30, finding(Reason.GradientSpike, Severity.WARNING, "grad norm 88, z=9"))
                                .infra(34, Reason.OOMKilled, 137, 1)),
                        35.0, List.of("InstabilityBeforeFailure@3:CRITICAL", "GradientSpike@3:WARNING")),
                Arguments.of("an anomaly long before the failure is not joined",
                        List.of(rank(3).checkpoint(100, 0, finding(Reason.GradientSpike, Severity.WARNING, "z=9")).checkpoint(200, 10)
                                .checkpoint(300, 20).checkpoint(400, 30).checkpoint(500, 40).checkpoint(600, 48)
                                .infra(50, Reason.ErrorExit, 1, 1)),
                        51.0, List.of("ErrorExit@3:WARNING")),
                Arguments.of("a failure older than the window is forgotten",
                        List.of(rank(1).clean(3, 100, 10).infra(1, Reason.OOMKilled, 137, 1)),
                        40.0, List.of()),
                Arguments.of("three restarts in the window make a restart loop",
                        List.of(rank(2).infra(1, Reason.ErrorExit, 1, 1).infra(5, Reason.ErrorExit, 1, 2).infra(9, Reason.ErrorExit, 1, 3)),
                        10.0, List.of("RestartLoop@2:CRITICAL", "ErrorExit@2:WARNING")),
                Arguments.of("CrashLoopBackOff alone is a restart loop",
                        List.of(rank(2).waiting("CrashLoopBackOff").infra(9, null, null, 1)),
                        10.0, List.of("RestartLoop@2:CRITICAL")),
                Arguments.of("eviction",
                        List.of(rank(0).infra(9, Reason.Evicted, null, 0)),
                        10.0, List.of("Evicted@0:WARNING")),
                Arguments.of("a rank two intervals behind is step skew",
                        List.of(rank(0).clean(5, 100, 10), rank(1).clean(5, 100, 10), rank(2).clean(3, 100, 10)),
                        51.0, List.of("StepSkew@2:WARNING")),
                Arguments.of("one interval behind is not skew",
                        List.of(rank(0).clean(5, 100, 10), rank(1).clean(4, 100, 10)),
                        51.0, List.of()),
                Arguments.of("a running rank silent for 3 intervals is stale",
                        List.of(rank(0).clean(4, 100, 10)),
                        70.0, List.of("StaleCheckpoints@0:WARNING")),
                Arguments.of("a silent rank whose pod is not running is not stale (Kubernetes shows why)",
                        List.of(rank(0).clean(4, 100, 10).notRunning()),
                        70.0, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void correlates(String name, List<TestingTimeline> ranks, double nowMinute, List<String> expected) {
        List<CorrelatedFinding> findings = Correlator.correlate(ranks.stream().map(TestingTimeline::build).toList(), T, minute(nowMinute), Map.of());

        assertThat(findings).extracting(CorrelatorTest::summary).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void divergentRankIsNamedWhenThreeOrMoreRanksAgreeOtherwise() {
        List<RankTimeline> ranks = List.of(
                rank(0).clean(2, 100, 10).sketch(200, "fc.weight", 10, 1, 2, 3).build(),
                rank(1).clean(2, 100, 10).sketch(200, "fc.weight", 10, 1, 2, 3).build(),
                rank(2).clean(2, 100, 10).sketch(200, "fc.weight", 10, 1, 2.5, 3).build(),
                rank(3).clean(2, 100, 10).sketch(200, "fc.weight", 10, 1, 2, 3).build());

        List<CorrelatedFinding> findings = Correlator.correlate(ranks, T, minute(21), Map.of());

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(summary(f)).isEqualTo("WorkerDivergence@2:CRITICAL");
            assertThat(f.values().get("relativeDistance")).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(f.message()).contains("Rank 2 (pod train-worker-2) differs from the other 3 ranks on replicated tensor fc.weight at step 200");
        });
    }

    @Test
    void tinyDifferencesBelowTheThresholdAreNotDivergence() {
        List<RankTimeline> ranks = List.of(
                rank(0).clean(2, 100, 10).sketch(200, "w", 1000, 1, 2, 3).build(),
                rank(1).clean(2, 100, 10).sketch(200, "w", 1000, 1, 2, 3.5).build(),
                rank(2).clean(2, 100, 10).sketch(200, "w", 1000, 1, 2, 3).build());

        assertThat(Correlator.correlate(ranks, T, minute(21), Map.of())).isEmpty();
    }

    @Test
    void ranksAtDifferentStepsAreNotComparedForDivergence() {
        List<RankTimeline> ranks = List.of(
                rank(0).clean(2, 100, 10).sketch(200, "w", 1, 1, 2, 3).build(),
                rank(1).clean(1, 100, 10).sketch(100, "w", 1, 9, 9, 9).build());

        assertThat(Correlator.correlate(ranks, T, minute(21), Map.of())).isEmpty();
    }

    @Test
    void tensorsPresentOnSomeRanksOnlyAreShardedAndIgnored() {
        List<RankTimeline> ranks = List.of(
                rank(0).clean(2, 100, 10).sketch(200, "shard.0", 1, 1, 2, 3).build(),
                rank(1).clean(2, 100, 10).sketch(200, "shard.1", 1, 9, 9, 9).build(),
                rank(2).clean(2, 100, 10).sketch(200, "shard.2", 1, 5, 5, 5).build());

        assertThat(Correlator.correlate(ranks, T, minute(21), Map.of())).isEmpty();
    }

    /** Rank 2 diverged at step 200 and was flagged; the others have reached step 300, rank 2 has not. */
    private static List<RankTimeline> othersAheadOfTheFlaggedRank(double... rank2At300) {
        return List.of(
                rank(0).clean(3, 100, 10).sketch(300, "fc.weight", 10, 1, 2, 3).build(),
                rank(1).clean(3, 100, 10).sketch(300, "fc.weight", 10, 1, 2, 3).build(),
                rank2At300.length == 0
                        ? rank(2).clean(2, 100, 10).sketch(200, "fc.weight", 10, 1, 2.5, 3).build()
                        : rank(2).clean(3, 100, 10).sketch(300, "fc.weight", 10, rank2At300).build(),
                rank(3).clean(3, 100, 10).sketch(300, "fc.weight", 10, 1, 2, 3).build());
    }

    @Test
    void aFlaggedRankNotComparedSinceKeepsItsDivergenceFinding() {
        Instant flagged = minute(21);
        Map<String, FirstSeen> previous = Map.of(Correlator.identity(Reason.WorkerDivergence, java.util.OptionalInt.of(2)), new FirstSeen(flagged, OptionalLong.empty()));

        List<CorrelatedFinding> findings = Correlator.correlate(othersAheadOfTheFlaggedRank(), T, minute(31), previous);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(summary(f)).isEqualTo("WorkerDivergence@2:CRITICAL");
            assertThat(f.since()).isEqualTo(flagged);
            assertThat(f.message()).contains("Rank 2 (pod train-worker-2) differed", "step 200",
                    "the others were last compared at step 300", "until rank 2 is compared again");
        });
        // The same evidence without the earlier finding raises nothing: only ranks at one step are compared.
        assertThat(Correlator.correlate(othersAheadOfTheFlaggedRank(), T, minute(31), Map.of())).isEmpty();
    }

    @Test
    void aFlaggedRankComparedAgainIsClearedOrConfirmed() {
        Instant flagged = minute(21);
        Map<String, FirstSeen> previous = Map.of(Correlator.identity(Reason.WorkerDivergence, java.util.OptionalInt.of(2)), new FirstSeen(flagged, OptionalLong.empty()));

        assertThat(Correlator.correlate(othersAheadOfTheFlaggedRank(1, 2, 3), T, minute(31), previous)).isEmpty();
        assertThat(Correlator.correlate(othersAheadOfTheFlaggedRank(1, 2.5, 3), T, minute(31), previous))
                .singleElement().satisfies(f -> {
                    assertThat(summary(f)).isEqualTo("WorkerDivergence@2:CRITICAL");
                    assertThat(f.since()).isEqualTo(flagged);
                    assertThat(f.step()).hasValue(300);
                    assertThat(f.values()).containsKey("relativeDistance");
                });
    }

    @Test
    void aPairThatDiffersIsBlamedOnTheRankFlaggedWhenMoreRanksWereCompared() {
        Instant flagged = minute(21);
        Map<String, FirstSeen> previous = Map.of(Correlator.identity(Reason.WorkerDivergence, java.util.OptionalInt.of(2)), new FirstSeen(flagged, OptionalLong.empty()));
        List<RankTimeline> pair = List.of(
                rank(0).clean(2, 100, 10).sketch(200, "fc.weight", 10, 1, 2, 3).build(),
                rank(1).clean(3, 100, 10).sketch(300, "fc.weight", 10, 1, 2, 3).build(),
                rank(2).clean(3, 100, 10).sketch(300, "fc.weight", 10, 1, 2.5, 3).build());

        assertThat(Correlator.correlate(pair, T, minute(31), previous)).singleElement().satisfies(f -> {
            assertThat(summary(f)).isEqualTo("WorkerDivergence@2:CRITICAL");
            assertThat(f.since()).isEqualTo(flagged);
            assertThat(f.message()).startsWith("Rank 2 (pod train-worker-2, named when more ranks were compared) differs from rank 1");
        });
        // Without that history the pair is reported as a pair.
        assertThat(Correlator.correlate(pair, T, minute(31), Map.of())).extracting(CorrelatorTest::summary)
                .containsExactly("WorkerDivergence@job:CRITICAL");
    }

    @Test
    void twoRanksFlaggedTogetherStayFlaggedUntilTheyShareAStepAgain() {
        Instant flagged = minute(21);
        Map<String, FirstSeen> previous = Map.of(Correlator.identity(Reason.WorkerDivergence, java.util.OptionalInt.empty()), new FirstSeen(flagged, OptionalLong.empty()));
        List<RankTimeline> apart = List.of(
                rank(0).clean(3, 100, 10).sketch(300, "w", 1, 1, 2, 3).build(),
                rank(1).clean(2, 100, 10).sketch(200, "w", 1, 9, 9, 9).build());
        List<RankTimeline> together = List.of(
                rank(0).clean(3, 100, 10).sketch(300, "w", 1, 1, 2, 3).build(),
                rank(1).clean(3, 100, 10).sketch(300, "w", 1, 1, 2, 3).build());

        assertThat(Correlator.correlate(apart, T, minute(31), previous)).singleElement()
                .satisfies(f -> assertThat(f.since()).isEqualTo(flagged))
                .extracting(CorrelatorTest::summary).isEqualTo("WorkerDivergence@job:CRITICAL");
        assertThat(Correlator.correlate(together, T, minute(31), previous)).isEmpty();
    }

    /** Four ranks checkpointing every 10 minutes, 100 steps apart, up to {@code step}; rank 2 apart or not there. */
    private static List<RankTimeline> fourRanksAt(int step, boolean rank2Apart) {
        int count = step / 100;
        return List.of(
                rank(0).clean(count, 100, 10).sketch(step, "fc.weight", 10, 1, 2, 3).build(),
                rank(1).clean(count, 100, 10).sketch(step, "fc.weight", 10, 1, 2, 3).build(),
                rank(2).clean(count, 100, 10).sketch(step, "fc.weight", 10, 1, rank2Apart ? 2.5 : 2, 3).build(),
                rank(3).clean(count, 100, 10).sketch(step, "fc.weight", 10, 1, 2, 3).build());
    }

    /** What the next reconcile reads back from the status this evaluation writes (StatusFactory.firstSeenByIdentity). */
    private static Map<String, FirstSeen> asPrevious(List<CorrelatedFinding> findings) {
        Map<String, FirstSeen> out = new java.util.HashMap<>();
        findings.forEach(f -> out.put(Correlator.identity(f.reason(), f.rank()), new FirstSeen(f.since(), f.step())));
        return out;
    }

    @Test
    void anOngoingDivergenceKeepsTheStepAndStartItWasFirstSeenAt() {
        List<CorrelatedFinding> first = Correlator.correlate(fourRanksAt(300, true), T, minute(31), Map.of());
        List<CorrelatedFinding> second = Correlator.correlate(fourRanksAt(500, true), T, minute(51), asPrevious(first));
        List<CorrelatedFinding> third = Correlator.correlate(fourRanksAt(700, true), T, minute(71), asPrevious(second));

        assertThat(third).singleElement().satisfies(f -> {
            assertThat(summary(f)).isEqualTo("WorkerDivergence@2:CRITICAL");
            assertThat(f.step()).hasValue(300);
            assertThat(f.since()).isEqualTo(minute(30));
            // the message still names the step the present evidence was measured at
            assertThat(f.message()).contains("at step 700");
        });
    }

    @Test
    void aDivergenceThatClearedAndCameBackStartsAgainAtItsNewStep() {
        List<CorrelatedFinding> first = Correlator.correlate(fourRanksAt(300, true), T, minute(31), Map.of());
        List<CorrelatedFinding> cleared = Correlator.correlate(fourRanksAt(500, false), T, minute(51), asPrevious(first));
        List<CorrelatedFinding> back = Correlator.correlate(fourRanksAt(700, true), T, minute(71), asPrevious(cleared));

        assertThat(cleared).isEmpty();
        assertThat(back).singleElement().satisfies(f -> {
            assertThat(f.step()).hasValue(700);
            assertThat(f.since()).isEqualTo(minute(70));
        });
    }

    @Test
    void aFailureKeepsTheStepOfTheCheckpointBeforeItWhenTheRankWritesMore() {
        TestingTimeline killed = rank(3).clean(3, 100, 10).infra(32, Reason.OOMKilled, 137, 1);
        List<CorrelatedFinding> first = Correlator.correlate(List.of(killed.build()), T, minute(33), Map.of());

        List<CorrelatedFinding> later = Correlator.correlate(List.of(killed.checkpoint(400, 40).build()), T, minute(41),
                asPrevious(first));

        assertThat(later).singleElement().satisfies(f -> {
            assertThat(summary(f)).isEqualTo("OOMKilled@3:WARNING");
            assertThat(f.step()).hasValue(300);
            assertThat(f.since()).isEqualTo(minute(32));
        });
    }

    @Test
    void sinceIsCarriedOverForAnOngoingFinding() {
        Instant earlier = minute(-30);
        List<RankTimeline> ranks = List.of(rank(0).clean(2, 100, 10)
                .checkpoint(300, 30, finding(Reason.EdgeOfStability, Severity.WARNING, "ratio 1.2")).build());

        List<CorrelatedFinding> findings = Correlator.correlate(ranks, T, minute(31),
                Map.of(Correlator.identity(Reason.EdgeOfStability, java.util.OptionalInt.of(0)), new FirstSeen(earlier, OptionalLong.empty())));

        assertThat(findings).singleElement().extracting(CorrelatedFinding::since).isEqualTo(earlier);
    }

    @Test
    void joinedFindingNamesTheAnomalyTheFailureAndTheLeadTime() {
        List<RankTimeline> ranks = List.of(rank(3).clean(2, 100, 10)
                .checkpoint(300, 30, finding(Reason.GradientSpike, Severity.WARNING, "grad norm 88, z=9"))
                .infra(34, Reason.OOMKilled, 137, 1).build());

        CorrelatedFinding joined = Correlator.correlate(ranks, T, minute(35), Map.of()).get(0);

        assertThat(joined.reason()).isEqualTo(Reason.InstabilityBeforeFailure);
        assertThat(joined.message()).startsWith("Rank 3 had a GradientSpike at step 300 (grad norm 88, z=9) 4m before its pod train-worker-3 was OOM-killed");
        assertThat(joined.values()).containsEntry("leadSeconds", 240.0).containsEntry("anomalyStep", 300.0);
        assertThat(joined.step()).hasValue(300);
    }

    /**
     * The failure is joined to the nearest anomaly before it on its rank; the window's earliest anomaly is named too
     * when it is a different one, with its own lead. Columns: timeline, failure minute, then the expected nearest
     * reason, its step, the lead in seconds (and as the message writes it), and the earliest anomaly's reason, step and
     * lead in seconds (nulls when the nearest is the earliest).
     */
    static Stream<Arguments> joins() {
        return Stream.of(
                Arguments.of("the only anomaly in the window",
                        rank(3).clean(2, 100, 10).checkpoint(300, 30, finding(Reason.GradientSpike, Severity.WARNING, "z=9")),
                        34.0, Reason.GradientSpike, 300L, 240.0, "4m", null, null, null),
                Arguments.of("the demo: loss spikes of a learning-rate phase, then an injected gradient spike just before the OOM",
                        rank(3).clean(2, 100, 10).checkpoint(310, 31, finding(Reason.LossSpike, Severity.WARNING, "z=8"))
                                .checkpoint(320, 32, finding(Reason.GradientSpike, Severity.WARNING, "z=7")).checkpoint(400, 36)
                                .checkpoint(630, 40, finding(Reason.GradientSpike, Severity.WARNING, "z=30")),
                        40.2, Reason.GradientSpike, 630L, 12.0, "12s", Reason.LossSpike, 310L, 552.0),
                Arguments.of("an anomaly after the failure is not its cause",
                        rank(3).checkpoint(200, 20, finding(Reason.LossSpike, Severity.WARNING, "z=8"))
                                .checkpoint(300, 30, finding(Reason.GradientSpike, Severity.WARNING, "z=9")),
                        29.0, Reason.LossSpike, 200L, 540.0, "9m", null, null, null),
                Arguments.of("of two anomalies on the nearest checkpoint, the more severe",
                        rank(0).checkpoint(100, 10, finding(Reason.EdgeOfStability, Severity.WARNING, "ratio 1.1"))
                                .checkpoint(200, 20, finding(Reason.LossSpike, Severity.WARNING, "z=8"),
                                        finding(Reason.NonFiniteValues, Severity.CRITICAL, "3 NaN")),
                        21.0, Reason.NonFiniteValues, 200L, 60.0, "60s", Reason.EdgeOfStability, 100L, 660.0),
                Arguments.of("an anomaly older than the window is neither the cause nor the earliest",
                        rank(1).checkpoint(100, 0, finding(Reason.GradientSpike, Severity.WARNING, "z=9"))
                                .checkpoint(200, 35, finding(Reason.UpdateOscillation, Severity.WARNING, "cos -0.9")),
                        40.0, Reason.UpdateOscillation, 200L, 300.0, "5m", null, null, null),
                Arguments.of("a plateau is not an anomaly, however near",
                        rank(2).checkpoint(100, 30, finding(Reason.GradientSpike, Severity.WARNING, "z=9"))
                                .checkpoint(200, 38, finding(Reason.Plateau, Severity.INFO, "flat")),
                        39.0, Reason.GradientSpike, 100L, 540.0, "9m", null, null, null),
                Arguments.of("an info EdgeOfStability (approaching the edge) is not an anomaly either",
                        rank(2).checkpoint(100, 30, finding(Reason.GradientSpike, Severity.WARNING, "z=9"))
                                .checkpoint(200, 38, finding(Reason.EdgeOfStability, Severity.INFO, "ratio 0.6")),
                        39.0, Reason.GradientSpike, 100L, 540.0, "9m", null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("joins")
    void failureIsJoinedToTheNearestPrecedingAnomaly(String name, TestingTimeline timeline, double failureMinute,
                                                     Reason nearest, long step, double leadSeconds, String lead,
                                                     Reason earliest, Long earliestStep, Double earliestLeadSeconds) {
        RankTimeline r = timeline.infra(failureMinute, Reason.OOMKilled, 137, 1).build();

        CorrelatedFinding joined = Correlator.correlate(List.of(r), T, minute(failureMinute + 0.5), Map.of()).stream()
                .filter(f -> f.reason() == Reason.InstabilityBeforeFailure).findFirst().orElseThrow();

        assertThat(joined.step()).hasValue(step);
        assertThat(joined.values()).containsEntry("anomalyStep", (double) step).containsEntry("leadSeconds", leadSeconds);
        assertThat(joined.message()).startsWith("Rank " + r.rank() + " had a " + nearest + " at step " + step + " (")
                .contains(") " + lead + " before its pod ");
        if (earliestStep == null) {
            assertThat(joined.values()).doesNotContainKeys("earliestAnomalyStep", "earliestLeadSeconds");
            assertThat(joined.message()).doesNotContain("Earlier in the");
        } else {
            assertThat(joined.values()).containsEntry("earliestAnomalyStep", (double) earliestStep)
                    .containsEntry("earliestLeadSeconds", earliestLeadSeconds);
            assertThat(joined.message()).contains("Earlier in the 30m before the failure: a " + earliest + " at step "
                    + earliestStep + ", " + ProgressDetector.human(Duration.ofSeconds(earliestLeadSeconds.longValue()))
                    + " before it.");
        }
    }

    @Test
    void findingsComeWorstFirst() {
        List<RankTimeline> ranks = List.of(rank(0).clean(2, 100, 10)
                .checkpoint(300, 30, finding(Reason.Plateau, Severity.INFO, "flat"), finding(Reason.NonFiniteValues, Severity.CRITICAL, "3 NaN")).build());

        assertThat(Correlator.correlate(ranks, T, minute(31), Map.of())).extracting(CorrelatedFinding::reason)
                .containsExactly(Reason.NonFiniteValues, Reason.Plateau);
    }

    private static String summary(CorrelatedFinding f) {
        return f.reason() + "@" + (f.rank().isPresent() ? f.rank().getAsInt() : "job") + ":" + f.severity();
    }
}
