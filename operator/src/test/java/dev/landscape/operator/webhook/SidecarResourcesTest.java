package dev.landscape.operator.webhook;

import dev.landscape.contract.Tier2Memory;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.MetricsSpec;
import dev.landscape.operator.crd.SidecarSpec;
import dev.landscape.operator.rank.RankResolution;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The sidecar's heap, memory limit and scratch volume, tier 1 and tier 2, against the rule in {@link Tier2Memory}. */
class SidecarResourcesTest {

    private static final RankResolution RANK_0 = new RankResolution("0", null, "test");
    private static final RankResolution RANK_3 = new RankResolution("3", null, "test");
    private static final RankResolution AT_START = new RankResolution(null, null, "test");

    private static LandscapeProbeSpec spec(Long model, Long subset, Integer topK, List<Integer> ranks) {
        MetricsSpec m = new MetricsSpec();
        m.setModel("m.onnx");
        m.setBatch("b.safetensors");
        m.setModelParameters(model);
        m.setSubsetParameters(subset);
        m.setTopK(topK);
        m.setRanks(ranks);
        LandscapeProbeSpec spec = new LandscapeProbeSpec();
        spec.setMetrics(m);
        return spec;
    }

    private static long mib(Quantity q) {
        return q.getNumericalAmount().longValue() / Tier2Memory.MIB;
    }

    @Test
    void aTier2RankGetsTheFormulasHeapAndLimitRequestedInFull() {
        Tier2Memory expected = Tier2Memory.of(124_439_808L, 7_089_408L, 3, 4);

        SidecarResources.Sizing s = SidecarResources.size(spec(124_439_808L, 7_089_408L, null, null), RANK_0, "1Gi");

        assertThat(s.heapMiB()).isEqualTo(expected.heapMiB());
        assertThat(mib(s.resources().getLimits().get("memory"))).isEqualTo(expected.limitMiB());
        assertThat(mib(s.resources().getRequests().get("memory"))).isEqualTo(expected.limitMiB());
        assertThat(s.scratchSizeLimit()).isEqualTo("1Gi");
        assertThat(s.tier2()).containsEntry("modelParameters", 124_439_808L).containsEntry("analysedParameters", 7_089_408L);
    }

    @Test
    void theHeapGrowsWithTheSubsetAndTheNativePartWithTheModelAndTheSubset() {
        Tier2Memory small = Tier2Memory.of(10_000_000L, 1_000_000L, 1, 4);
        Tier2Memory wider = Tier2Memory.of(10_000_000L, 2_000_000L, 1, 4);
        Tier2Memory bigger = Tier2Memory.of(20_000_000L, 1_000_000L, 1, 4);

        // heap: 8 bytes x 6 working vectors + 32 float basis vectors per analysed parameter (rounded up to MiB)
        assertThat(wider.heapBytes() - small.heapBytes()).isCloseTo(1_000_000L * (8 * 6 + 32 * 4), within(Tier2Memory.MIB));
        // native: the model once in double, the analysed parameters GRAPH_COPIES - 1 times more
        assertThat(bigger.nativeBytes() - small.nativeBytes()).isCloseTo(10_000_000L * 8, within(Tier2Memory.MIB));
        assertThat(wider.nativeBytes() - small.nativeBytes())
                .isCloseTo(1_000_000L * 8 * (Tier2Memory.GRAPH_COPIES - 1), within(Tier2Memory.MIB));
        assertThat(bigger.heapBytes()).isEqualTo(small.heapBytes());
    }

    @Test
    void aRankOutsideTheTier2RanksKeepsTheTier1Defaults() {
        SidecarResources.Sizing s = SidecarResources.size(spec(124_439_808L, null, null, List.of(0)), RANK_3, "1Gi");

        assertThat(s.tier2()).isNull();
        assertThat(s.resources().getLimits().get("memory")).isEqualTo(new Quantity(SidecarResources.DEFAULT_MEMORY_LIMIT));
        assertThat(s.heapMiB()).isEqualTo(128);
    }

    @Test
    void aRankKnownOnlyAtStartIsSizedForTier2() {
        SidecarResources.Sizing s = SidecarResources.size(spec(5_000_000L, null, 1, List.of(0)), AT_START, "1Gi");

        assertThat(s.heapMiB()).isEqualTo(Tier2Memory.of(5_000_000L, 5_000_000L, 1, 4).heapMiB());
    }

    @Test
    void withoutAParameterCountTier2IsSizedForNd4jAlone() {
        SidecarResources.Sizing s = SidecarResources.size(spec(null, null, null, null), RANK_0, "1Gi");

        assertThat(s.heapMiB()).isEqualTo((Tier2Memory.YOUNG_GEN + Tier2Memory.HEAP_BASE) / Tier2Memory.MIB);
        assertThat(mib(s.resources().getLimits().get("memory"))).isEqualTo(Tier2Memory.of(0, 0, 3, 4).limitMiB());
        assertThat((String) s.tier2().get("modelParameters")).startsWith("unstated");
    }

    @Test
    void aScratchVolumeTooSmallForTheNativesIsRaised() {
        SidecarResources.Sizing s = SidecarResources.size(spec(1_000_000L, null, 1, null), RANK_0, "256Mi");

        assertThat(new Quantity(s.scratchSizeLimit()).getNumericalAmount().longValue())
                .isEqualTo(Tier2Memory.NATIVES + Tier2Memory.SPOOL);
    }

    @Test
    void explicitResourcesAreKeptAndTheHeapIsWhatTheNativePartLeaves() {
        LandscapeProbeSpec spec = spec(20_000_000L, null, 1, null);
        SidecarSpec sidecar = new SidecarSpec();
        ResourceRequirements r = new ResourceRequirements();
        r.setLimits(Map.of("memory", new Quantity("6Gi")));
        sidecar.setResources(r);
        spec.setSidecar(sidecar);

        SidecarResources.Sizing s = SidecarResources.size(spec, RANK_0, "1Gi");

        assertThat(s.resources()).isSameAs(r);
        assertThat(s.heapMiB()).isEqualTo(6144 - Tier2Memory.of(20_000_000L, 20_000_000L, 1, 4).nativeBytes() / Tier2Memory.MIB);
    }
}
