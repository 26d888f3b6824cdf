package dev.landscape.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.operator.config.IngestConfig;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.rank.RankResolver;
import dev.landscape.operator.testing.StrictKubernetesServer;
import dev.landscape.operator.testing.TestingObjects;
import dev.landscape.operator.testing.TestingTokenReviews;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.zjsonpatch.JsonPatch;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * One setting, {@code landscape.ingest.audience}, decides both ends of report authentication: the audience of the
 * token the webhook asks the kubelet for in each injected pod, and the audience ingest reviews tokens for. With a
 * non-default value, a pod injected by this operator still gets its reports accepted (a copy of the audience in
 * the injector would leave every report answered 401).
 */
@QuarkusTest
@TestProfile(ConfiguredAudienceTest.OtherAudience.class)
@WithTestResource(StrictKubernetesServer.class)
class ConfiguredAudienceTest {

    static final String AUDIENCE = "training-reports.example.com";
    static final String NS = MutatingWebhookResourceTest.NS;

    public static class OtherAudience implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("landscape.ingest.audience", AUDIENCE);
        }
    }

    @Inject
    KubernetesClient client;
    @Inject
    InformedProbeCatalog catalog;

    @AfterEach
    void cleanUp() {
        client.resources(ProbeReport.class).inNamespace(NS).delete();
        client.resources(LandscapeProbe.class).inNamespace(NS).delete();
        client.pods().inNamespace(NS).delete();
    }

    @Test
    void theInjectedTokenCarriesTheConfiguredAudienceAndIngestAcceptsIt() throws Exception {
        List<JsonNode> docs = AdmissionReviews.documents(InjectionGoldenTest.GOLDEN + "pytorchjob-worker.yaml");
        LandscapeProbe probe = AdmissionReviews.createProbe(client, catalog, docs, NS);
        JsonNode input = AdmissionReviews.pod(docs);

        AdmissionReview answer = given().contentType(ContentType.JSON).body(AdmissionReviews.podCreate("aud-1", NS, input))
                .when().post("/mutate").then().statusCode(200).extract().as(AdmissionReview.class);
        Pod injected = client.resource(AdmissionReviews.JSON.treeToValue(JsonPatch.apply(AdmissionReviews.patch(answer), input), Pod.class))
                .inNamespace(NS).create();

        String audience = injected.getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(InjectionAnnotations.PROJECTED_VOLUME)).findFirst().orElseThrow()
                .getProjected().getSources().stream().filter(s -> s.getServiceAccountToken() != null).findFirst().orElseThrow()
                .getServiceAccountToken().getAudience();
        assertThat(audience).isEqualTo(AUDIENCE);

        String name = injected.getMetadata().getName();
        String uid = injected.getMetadata().getUid();
        int rank = Integer.parseInt(injected.getMetadata().getAnnotations().get(RankResolver.RECORDED));
        String report = new ObjectMapper().writeValueAsString(TestingObjects.report(NS, probe.getMetadata().getName(), name, rank,
                100, Instant.parse("2026-11-22T10:00:00Z"), List.of(), List.of()));
        given().header("Authorization", "Bearer " + TestingTokenReviews.token(NS, name, uid, audience))
                .contentType(ContentType.JSON).body(report).post("/api/v1alpha1/reports")
                .then().statusCode(200).body("status", equalTo("accepted"));
        given().header("Authorization", "Bearer " + TestingTokenReviews.token(NS, name, uid, IngestConfig.DEFAULT_AUDIENCE))
                .contentType(ContentType.JSON).body(report).post("/api/v1alpha1/reports")
                .then().statusCode(401);
    }
}
