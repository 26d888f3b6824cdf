package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.crd.SidecarSpec;
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
 * Decides how the sidecar gets a GPU. {@code dedicated} asks the device plugin for one of its own; {@code shared}
 * joins the trainer's DRA resource claims (a claim can be consumed by several containers of one pod, which is how
 * two containers share one GPU without time-slicing configuration); when the trainer has no claim, the sidecar
 * runs on CPU and {@link #note()} says why, for an Event on the probe.
 *
 * @param mode the effective mode: {@code none}, {@code shared} or {@code dedicated}
 * @param note why the requested mode could not be honoured, or null
 */
public record GpuPlacement(String mode, List<ResourceClaim> claims, String note) {

    static final String NVIDIA_GPU = "nvidia.com/gpu";

    public static GpuPlacement decide(SidecarSpec sidecar, Pod pod, Container trainer) {
        String requested = sidecar == null || sidecar.getGpu() == null
                ? SchemaDefaults.of(SidecarSpec.class, "gpu")
                : switch (sidecar.getGpu()) {
                    case NONE -> "none";
                    case SHARED -> "shared";
                    case DEDICATED -> "dedicated";
                };
        if (!"shared".equals(requested)) {
            return new GpuPlacement(requested, List.of(), null);
        }
        Set<String> podClaims = (pod.getSpec().getResourceClaims() == null ? List.<PodResourceClaim>of()
                : pod.getSpec().getResourceClaims()).stream().map(PodResourceClaim::getName).collect(Collectors.toSet());
        List<ResourceClaim> trainerClaims = trainer.getResources() == null || trainer.getResources().getClaims() == null
                ? List.of() : trainer.getResources().getClaims();
        List<ResourceClaim> shared = trainerClaims.stream()
                .filter(c -> podClaims.contains(c.getName()))
                .map(c -> new ResourceClaimBuilder(c).build())
                .toList();
        if (shared.isEmpty()) {
            return new GpuPlacement("none", List.of(), "spec.sidecar.gpu is shared, but container " + trainer.getName()
                    + " has no DRA resource claim (spec.resourceClaims + resources.claims) to share; the sidecar runs"
                    + " without a GPU. Give the trainer a ResourceClaim, or use gpu: dedicated.");
        }
        return new GpuPlacement("shared", shared, null);
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
