package dev.landscape.operator.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * The Fabric8 mock API server (CRUD) in a process of its own, so that the benchmark's heap figure is the operator's,
 * not the API server's store of 50,000 pods. Loaded with {@code args[1]} running pods that no probe selects, spread
 * over 50 namespaces, it writes its URL to {@code args[0]} and serves until killed. Bench only.
 */
public final class StandaloneApiServer {

    static final int NAMESPACES = 50;
    /** Held: java.util.logging keeps loggers weakly, and would forget the level. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private StandaloneApiServer() {
    }

    public static void main(String[] args) throws Exception {
        Path urlFile = Path.of(args[0]);
        int unrelated = Integer.parseInt(args[1]);
        QUIET.setLevel(java.util.logging.Level.WARNING);
        KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), store, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        long began = System.nanoTime();
        try (KubernetesClient client = server.createClient()) {
            for (int n = 0; n < NAMESPACES; n++) {
                client.resource(new NamespaceBuilder().withNewMetadata().withName("other-" + n).endMetadata().build()).create();
            }
            // Into the store the way its create handler stores them, minus its scan for an existing object of the
            // same name (which makes 50,000 creates take hours; over HTTP longer still). Names are unique here.
            String created = "2026-12-01T00:00:00Z";
            for (int i = 0; i < unrelated; i++) {
                Pod pod = unrelatedPod("other-" + (i % NAMESPACES), i);
                pod.getMetadata().setUid(java.util.UUID.nameUUIDFromBytes(("web-" + i).getBytes()).toString());
                pod.getMetadata().setResourceVersion(Long.toString(store.requestResourceVersion()));
                pod.getMetadata().setCreationTimestamp(created);
                String json = Serialization.asJson(pod);
                String path = "/api/v1/namespaces/" + pod.getMetadata().getNamespace() + "/pods";
                AttributeSet key = store.getKey(path).add(new Attribute(KubernetesAttributesExtractor.NAME, pod.getMetadata().getName()));
                store.processEvent(path, key, null, Serialization.unmarshal(json, GenericKubernetesResource.class), json);
            }
        }
        System.out.printf("standalone API server: %d unrelated pods in %.0f s%n", unrelated, (System.nanoTime() - began) / 1e9);
        Files.writeString(urlFile, server.url("/").replaceFirst("/$", ""));
        Thread.currentThread().join();
    }

    /** A web-service pod like the many a training cluster also runs: labels no probe selects, no sidecar. */
    static Pod unrelatedPod(String namespace, int i) {
        return new PodBuilder()
                .withNewMetadata().withName("web-" + i).withNamespace(namespace)
                .addToLabels("app", "web").addToLabels("pod-template-hash", Integer.toHexString(i * 7919))
                .addToAnnotations("prometheus.io/scrape", "true")
                .endMetadata()
                .withNewSpec().withNodeName("node-" + (i % 500)).addNewContainer().withName("web").withImage("nginx:1.27")
                .addNewPort().withContainerPort(8080).endPort()
                .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
                .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("128Mi")).endResources()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.0." + (i / 250 % 256) + "." + (i % 250))
                .addNewContainerStatus().withName("web").withReady(true).withRestartCount(0)
                .withNewState().withNewRunning().withStartedAt("2026-12-01T00:00:00Z").endRunning().endState().endContainerStatus()
                .endStatus().build();
    }
}
