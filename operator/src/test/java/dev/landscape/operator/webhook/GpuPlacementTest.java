package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.MetricsSpec;
import dev.landscape.operator.crd.SidecarSpec;
import dev.landscape.operator.rank.RankResolution;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gpu: dedicated} adds a GPU only to a rank that runs tier 2; the expected mode per case follows from the
 * tier-2 rule (a model and batch configured, and the rank in {@code spec.metrics.ranks} or that list empty).
 */
class GpuPlacementTest {

    record Case(String name, boolean tier2Configured, List<Integer> ranks, String rank, String mode, String noteReason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("tier 2 on every rank", true, List.of(), "5", "dedicated", null),
                new Case("a listed tier-2 rank", true, List.of(0, 7), "7", "dedicated", null),
                new Case("a tier-1-only rank", true, List.of(0), "3", "none", null),
                new Case("rank unknown while tier 2 runs on some ranks", true, List.of(0), null, "none", "InjectedWithoutGpu"),
                new Case("rank unknown, tier 2 on every rank", true, List.of(), null, "dedicated", null),
                new Case("tier 2 not configured", false, List.of(), "0", "none", "InjectedWithoutGpu"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void dedicatedGoesOnlyToRanksThatRunTier2(Case c) {
        LandscapeProbeSpec spec = new LandscapeProbeSpec();
        MetricsSpec metrics = new MetricsSpec();
        if (c.tier2Configured()) {
            metrics.setModel("m.onnx");
            metrics.setBatch("b.safetensors");
        }
        metrics.setRanks(c.ranks());
        spec.setMetrics(metrics);
        SidecarSpec sidecar = new SidecarSpec();
        sidecar.setGpu(SidecarSpec.GpuMode.DEDICATED);
        spec.setSidecar(sidecar);
        Container trainer = new ContainerBuilder().withName("trainer").build();
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().withContainers(trainer).endSpec().build();
        RankResolution rank = new RankResolution(c.rank(), null, "test");

        GpuPlacement placement = GpuPlacement.decide(spec, pod, trainer, rank);

        assertThat(placement.mode()).isEqualTo(c.mode());
        assertThat(placement.note() == null ? null : placement.note().reason()).isEqualTo(c.noteReason());
        assertThat(placement.applyTo(SidecarResources.of(null)).getLimits().containsKey(GpuPlacement.NVIDIA_GPU))
                .isEqualTo(c.mode().equals("dedicated"));
    }

    @org.junit.jupiter.api.Test
    void theEffectiveRequestCountsSidecarsWithTheContainersAndInitContainersAlone() {
        Pod pod = new PodBuilder().withNewSpec()
                .addToInitContainers(gpus("setup", 6, null), gpus("sidecar", 1, "Always"))
                .addToContainers(gpus("trainer", 4, null), gpus("helper", 0, null))
                .endSpec().build();

        // The init container runs alone (6); then the sidecar runs with the trainer (1 + 4).
        assertThat(PodGpus.effectiveRequest(pod)).isEqualTo(6);
        pod.getSpec().getInitContainers().add(gpus("landscape-probe", 2, "Always"));
        assertThat(PodGpus.effectiveRequest(pod)).isEqualTo(7);
    }

    private static Container gpus(String name, int n, String restartPolicy) {
        return new ContainerBuilder().withName(name).withRestartPolicy(restartPolicy)
                .withNewResources().addToLimits(GpuPlacement.NVIDIA_GPU, new Quantity(Integer.toString(n))).endResources().build();
    }
}
