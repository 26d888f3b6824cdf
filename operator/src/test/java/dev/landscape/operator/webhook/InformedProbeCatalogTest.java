package dev.landscape.operator.webhook;

import dev.landscape.operator.config.WatchedNamespaces;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.testing.TestingObjects;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The webhook's probe cache covers the watched namespaces and no other, as namespaced RBAC requires. */
@EnableKubernetesMockClient(crud = true)
class InformedProbeCatalogTest {

    KubernetesClient client;

    @BeforeEach
    void start() {
        for (String ns : List.of("team-a", "team-b", "team-c")) {
            client.resource(TestingObjects.probe(ns, "probe-" + ns, "job")).create();
        }
    }

    @Test
    void listedNamespacesOnly() {
        try (InformedProbeCatalog catalog = new InformedProbeCatalog(client,
                WatchedNamespaces.of(List.of("team-a", " team-b"), "landscape-system"))) {
            catalog.start();
            await().atMost(Duration.ofSeconds(10)).until(catalog::synced);

            assertThat(catalog.probesIn("team-a")).extracting(p -> p.getMetadata().getName()).containsExactly("probe-team-a");
            assertThat(catalog.probesIn("team-b")).extracting(p -> p.getMetadata().getName()).containsExactly("probe-team-b");
            assertThat(catalog.probesIn("team-c")).isEmpty();
        }
    }

    @Test
    void everyNamespaceByDefault() {
        try (InformedProbeCatalog catalog = new InformedProbeCatalog(client, WatchedNamespaces.of(List.of("JOSDK_ALL_NAMESPACES"), "x"))) {
            catalog.start();
            await().atMost(Duration.ofSeconds(10)).until(catalog::synced);

            assertThat(catalog.probesIn("team-c")).extracting(LandscapeProbe::getMetadata).hasSize(1);
        }
    }

    @Test
    void currentNamespaceMeansTheOperatorsOwn() {
        assertThat(WatchedNamespaces.of(List.of("JOSDK_WATCH_CURRENT"), "landscape-system"))
                .isEqualTo(new WatchedNamespaces(false, java.util.Set.of("landscape-system")));
        assertThat(WatchedNamespaces.of(List.of(), "landscape-system").all()).isTrue();
    }
}
