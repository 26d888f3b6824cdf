package dev.landscape.operator.e2e;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.RepositoryPaths;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.FileInputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Against a real cluster where {@code kubectl apply -k deploy/} has installed the operator (kind, k3d or managed):
 * {@code ./mvnw -B -pl operator -am verify -Pe2e}. Uses the current kube context. Not run by the default build:
 * no API server can run on this project's CI machines, where the same behaviours are tested on the mock server.
 */
class OperatorE2E {

    static final String NS = "landscape-e2e";
    static KubernetesClient client;

    @BeforeAll
    static void connect() throws Exception {
        client = new KubernetesClientBuilder().build();
        for (String crd : new String[] {"landscapeprobes.landscape.dev-v1.yml", "probereports.landscape.dev-v1.yml"}) {
            try (FileInputStream in = new FileInputStream(RepositoryPaths.root().resolve("crds").resolve(crd).toFile())) {
                client.load(in).serverSideApply();
            }
        }
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).serverSideApply();
    }

    @AfterAll
    static void cleanUp() {
        if (client != null) {
            client.namespaces().withName(NS).delete();
            client.close();
        }
    }

    @Test
    void aSampleProbeBecomesReadyAndATrainingPodGetsTheSidecar() throws Exception {
        LandscapeProbe probe;
        try (FileInputStream in = new FileInputStream(RepositoryPaths.root().resolve("deploy/samples/minimal-probe.yaml").toFile())) {
            probe = client.getKubernetesSerialization().unmarshal(in, LandscapeProbe.class);
        }
        probe.getMetadata().setNamespace(NS);
        client.resource(probe).create();

        Condition ready = await().atMost(Duration.ofMinutes(2)).until(() -> Optional.ofNullable(
                        client.resources(LandscapeProbe.class).inNamespace(NS).withName("minimal").get())
                .map(LandscapeProbe::getStatus)
                .flatMap(s -> s.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst())
                .orElse(null), c -> c != null);
        assertThat(ready.getReason()).as("accepted, with no pod selected yet").isEqualTo("NoPodsSelected");

        Pod pod = client.resource(new PodBuilder().withNewMetadata().withName("trainer-0").withNamespace(NS)
                .addToLabels("app", "trainer").addToLabels("batch.kubernetes.io/job-completion-index", "0").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("trainer").withImage("busybox:1.36").withCommand("sleep", "60")
                .addNewVolumeMount().withName("checkpoints").withMountPath("/ckpt").endVolumeMount().endContainer()
                .addNewVolume().withName("checkpoints").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().build()).create();

        assertThat(Stream.concat(pod.getSpec().getInitContainers().stream(), pod.getSpec().getContainers().stream()))
                .as("the webhook injected the sidecar").anyMatch(c -> c.getName().equals("landscape-probe"));
        assertThat(pod.getMetadata().getLabels()).containsEntry(LandscapeProbe.LABEL, "minimal");
        await().atMost(Duration.ofMinutes(2)).until(() -> client.resources(LandscapeProbe.class).inNamespace(NS).withName("minimal").get()
                .getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")));
    }
}
