package dev.landscape.operator.rank;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The trainer container and its mount of the checkpoint volume. The sidecar mounts the same volume at the same path
 * (and subPath), so that paths the trainer logs are paths the sidecar can open. The trainer is the first regular
 * container that mounts the volume, preferring a writable mount (the one that writes checkpoints).
 */
public record TrainerMount(Container container, VolumeMount mount) {

    public static Optional<TrainerMount> find(Pod pod, String volume) {
        List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        return containers.stream()
                .flatMap(c -> (c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()).stream()
                        .filter(m -> volume.equals(m.getName()))
                        .map(m -> new TrainerMount(c, m)))
                .min(Comparator.comparing((TrainerMount t) -> Boolean.TRUE.equals(t.mount().getReadOnly())));
    }
}
