package dev.landscape.demo.scenario;

import dev.landscape.contract.Reason;
import dev.landscape.demo.scenario.DetectionQuality.Expectation;
import dev.landscape.demo.scenario.DetectionQuality.Lead;
import dev.landscape.demo.scenario.DetectionQuality.Tolerated;
import dev.landscape.demo.scenario.DetectionQuality.Window;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's scoring on doctored findings: the scenario's own expectations (a learning-rate fault from step 10 to
 * 31, a gradient spike on rank 3 at step 60 and the OOM kill at step 62) against the honest findings, then against
 * findings altered one way each (premature, wrong rank, wrong join, step-less, a companion out of its place). Each
 * alteration must cost a detection or add a false alarm.
 */
class DetectionQualityTest {

    private static final List<Expectation> EXPECTED = List.of(
            new Expectation("learning rate raised", 0, Reason.EdgeOfStability, new Window(10, 31), Lead.overFinding(Reason.LossSpike)),
            new Expectation("learning rate raised", 0, Reason.LossSpike, new Window(10, 33), null),
            new Expectation("rank 3 gradient spike", 3, Reason.GradientSpike, new Window(60, 61), null),
            new Expectation("rank 3 OOMKilled", 3, Reason.InstabilityBeforeFailure, new Window(60, 61),
                    Lead.overStep("the OOM kill", 62)));
    private static final List<Tolerated> TOLERATED = List.of(
            new Tolerated("learning rate raised", 0, Reason.UpdateOscillation, new Window(10, 33), "symptom"),
            new Tolerated("rank 3 OOMKilled", 3, Reason.OOMKilled, new Window(62, 70), "the bare kill"));

    private static ProbeWatcher.Seen seen(String reason, Integer rank, Long step) {
        return new ProbeWatcher.Seen(reason, "warning", rank, "pod", step, null, reason + " at " + step, null, Instant.EPOCH);
    }

    /** What an honest run publishes. */
    private static List<ProbeWatcher.Seen> honest() {
        return new ArrayList<>(List.of(seen("EdgeOfStability", 0, 21L), seen("LossSpike", 0, 31L),
                seen("UpdateOscillation", 0, 29L), seen("GradientSpike", 3, 60L),
                seen("InstabilityBeforeFailure", 3, 60L), seen("OOMKilled", 3, 62L)));
    }

    private static List<ProbeWatcher.Seen> with(ProbeWatcher.Seen... more) {
        List<ProbeWatcher.Seen> out = honest();
        out.addAll(List.of(more));
        return out;
    }

    private static List<ProbeWatcher.Seen> replacing(String reason, ProbeWatcher.Seen by) {
        List<ProbeWatcher.Seen> out = honest();
        out.removeIf(s -> s.reason().equals(reason));
        out.add(by);
        return out;
    }

    private static DetectionQuality.Result score(List<ProbeWatcher.Seen> seen) {
        return DetectionQuality.score(EXPECTED, TOLERATED, seen);
    }

    private static DetectionQuality.Row row(DetectionQuality.Result r, Reason reason) {
        return r.rows().stream().filter(x -> x.expected().reason() == reason).findFirst().orElseThrow();
    }

    @Test
    void honestRunFindsEverythingWithLeadsAndNoFalseAlarm() {
        DetectionQuality.Result r = score(honest());

        assertThat(r.missed()).isZero();
        assertThat(r.falseAlarms()).isEmpty();
        assertThat(row(r, Reason.EdgeOfStability).leadSteps()).isEqualTo(10);
        assertThat(row(r, Reason.InstabilityBeforeFailure).leadSteps()).isEqualTo(2);
    }

    @Test
    void prematureFindingIsMissedAndAFalseAlarm() {
        DetectionQuality.Result r = score(replacing("EdgeOfStability", seen("EdgeOfStability", 0, 8L)));

        assertThat(row(r, Reason.EdgeOfStability).found()).isFalse();
        assertThat(r.falseAlarms()).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo("EdgeOfStability");
            assertThat(f.why()).isEqualTo("premature");
        });
    }

    @Test
    void expectedReasonBeforeItsWindowIsAFalseAlarmEvenWhenItComesAgainInIt() {
        DetectionQuality.Result r = score(with(seen("GradientSpike", 3, 40L)));

        assertThat(row(r, Reason.GradientSpike).found()).isTrue();
        assertThat(r.falseAlarms()).extracting(DetectionQuality.FalseAlarm::step, DetectionQuality.FalseAlarm::why)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(40L, "premature"));
    }

    @Test
    void findingOnTheWrongRankIsMissedAndAFalseAlarm() {
        DetectionQuality.Result r = score(replacing("GradientSpike", seen("GradientSpike", 2, 60L)));

        assertThat(row(r, Reason.GradientSpike).found()).isFalse();
        assertThat(r.falseAlarms()).extracting(DetectionQuality.FalseAlarm::why).containsExactly("wrong rank");
    }

    @Test
    void failureJoinedToAnEarlierAnomalyIsMissedAndAFalseAlarm() {
        // The operator joined the kill to the learning-rate phase's spike (step 31), not to the injected one.
        DetectionQuality.Result r = score(replacing("InstabilityBeforeFailure", seen("InstabilityBeforeFailure", 3, 31L)));

        assertThat(row(r, Reason.InstabilityBeforeFailure).found()).isFalse();
        assertThat(row(r, Reason.InstabilityBeforeFailure).leadSteps()).isNull();
        assertThat(r.falseAlarms()).extracting(DetectionQuality.FalseAlarm::reason).containsExactly("InstabilityBeforeFailure");
    }

    @Test
    void findingWithoutAStepIsNeverADetectionAndAlwaysAFalseAlarm() {
        DetectionQuality.Result r = score(replacing("LossSpike", seen("LossSpike", 0, null)));

        assertThat(row(r, Reason.LossSpike).found()).isFalse();
        assertThat(r.falseAlarms()).extracting(DetectionQuality.FalseAlarm::why).containsExactly("no step");
    }

    @Test
    void companionOutsideItsFaultsWindowOrRankIsAFalseAlarm() {
        DetectionQuality.Result r = score(with(seen("UpdateOscillation", 0, 50L), seen("UpdateOscillation", 2, 20L)));

        assertThat(r.missed()).isZero();
        assertThat(r.falseAlarms()).extracting(DetectionQuality.FalseAlarm::rank, DetectionQuality.FalseAlarm::step)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(0, 50L), org.assertj.core.groups.Tuple.tuple(2, 20L));
    }

    @Test
    void everyUnexplainedOccurrenceCountsNotOnePerReasonAndRank() {
        DetectionQuality.Result r = score(with(seen("Plateau", 1, 40L), seen("Plateau", 1, 50L), seen("Plateau", 1, 60L)));

        assertThat(r.falseAlarms()).hasSize(3).allSatisfy(f -> assertThat(f.why()).isEqualTo("unexpected"));
    }

    @Test
    void markdownTableNamesEachRowsWindowAndTheTotals() {
        String md = score(replacing("GradientSpike", seen("GradientSpike", 2, 60L))).markdown();

        assertThat(md).contains("| rank 3 gradient spike | 3 | GradientSpike | 60–61 | **missed** | — | — |")
                .contains("| rank 3 OOMKilled | 3 | InstabilityBeforeFailure | 60–61 | yes | 60 | +2 before the OOM kill |")
                .contains("found 3 / 4, missed 1, false alarms 1")
                .contains("- false alarm (wrong rank): GradientSpike on rank 2 at step 60");
    }
}
