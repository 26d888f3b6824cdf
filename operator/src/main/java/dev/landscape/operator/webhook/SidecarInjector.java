package dev.landscape.operator.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.operator.crd.LandscapeProbe;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Injects one probe's sidecar into a pod. Pure: it mutates a deep copy and returns it, and the admission handler
 * turns the difference into the JSON patch — the Istio / JOSDK-webhooks pattern, which keeps the patch exactly what
 * changed. The original pod is never modified.
 */
public final class SidecarInjector {

    private SidecarInjector() {
    }

    /**
     * @param copyOfOriginal makes the copy to mutate, only once the pod qualifies; it must return a deep copy of
     *                       {@code original} that nothing else holds. The admission handler decodes the request's pod
     *                       a second time: cheaper than a {@code PodBuilder} deep copy, and as deep.
     */
    static InjectionResult inject(Pod original, Supplier<Pod> copyOfOriginal, String namespace, LandscapeProbe probe,
                                  InjectionSettings settings) {
        String probeName = probe.getMetadata().getName();
        String volume = probe.getSpec().getCheckpoints().getVolume();
        List<Volume> volumes = original.getSpec().getVolumes() == null ? List.of() : original.getSpec().getVolumes();
        if (volumes.stream().noneMatch(v -> volume.equals(v.getName()))) {
            return new InjectionResult.Skipped("probe " + probeName + " selects pod " + podName(original)
                    + " but the pod has no volume \"" + volume + "\" (spec.checkpoints.volume); no sidecar injected."
                    + " Add the checkpoint volume to the pod template or fix the probe's spec.checkpoints.volume.");
        }
        for (String reserved : List.of(InjectionAnnotations.SCRATCH_VOLUME, InjectionAnnotations.PROJECTED_VOLUME)) {
            if (volumes.stream().anyMatch(v -> reserved.equals(v.getName()))) {
                return new InjectionResult.Skipped("pod " + podName(original) + " already has a volume named \""
                        + reserved + "\", which the landscape-probe sidecar needs; no sidecar injected.");
            }
        }
        TrainerMount trainer = TrainerMount.find(original, volume).orElse(null);
        if (trainer == null) {
            return new InjectionResult.Skipped("probe " + probeName + " selects pod " + podName(original)
                    + " but no container mounts volume \"" + volume + "\", so the checkpoint path is unknown;"
                    + " no sidecar injected. Mount the volume in the trainer container.");
        }

        Pod pod = copyOfOriginal.get();
        SidecarPaths paths = SidecarPaths.DEFAULT;
        String checkpointDir = SidecarConfigDocument.inMount(trainer.mount().getMountPath(),
                probe.getSpec().getCheckpoints().getPath());
        RankResolution rank = RankResolver.resolve(probe.getSpec().getRank(), original, trainer.container());
        GpuPlacement gpu = GpuPlacement.decide(probe.getSpec().getSidecar(), original, trainer.container());
        SidecarResources.Sizing sizing = SidecarResources.size(probe.getSpec(), rank, settings.scratchSizeLimit());
        Container sidecar = SidecarContainerFactory.build(probe, settings, trainer, checkpointDir, rank, gpu, paths, sizing);

        if (settings.nativeSidecar()) {
            pod.getSpec().setInitContainers(append(pod.getSpec().getInitContainers(), sidecar));
        } else {
            pod.getSpec().setContainers(append(pod.getSpec().getContainers(), sidecar));
        }
        List<Volume> newVolumes = new ArrayList<>(volumes);
        newVolumes.add(scratchVolume(sizing.scratchSizeLimit()));
        newVolumes.add(projectedVolume(settings, paths));
        pod.getSpec().setVolumes(newVolumes);

        List<String> notes = gpu.note() == null ? List.of() : List.of(gpu.note());
        Map<String, String> annotations = new LinkedHashMap<>(Objects.requireNonNullElse(pod.getMetadata().getAnnotations(), Map.of()));
        annotations.put(InjectionAnnotations.INJECTED, probeName);
        annotations.put(InjectionAnnotations.STATUS, status(settings, gpu, rank, notes, sizing));
        annotations.put(InjectionAnnotations.SIDECAR_CONFIG, SidecarConfigDocument.render(probe, namespace, checkpointDir,
                trainer.mount().getMountPath(), rank, gpu, paths, settings.reportUrl()));
        if (!settings.nativeSidecar()) {
            annotations.putIfAbsent(InjectionAnnotations.DEFAULT_CONTAINER, trainer.container().getName());
        }
        pod.getMetadata().setAnnotations(annotations);
        return new InjectionResult.Injected(pod, notes);
    }

    private static Volume scratchVolume(String sizeLimit) {
        return new VolumeBuilder().withName(InjectionAnnotations.SCRATCH_VOLUME)
                .withNewEmptyDir().withSizeLimit(new Quantity(sizeLimit)).endEmptyDir().build();
    }

    private static Volume projectedVolume(InjectionSettings settings, SidecarPaths paths) {
        return new VolumeBuilder().withName(InjectionAnnotations.PROJECTED_VOLUME)
                .withNewProjected()
                .addNewSource().withNewServiceAccountToken()
                .withAudience("landscape-probe")
                .withExpirationSeconds(settings.tokenExpirationSeconds())
                .withPath(fileName(paths.tokenFile()))
                .endServiceAccountToken().endSource()
                .addNewSource().withNewDownwardAPI()
                .addNewItem().withPath(fileName(paths.configFile()))
                .withNewFieldRef().withFieldPath("metadata.annotations['" + InjectionAnnotations.SIDECAR_CONFIG + "']").endFieldRef()
                .endItem()
                .endDownwardAPI().endSource()
                .endProjected()
                .build();
    }

    private static String status(InjectionSettings settings, GpuPlacement gpu, RankResolution rank, List<String> notes,
                                 SidecarResources.Sizing sizing) {
        ObjectNode status = AdmissionHandler.JSON.createObjectNode();
        status.put("container", InjectionAnnotations.CONTAINER);
        status.put("mode", settings.nativeSidecar() ? "native-sidecar" : "container");
        status.putArray("volumes").add(InjectionAnnotations.SCRATCH_VOLUME).add(InjectionAnnotations.PROJECTED_VOLUME);
        status.put("gpu", gpu.mode());
        status.put("rank", rank.value() != null ? rank.value() : rank.valueFrom() != null ? "at-start" : "unknown");
        if (sizing.tier2() != null) {
            status.set("tier2", AdmissionHandler.JSON.valueToTree(sizing.tier2()));
        }
        if (!notes.isEmpty()) {
            notes.forEach(status.putArray("notes")::add);
        }
        try {
            return AdmissionHandler.JSON.writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the injection status", e);
        }
    }

    private static List<Container> append(List<Container> existing, Container sidecar) {
        List<Container> result = existing == null ? new ArrayList<>() : new ArrayList<>(existing);
        result.add(sidecar);
        return result;
    }

    static String podName(Pod pod) {
        if (pod.getMetadata().getName() != null && !pod.getMetadata().getName().isEmpty()) {
            return pod.getMetadata().getName();
        }
        String generate = pod.getMetadata().getGenerateName();
        return generate == null ? "(unnamed)" : generate + "*";
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
