package dev.landscape.operator.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.rank.JobSetShapes;
import dev.landscape.operator.rank.RankResolution;
import dev.landscape.operator.rank.RankResolver;
import dev.landscape.operator.rank.TrainerMount;
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
                                  InjectionSettings settings, JobSetShapes jobSets) {
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
        RankResolution rank = RankResolver.resolve(probe.getSpec().getRank(), original, trainer.container(), jobSets);
        GpuPlacement gpu = GpuPlacement.decide(probe.getSpec(), original, trainer.container(), rank);
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

        List<InjectionResult.Note> notes = new ArrayList<>();
        if (gpu.note() != null) {
            notes.add(gpu.note());
        }
        long gpusBefore = PodGpus.effectiveRequest(original);
        long gpusAfter = PodGpus.effectiveRequest(pod);
        if (gpusAfter > gpusBefore) {
            notes.add(new InjectionResult.Note("GpuRequestRaised", "pod " + podName(original) + (rank.value() == null ? ""
                    : " (rank " + rank.value() + ")") + " now asks for " + gpusAfter + " " + GpuPlacement.NVIDIA_GPU
                    + " instead of " + gpusBefore + ": the landscape-probe sidecar takes a GPU of its own for tier 2"
                    + " (spec.sidecar.gpu: dedicated). It schedules only on a node with " + gpusAfter + " free GPUs;"
                    + " with gpu: shared the sidecar uses the trainer's GPU through its DRA claim instead."));
        }
        Map<String, String> annotations = new LinkedHashMap<>(Objects.requireNonNullElse(pod.getMetadata().getAnnotations(), Map.of()));
        annotations.put(InjectionAnnotations.INJECTED, probeName);
        // The one record of the pod's rank, which the observer and report ingest read (RankResolver.of).
        if (rank.value() != null) {
            annotations.put(RankResolver.RECORDED, rank.value());
        } else {
            annotations.remove(RankResolver.RECORDED);
        }
        annotations.put(InjectionAnnotations.STATUS, status(settings, gpu, gpusBefore, gpusAfter, rank, notes, sizing));
        annotations.put(InjectionAnnotations.SIDECAR_CONFIG, SidecarConfigDocument.render(probe, namespace, checkpointDir,
                trainer.mount().getMountPath(), rank, gpu, paths, settings));
        if (!settings.nativeSidecar()) {
            annotations.putIfAbsent(InjectionAnnotations.DEFAULT_CONTAINER, trainer.container().getName());
        }
        pod.getMetadata().setAnnotations(annotations);
        label(pod, probeName);
        return new InjectionResult.Injected(pod, notes);
    }

    /**
     * Labels a pod the probe selects, whether injected or skipped, so that the operator's pod informer (which watches
     * labelled pods only) sees it.
     */
    static void label(Pod pod, String probeName) {
        Map<String, String> labels = new LinkedHashMap<>(Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of()));
        labels.put(LandscapeProbe.LABEL, probeName);
        pod.getMetadata().setLabels(labels);
    }

    private static Volume scratchVolume(String sizeLimit) {
        return new VolumeBuilder().withName(InjectionAnnotations.SCRATCH_VOLUME)
                .withNewEmptyDir().withSizeLimit(new Quantity(sizeLimit)).endEmptyDir().build();
    }

    /**
     * The sidecar's token, config and, with TLS, the operator's CA bundle. The CA comes from a ConfigMap source
     * rather than the config annotation because the kubelet refreshes it in running pods when the operator publishes
     * a new CA (a pod's annotations are fixed at admission); {@code optional}, so that a pod admitted before the
     * operator published the ConfigMap in its namespace still starts (the sidecar waits for the file).
     */
    private static Volume projectedVolume(InjectionSettings settings, SidecarPaths paths) {
        var projected = new VolumeBuilder().withName(InjectionAnnotations.PROJECTED_VOLUME)
                .withNewProjected()
                .addNewSource().withNewServiceAccountToken()
                .withAudience(settings.tokenAudience())
                .withExpirationSeconds(settings.tokenExpirationSeconds())
                .withPath(fileName(paths.tokenFile()))
                .endServiceAccountToken().endSource()
                .addNewSource().withNewDownwardAPI()
                .addNewItem().withPath(fileName(paths.configFile()))
                .withNewFieldRef().withFieldPath("metadata.annotations['" + InjectionAnnotations.SIDECAR_CONFIG + "']").endFieldRef()
                .endItem()
                .endDownwardAPI().endSource();
        if (settings.caConfigMap() != null) {
            projected = projected.addNewSource().withNewConfigMap().withName(settings.caConfigMap()).withOptional(true)
                    .addNewItem().withKey(InjectionAnnotations.CA_BUNDLE_KEY).withPath(fileName(paths.caFile())).endItem()
                    .endConfigMap().endSource();
        }
        return projected.endProjected().build();
    }

    private static String status(InjectionSettings settings, GpuPlacement gpu, long gpusBefore, long gpusAfter,
                                 RankResolution rank, List<InjectionResult.Note> notes, SidecarResources.Sizing sizing) {
        ObjectNode status = AdmissionHandler.JSON.createObjectNode();
        status.put("container", LandscapeProbe.SIDECAR_CONTAINER);
        status.put("mode", settings.nativeSidecar() ? "native-sidecar" : "container");
        status.putArray("volumes").add(InjectionAnnotations.SCRATCH_VOLUME).add(InjectionAnnotations.PROJECTED_VOLUME);
        status.put("gpu", gpu.mode());
        if (gpu.reason() != null) {
            status.put("gpuReason", gpu.reason());
        }
        if (gpusAfter != gpusBefore) {
            status.putObject("gpuRequest").put("before", gpusBefore).put("after", gpusAfter);
        }
        status.put("rank", rank.value() != null ? rank.value() : rank.valueFrom() != null ? "at-start" : "unknown");
        if (sizing.tier2() != null) {
            status.set("tier2", AdmissionHandler.JSON.valueToTree(sizing.tier2()));
        }
        if (!notes.isEmpty()) {
            ArrayNode messages = status.putArray("notes");
            notes.forEach(n -> messages.add(n.message()));
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
