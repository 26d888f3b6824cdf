package dev.landscape.operator.reconcile;

import dev.landscape.operator.crd.CheckpointSource;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.RankSource;
import dev.landscape.operator.crd.ThresholdsSpec;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SpecValidatorTest {

    static LandscapeProbeSpec validSpec() {
        LandscapeProbeSpec spec = new LandscapeProbeSpec();
        spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("app", "trainer").build());
        CheckpointSource cp = new CheckpointSource();
        cp.setVolume("checkpoints");
        spec.setCheckpoints(cp);
        return spec;
    }

    @Test
    void minimalSpecIsValid() {
        assertThat(SpecValidator.validate(validSpec())).isEmpty();
    }

    @Test
    void missingSpecSaysWhatToSet() {
        assertThat(SpecValidator.validate(null)).containsExactly("spec is missing: set spec.selector and spec.checkpoints");
    }

    @Test
    void emptySelectorIsRejected() {
        LandscapeProbeSpec spec = validSpec();
        spec.setSelector(new LabelSelectorBuilder().build());
        assertThat(SpecValidator.validate(spec)).singleElement().asString().startsWith("spec.selector must have");
    }

    @Test
    void labelRankSourceNeedsAKey() {
        LandscapeProbeSpec spec = validSpec();
        RankSource rank = new RankSource();
        rank.setSource(RankSource.Source.Env);
        spec.setRank(rank);
        assertThat(SpecValidator.validate(spec)).containsExactly("spec.rank.key is required when spec.rank.source is Env");
    }

    @Test
    void criticalBelowTheSchemaDefaultWarningIsRejected() {
        LandscapeProbeSpec spec = validSpec();
        ThresholdsSpec t = new ThresholdsSpec();
        t.setEdgeOfStabilityCritical("0.8");
        spec.setThresholds(t);
        assertThat(SpecValidator.validate(spec))
                .containsExactly("spec.thresholds.edgeOfStabilityCritical (0.8) must not be below edgeOfStabilityWarning (1)");
    }

    @Test
    void nonDecimalThresholdNamesTheField() {
        LandscapeProbeSpec spec = validSpec();
        ThresholdsSpec t = new ThresholdsSpec();
        t.setDivergence("tiny");
        spec.setThresholds(t);
        assertThat(SpecValidator.validate(spec)).singleElement().asString()
                .startsWith("spec.thresholds.divergence \"tiny\" is not a decimal number");
    }

    @Test
    void oscillationCosineOutsideUnitIntervalIsRejected() {
        LandscapeProbeSpec spec = validSpec();
        ThresholdsSpec t = new ThresholdsSpec();
        t.setUpdateOscillationCosine("-1.5");
        spec.setThresholds(t);
        assertThat(SpecValidator.validate(spec)).singleElement().asString().contains("must lie in [-1, 1]");
    }

    @Test
    void silenceProblemsNameTheSilenceAndTheField() {
        LandscapeProbeSpec spec = validSpec();
        dev.landscape.operator.crd.SilenceSpec backwards = new dev.landscape.operator.crd.SilenceSpec();
        backwards.setStart("2026-12-07T14:00:00Z");
        backwards.setEnd("2026-12-07T12:00:00Z");
        backwards.setReason("retrain");
        dev.landscape.operator.crd.SilenceSpec sloppy = new dev.landscape.operator.crd.SilenceSpec();
        sloppy.setStart("tonight");
        sloppy.setEnd("2026-12-07T12:00:00Z");
        sloppy.setFindingReasons(java.util.List.of("LossSpike", "LossSpikes"));
        spec.setSilences(java.util.List.of(backwards, sloppy));

        assertThat(SpecValidator.validate(spec)).containsExactly(
                "spec.silences[0].end (2026-12-07T12:00:00Z) must be after its start (2026-12-07T14:00:00Z)",
                "spec.silences[1].start \"tonight\" is not an RFC 3339 timestamp with a zone, e.g. 2026-12-07T22:00:00Z",
                "spec.silences[1].reason is required: say why findings are silenced",
                "spec.silences[1].findingReasons: \"LossSpikes\" is not a finding reason (one of " + java.util.Arrays.toString(dev.landscape.contract.Reason.values()) + ")");
    }

    @Test
    void objectiveMustLeaveAnErrorBudget() {
        LandscapeProbeSpec spec = validSpec();
        dev.landscape.operator.crd.SloSpec slo = new dev.landscape.operator.crd.SloSpec();
        spec.setSlo(slo);
        slo.setObjective("99.5");
        assertThat(SpecValidator.validate(spec)).isEmpty();
        for (String bad : new String[] {"100", "0", "99%", "0.99.1"}) {
            slo.setObjective(bad);
            assertThat(SpecValidator.validate(spec)).as(bad).singleElement().asString().startsWith("spec.slo.objective \"" + bad + "\" must be a percentage");
        }
    }

    @Test
    void aSubsetCountNeedsAModelCountAtLeastAsLarge() {
        LandscapeProbeSpec spec = validSpec();
        dev.landscape.operator.crd.MetricsSpec m = new dev.landscape.operator.crd.MetricsSpec();
        m.setModelParameters(1000L);
        m.setSubsetParameters(2000L);
        m.setParameters(java.util.List.of("h.1[.*"));
        spec.setMetrics(m);

        java.util.List<String> problems = SpecValidator.validate(spec);

        assertThat(problems).hasSize(2);
        assertThat(problems.get(0))
                .isEqualTo("spec.metrics.subsetParameters (2000) needs spec.metrics.modelParameters and must not exceed it (1000)");
        assertThat(problems.get(1)).startsWith("spec.metrics.parameters entry \"h.1[.*\" is not a glob: Missing");
    }
}
