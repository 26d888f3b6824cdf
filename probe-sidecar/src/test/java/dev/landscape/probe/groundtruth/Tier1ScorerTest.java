package dev.landscape.probe.groundtruth;

import dev.landscape.contract.Reason;
import dev.landscape.probe.cli.RunAnalysis;
import dev.landscape.probe.findings.Finding;
import dev.landscape.contract.Severity;
import dev.landscape.probe.groundtruth.Tier1Case.Fault;
import dev.landscape.probe.groundtruth.Tier1Case.Noise;
import dev.landscape.probe.groundtruth.Tier1Case.Optimizer;
import dev.landscape.probe.groundtruth.Tier1Case.Schedule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scoring rules on doctored findings: a score that cannot fail would flatter the analyser, so each rule is
 * shown failing a run that breaks it.
 */
class Tier1ScorerTest {

    private static final Tier1Case SGD_EDGE = new Tier1Case("sgd edge", Optimizer.SGD,
            Schedule.ramp(0, 0.8, 1, 80, 2.8), Noise.LOW, Fault.EDGE, 60);
    private static final Tier1Case LOSS_SPIKE = new Tier1Case("loss spike", Optimizer.SGD, Schedule.constant(0, 1),
            Noise.QUIET, Fault.lossSpike(50, 2), 60);
    private static final Tier1Case GRADIENT_SPIKE = new Tier1Case("gradient spike", Optimizer.SGD,
            Schedule.constant(0, 1), Noise.QUIET, Fault.gradientSpike(50, 4), 70);
    private static final Tier1Case CONTROL = new Tier1Case("control", Optimizer.SGD, Schedule.constant(0, 1),
            Noise.QUIET, Fault.NONE, 60);
    /** Exact ratio crossing 1 at step 40. */
    private static final GroundTruthRun.Truth CROSSING_AT_40 = truth(40, 60);

    @Test
    void edgeRaisedWithinToleranceIsFoundWithItsLag() {
        Tier1Scorer.Score s = Tier1Scorer.score(SGD_EDGE, 1, CROSSING_AT_40, run(60, raise("EdgeOfStability", 42)));

        assertThat(s.found()).isTrue();
        assertThat(s.lag()).isEqualTo(2);
        assertThat(s.falseAlarms()).isEmpty();
        assertThat(s.cleanCheckpoints()).isEqualTo(36);
    }

    @Test
    void edgeRaisedTooLateIsMissedButItsLagIsReported() {
        Tier1Scorer.Score s = Tier1Scorer.score(SGD_EDGE, 1, CROSSING_AT_40, run(60, raise("EdgeOfStability", 44)));

        assertThat(s.found()).isFalse();
        assertThat(s.lag()).isEqualTo(4);
    }

    @Test
    void prematureEdgeIsMissedAndAFalseAlarmEvenIfRaisedAgainInTheWindow() {
        Tier1Scorer.Score s = Tier1Scorer.score(SGD_EDGE, 1, CROSSING_AT_40,
                run(60, raise("EdgeOfStability", 30), raise("EdgeOfStability", 40)));

        assertThat(s.found()).isFalse();
        assertThat(s.falseAlarms()).extracting(Tier1Scorer.Alarm::step, Tier1Scorer.Alarm::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(30L, "EdgeOfStability"));
    }

    @Test
    void aHeldConditionIsOneAlarmNotOnePerCheckpoint() {
        Tier1Scorer.Score s = Tier1Scorer.score(CONTROL, 1, truth(-1, 60),
                run(60, raise("UpdateOscillation", 10), held("UpdateOscillation", 11, 10), held("UpdateOscillation", 12, 10)));

        assertThat(s.falseAlarms()).hasSize(1);
    }

    @Test
    void everyRaiseOnAControlIsAFalseAlarmAndEveryCheckpointIsClean() {
        Tier1Scorer.Score s = Tier1Scorer.score(CONTROL, 1, truth(-1, 60),
                run(60, raise("LossSpike", 20), raise("LossSpike", 21), raise("Plateau", 40)));

        assertThat(s.falseAlarms()).hasSize(3);
        assertThat(s.cleanCheckpoints()).isEqualTo(60);
    }

    @Test
    void companionsCountOnlyAfterTheWindowOpensAndOnlyTheFaultsOwn() {
        Tier1Scorer.Score s = Tier1Scorer.score(SGD_EDGE, 1, CROSSING_AT_40, run(60, raise("LossSpike", 20),
                raise("EdgeOfStability", 40), raise("LossSpike", 45), raise("Plateau", 50)));

        assertThat(s.found()).isTrue();
        assertThat(s.falseAlarms()).extracting(Tier1Scorer.Alarm::reason, Tier1Scorer.Alarm::step)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("LossSpike", 20L),
                        org.assertj.core.groups.Tuple.tuple("Plateau", 50L));
    }

    @Test
    void spikeMustBeRaisedAtItsOwnStep() {
        assertThat(Tier1Scorer.score(LOSS_SPIKE, 1, truth(-1, 60), run(60, raise("LossSpike", 50))).found()).isTrue();
        Tier1Scorer.Score late = Tier1Scorer.score(LOSS_SPIKE, 1, truth(-1, 60), run(60, raise("LossSpike", 51)));
        assertThat(late.found()).isFalse();
        assertThat(late.lag()).isEqualTo(1);
    }

    @Test
    void lossSpikeHasNoCompanions() {
        Tier1Scorer.Score s = Tier1Scorer.score(LOSS_SPIKE, 1, truth(-1, 60),
                run(60, raise("LossSpike", 50), raise("GradientSpike", 50)));

        assertThat(s.falseAlarms()).extracting(Tier1Scorer.Alarm::reason).containsExactly("GradientSpike");
    }

    @Test
    void gradientSpikeCompanionsExpireAfterItsAftermath() {
        Tier1Scorer.Score s = Tier1Scorer.score(GRADIENT_SPIKE, 1, truth(-1, 70), run(70, raise("GradientSpike", 50),
                raise("LossSpike", 51), raise("LossSpike", 50 + Tier1Case.GRADIENT_SPIKE_AFTERMATH + 1)));

        assertThat(s.found()).isTrue();
        assertThat(s.falseAlarms()).extracting(Tier1Scorer.Alarm::step)
                .containsExactly(50L + Tier1Case.GRADIENT_SPIKE_AFTERMATH + 1);
    }

    @Test
    void anUnreadableCheckpointIsAFalseAlarm() {
        Tier1Scorer.Score s = Tier1Scorer.score(LOSS_SPIKE, 1, truth(-1, 60),
                run(60, raise("UnreadableCheckpoint", 55), raise("LossSpike", 50)));

        assertThat(s.falseAlarms()).extracting(Tier1Scorer.Alarm::reason).containsExactly("UnreadableCheckpoint");
    }

    private static GroundTruthRun.Truth truth(int crossing, int steps) {
        double[] ratio = new double[steps + 1];
        for (int s = 1; s <= steps; s++) {
            ratio[s] = crossing > 0 && s >= crossing ? 1.1 : 0.5;
        }
        return new GroundTruthRun.Truth(ratio, crossing, crossing > 0 ? 1.1 : 0.5);
    }

    private record At(long step, Finding finding) {
    }

    private static At raise(String reason, long step) {
        return held(reason, step, step);
    }

    private static At held(String reason, long step, long since) {
        return new At(step, new Finding(Reason.valueOf(reason), Severity.WARNING, step, since, Map.of(), reason + " at " + step));
    }

    /** Results for checkpoints 1..steps carrying the given findings. */
    private static List<RunAnalysis.Result> run(int steps, At... findings) {
        List<RunAnalysis.Result> out = new ArrayList<>();
        for (int s = 1; s <= steps; s++) {
            List<Finding> at = new ArrayList<>();
            for (At a : findings) {
                if (a.step() == s) {
                    at.add(a.finding());
                }
            }
            out.add(new RunAnalysis.Result(Path.of("checkpoint-" + s), OptionalLong.of(s), "hf-trainer", null, at, null));
        }
        return out;
    }
}
