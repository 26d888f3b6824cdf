package dev.landscape.operator.webhook;

import dev.landscape.operator.testing.StrictKubernetesServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.store.EventWriter;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.zjsonpatch.JsonPatch;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.common.WithTestResource;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;

/** {@code POST /mutate} over HTTP against the running app, with probes and Events in the Fabric8 mock server. */
@QuarkusTest
@WithTestResource(StrictKubernetesServer.class)
class MutatingWebhookResourceTest {

    static final String NS = "ml-team";

    @Inject
    KubernetesClient client;
    @Inject
    InformedProbeCatalog catalog;
    @Inject
    ClusterVersion clusterVersion;

    private List<JsonNode> docs;

    @BeforeEach
    void probeInTheCluster() {
        docs = AdmissionReviews.documents(InjectionGoldenTest.GOLDEN + "pytorchjob-worker.yaml");
        AdmissionReviews.createProbe(client, catalog, docs, NS);
    }

    @AfterEach
    void cleanUp() {
        client.resources(LandscapeProbe.class).inNamespace(NS).delete();
        await().atMost(Duration.ofSeconds(20)).until(() -> catalog.probesIn(NS).isEmpty());
    }

    @Test
    void podCreateIsAnsweredWithAPatchThatInjectsTheSidecar() {
        JsonNode pod = AdmissionReviews.pod(docs);

        AdmissionReview answer = given().contentType(ContentType.JSON).body(AdmissionReviews.podCreate("http-1", NS, pod))
                .when().post("/mutate")
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("apiVersion", equalTo("admission.k8s.io/v1"))
                .body("kind", equalTo("AdmissionReview"))
                .body("response.uid", equalTo("http-1"))
                .body("response.allowed", equalTo(true))
                .body("response.patchType", equalTo("JSONPatch"))
                .extract().as(AdmissionReview.class);

        JsonNode injected = JsonPatch.apply(AdmissionReviews.patch(answer), pod);
        String list = clusterVersion.supportsNativeSidecars() ? "initContainers" : "containers";
        assertThat(injected.at("/spec/" + list).findValuesAsText("name")).contains("landscape-probe");
        assertThat(injected.at("/metadata/annotations").path(InjectionAnnotations.INJECTED).asText()).isEqualTo("bert-finetune");
        assertThat(injected.toString()).contains("https://landscape-operator." + client.getNamespace() + ".svc/api/v1alpha1/reports");
    }

    @Test
    void badJsonIsAllowedWithAWarningNotAnError() {
        given().contentType(ContentType.JSON).body("{not json")
                .when().post("/mutate")
                .then().statusCode(200)
                .body("response.allowed", equalTo(true))
                .body("response.patch", nullValue())
                .body("response.warnings[0]", containsString("not valid JSON at line 1"));
    }

    @Test
    void nonPodReviewIsAllowedWithAWarning() {
        ObjectNode review = (ObjectNode) read(AdmissionReviews.podCreate("http-2", NS, AdmissionReviews.pod(docs)));
        ((ObjectNode) review.get("request").get("kind")).put("kind", "ConfigMap");

        given().contentType(ContentType.JSON).body(review.toString())
                .when().post("/mutate")
                .then().statusCode(200)
                .body("response.uid", equalTo("http-2"))
                .body("response.allowed", equalTo(true))
                .body("response.warnings", hasItem(containsString("core/v1 ConfigMap")));
    }

    @Test
    void skippedPodLeavesAnEventOnTheProbe() {
        ObjectNode pod = (ObjectNode) AdmissionReviews.pod(docs).deepCopy();
        ((ObjectNode) pod.get("spec")).remove("volumes");
        ((ObjectNode) pod.get("metadata")).put("name", "bert-finetune-worker-9");

        given().contentType(ContentType.JSON).body(AdmissionReviews.podCreate("http-3", NS, pod))
                .when().post("/mutate")
                .then().statusCode(200)
                .body("response.allowed", equalTo(true))
                .body("response.patchType", equalTo("JSONPatch"));

        Event event = await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace(NS).list().getItems()
                .stream().filter(e -> e.getMessage().contains("bert-finetune-worker-9")).findFirst().orElse(null), e -> e != null);
        assertThat(event.getReason()).isEqualTo("InjectionSkipped");
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("LandscapeProbe");
        assertThat(event.getInvolvedObject().getName()).isEqualTo("bert-finetune");
        assertThat(event.getReportingComponent()).as("one component for every Event the operator writes")
                .isEqualTo(EventWriter.COMPONENT);
    }

    private static JsonNode read(byte[] bytes) {
        try {
            return AdmissionReviews.JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
