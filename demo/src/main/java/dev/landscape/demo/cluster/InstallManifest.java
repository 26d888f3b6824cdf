package dev.landscape.demo.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code kubectl kustomize deploy/} renders (committed as deploy/rendered/default.yaml, which
 * RenderedInstallTest keeps equal to kubectl's output, so the demo needs no kubectl): every object, in the order
 * kustomize writes them, and the two the demo reads back to run the operator as its Deployment says.
 */
public record InstallManifest(Path file, List<HasMetadata> objects) {

    public static InstallManifest read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<HasMetadata> objects = new ArrayList<>();
            Object parsed = Serialization.unmarshal(in);
            if (parsed instanceof List<?> list) {
                list.forEach(o -> objects.add((HasMetadata) o));
            } else if (parsed instanceof KubernetesResource) {
                objects.add((HasMetadata) parsed);
            }
            return new InstallManifest(file, List.copyOf(objects));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the rendered install " + file, e);
        }
    }

    /** The operator's Deployment (the one object that names the operator's image). */
    public Deployment operatorDeployment() {
        return objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException(file + " has no Deployment: is it the render of deploy/?"));
    }

    public Service service(String name) {
        return objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> s.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException(file + " has no Service " + name));
    }
}
