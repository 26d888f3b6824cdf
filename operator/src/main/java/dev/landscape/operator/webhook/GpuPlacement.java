package dev.landscape.operator.webhook;

import dev.landscape.contract.SidecarSettings;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.MetricsSpec;
import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.crd.SidecarSpec;
import dev.landscape.operator.rank.RankResolution;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodResourceClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceClaim;
import io.fabric8.kubernetes.api.model.ResourceClaimBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides how the sidecar gets a GPU. {@code dedicated} asks the device plugin for one of its own — only for a rank
 * that runs tier 2 (the only analysis that uses a GPU: {@link SidecarSettings#runsTier2}), since the extra GPU
 * raises the whole pod's request and a trainer asking for all of a node's GPUs would then fit no node; tier-1-only
 * ranks never get one. {@code shared} joins the trainer's DRA resource claims (a claim can be consumed by several
 * containers of one pod, which is how two containers share one GPU without time-slicing configuration); when the
 * trainer has no claim, the sidecar runs on CPU and a note says why, for an Event on the probe.
 *
 * @param mode   the effective mode: {@code none}, {@code shared} or {@code dedicated}
 * @param note   why the requested mode could not be honoured, or null
 * @param reason why a requested GPU was not given where that is expected (a tier-1-only rank), for the injection
 *               status; null otherwise
 */
public record GpuPlacement(String mode, List<ResourceClaim> claims, InjectionResult.Note note, String reason) {

    static final String NVIDIA_GPU = "nvidia.com/gpu";
    static final String WITHOUT_GPU = "InjectedWithoutGpu";

    public static GpuPlacement decide(LandscapeProbeSpec spec, Pod pod, Container trainer, RankResolution rank) {
        SidecarSpec sidecar = spec.getSidecar();
        String requested = sidecar == null || sidecar.getGpu() == null
                ? SchemaDefaults.of(SidecarSpec.class, "gpu")
                : switch (sidecar.getGpu()) {
                    case NONE -> "none";
                    case SHARED -> "shared";
                    case DEDICATED -> "dedicated";
                };
        return switch (requested) {
            case "shared" -> shared(pod, trainer);
            case "dedicated" -> dedicated(spec.getMetrics(), pod, rank);
            default -> new GpuPlacement(requested, List.of(), null, null);
        };
    }

    private static GpuPlacement dedicated(MetricsSpec metrics, Pod pod, RankResolution rank) {
        boolean tier2 = metrics != null && metrics.getModel() != null && metrics.getBatch() != null;
        List<Integer> ranks = metrics == null || metrics.getRanks() == null ? List.of() : metrics.getRanks();
        String podName = SidecarInjector.podName(pod);
        if (!tier2) {
            return withoutGpu("spec.sidecar.gpu is dedicated, but tier 2 is not configured (spec.metrics.model and"
                    + " spec.metrics.batch), and tier 1 uses no GPU: pod " + podName + " gets no GPU for the sidecar."
                    + " Configure tier 2, or set gpu: none.");
        }
        if (!ranks.isEmpty() && rank.number().isEmpty()) {
            return withoutGpu("spec.sidecar.gpu is dedicated and tier 2 runs on ranks " + ranks + " only, but the rank"
                    + " of pod " + podName + " is not known at admission (" + rank.origin() + "): no GPU added, so that a"
                    + " tier-1-only rank does not take one; if it is one of " + ranks + ", its tier 2 runs on CPU."
                    + " Set spec.rank so that the rank is known at admission.");
        }
        if (!SidecarSettings.runsTier2(true, ranks, rank.number().orElse(0))) {
            return new GpuPlacement("none", List.of(), null, "rank " + rank.value() + " runs tier 1 only (spec.metrics.ranks "
                    + ranks + ")");
        }
        return new GpuPlacement("dedicated", List.of(), null, null);
    }

    private static GpuPlacement shared(Pod pod, Container trainer) {
        Set<String> podClaims = (pod.getSpec().getResourceClaims() == null ? List.<PodResourceClaim>of()
                : pod.getSpec().getResourceClaims()).stream().map(PodResourceClaim::getName).collect(Collectors.toSet());
        List<ResourceClaim> trainerClaims = trainer.getResources() == null || trainer.getResources().getClaims() == null
                ? List.of() : trainer.getResources().getClaims();
        List<ResourceClaim> shared = trainerClaims.stream()
                .filter(c -> podClaims.contains(c.getName()))
                .map(c -> new ResourceClaimBuilder(c).build())
                .toList();
        if (shared.isEmpty()) {
            return withoutGpu("spec.sidecar.gpu is shared, but container " + trainer.getName()
                    + " has no DRA resource claim (spec.resourceClaims + resources.claims) to share; the sidecar runs"
                    + " without a GPU. Give the trainer a ResourceClaim, or use gpu: dedicated.");
        }
        return new GpuPlacement("shared", shared, null, null);
    }

    private static GpuPlacement withoutGpu(String message) {
        return new GpuPlacement("none", List.of(), new InjectionResult.Note(WITHOUT_GPU, message), null);
    }

    /** {@code base} with this placement's GPU request or claims added; {@code base} itself is not modified. */
    public ResourceRequirements applyTo(ResourceRequirements base) {
        ResourceRequirements result = new ResourceRequirements();
        result.setRequests(base.getRequests() == null ? null : new LinkedHashMap<>(base.getRequests()));
        result.setLimits(base.getLimits() == null ? null : new LinkedHashMap<>(base.getLimits()));
        result.setClaims(base.getClaims() == null ? null : new ArrayList<>(base.getClaims()));
        if ("dedicated".equals(mode)) {
            Map<String, Quantity> limits = result.getLimits() == null ? new LinkedHashMap<>() : result.getLimits();
            limits.putIfAbsent(NVIDIA_GPU, new Quantity("1"));
            result.setLimits(limits);
        } else if ("shared".equals(mode)) {
            List<ResourceClaim> all = result.getClaims() == null ? new ArrayList<>() : result.getClaims();
            all.addAll(claims);
            result.setClaims(all);
        }
        return result;
    }
}
