package dev.landscape.operator.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.contract.CheckpointReport;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.testing.TestingObjects;
import dev.landscape.operator.testing.TestingTokenReviews;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** POST /api/v1alpha1/reports against the mock API server: every answer a sidecar can get. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestingTokenReviews.class)
class ReportIngestTest {

    private static final String PATH = "/api/v1alpha1/reports";
    private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

    @Inject
    KubernetesClient client;

    private final ObjectMapper json = new ObjectMapper();
    private String ns;
    private Pod pod;

    @BeforeEach
    void setUp() {
        ns = client.getNamespace();
        client.resource(TestingObjects.probe(ns, "ingest", "bert")).create();
        pod = client.resource(TestingObjects.pod(ns, "bert", 1)).create();
        client.resource(TestingObjects.pod(ns, "other-job", 0)).create();
    }

    @AfterEach
    void tearDown() {
        client.resources(ProbeReport.class).inNamespace(ns).delete();
        client.resources(LandscapeProbe.class).inNamespace(ns).delete();
        client.pods().inNamespace(ns).delete();
    }

    private String token() {
        return TestingTokenReviews.token(ns, pod.getMetadata().getName(), pod.getMetadata().getUid());
    }

    private String body(long step) throws Exception {
        return json.writeValueAsString(TestingObjects.report(ns, "ingest", "bert-1", 1, step, T.plusSeconds(step), List.of(), List.of()));
    }

    @Test
    void acceptedReportIsStoredInTheRanksProbeReport() throws Exception {
        given().header("Authorization", "Bearer " + token()).contentType(ContentType.JSON).body(body(100))
                .post(PATH).then().statusCode(200).body("status", equalTo("accepted")).body("key", equalTo("ingest/1/100"));

        ProbeReport stored = client.resources(ProbeReport.class).inNamespace(ns).withName("ingest-rank-1").get();
        assertThat(stored.getSpec().getRank()).isEqualTo(1);
        assertThat(stored.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getName()).isEqualTo("ingest"));
        assertThat(stored.getStatus().getLatestStep()).isEqualTo(100L);
        assertThat(stored.getStatus().getCheckpoints()).hasSize(1);
    }

    @Test
    void theSameReportTwiceIsStoredOnce() throws Exception {
        for (String expected : List.of("accepted", "duplicate")) {
            given().header("Authorization", "Bearer " + token()).contentType(ContentType.JSON).body(body(100))
                    .post(PATH).then().statusCode(200).body("status", equalTo(expected));
        }
        ProbeReport stored = client.resources(ProbeReport.class).inNamespace(ns).withName("ingest-rank-1").get();
        assertThat(stored.getStatus().getCheckpoints()).hasSize(1);
        assertThat(stored.getStatus().getReportsAccepted()).isEqualTo(1);
    }

    @Test
    void reportsArrivingOutOfOrderAreKeptInStepOrder() throws Exception {
        for (long step : new long[] {300, 100, 200}) {
            given().header("Authorization", "Bearer " + token()).contentType(ContentType.JSON).body(body(step)).post(PATH).then().statusCode(200);
        }
        ProbeReport stored = client.resources(ProbeReport.class).inNamespace(ns).withName("ingest-rank-1").get();
        assertThat(stored.getStatus().getCheckpoints()).extracting(c -> c.getStep()).containsExactly(100L, 200L, 300L);
        assertThat(stored.getStatus().getLatestStep()).isEqualTo(300L);
    }

    @Test
    void missingTokenIs401() throws Exception {
        given().contentType(ContentType.JSON).body(body(100)).post(PATH)
                .then().statusCode(401).header("WWW-Authenticate", "Bearer").body("status", equalTo("unauthenticated"));
    }

    @Test
    void tokenTheApiServerRejectsIs401() throws Exception {
        given().header("Authorization", "Bearer forged").contentType(ContentType.JSON).body(body(100)).post(PATH)
                .then().statusCode(401).body("message", containsString("audience landscape-probe"));
    }

    @Test
    void podNotSelectedByTheProbeIs403() throws Exception {
        Pod other = client.pods().inNamespace(ns).withName("other-job-0").get();
        String otherToken = TestingTokenReviews.token(ns, "other-job-0", other.getMetadata().getUid());
        String report = json.writeValueAsString(TestingObjects.report(ns, "ingest", "other-job-0", 0, 100, T, List.of(), List.of()));

        given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON).body(report).post(PATH)
                .then().statusCode(403).body("message", equalTo("pod other-job-0 is not selected by LandscapeProbe ingest"));
    }

    @Test
    void aReportClaimingAnotherRankIs403AndStoresNothing() throws Exception {
        String claimsRank3 = json.writeValueAsString(TestingObjects.report(ns, "ingest", "bert-1", 3, 100, T, List.of(), List.of()));

        given().header("Authorization", "Bearer " + token()).contentType(ContentType.JSON).body(claimsRank3).post(PATH)
                .then().statusCode(403).body("status", equalTo("forbidden"))
                .body("message", equalTo("report claims rank 3, but pod bert-1 holds rank 1"
                        + " (completion index batch.kubernetes.io/job-completion-index)"));
        // The reconciler may create rank 1's ProbeReport for the pod's restarts; no report's checkpoint is in any.
        assertThat(client.resources(ProbeReport.class).inNamespace(ns).withName("ingest-rank-3").get()).isNull();
        assertThat(client.resources(ProbeReport.class).inNamespace(ns).list().getItems())
                .allSatisfy(r -> assertThat(r.getStatus() == null ? List.of() : r.getStatus().getCheckpoints()).isEmpty());
    }

    @Test
    void speakingForAnotherPodIs403() throws Exception {
        Pod other = client.pods().inNamespace(ns).withName("other-job-0").get();
        String otherToken = TestingTokenReviews.token(ns, "other-job-0", other.getMetadata().getUid());

        given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON).body(body(100)).post(PATH)
                .then().statusCode(403).body("message", equalTo("token belongs to pod other-job-0, report claims pod bert-1"));
    }

    @Test
    void invalidReportIs400NamingTheFields() {
        given().header("Authorization", "Bearer " + token()).contentType(ContentType.JSON)
                .body("{\"apiVersion\":\"landscape.dev/v1alpha1\",\"probe\":\"ingest\",\"namespace\":\"" + ns + "\",\"pod\":\"bert-1\",\"rank\":-2}")
                .post(PATH).then().statusCode(400)
                .body("errors.field", hasItem("rank")).body("errors.field", hasItem("step")).body("errors.field", hasItem("tier1"));
    }

    @Test
    void malformedJsonIs400WithTheLocation() {
        given().header("Authorization", "Bearer " + token()).contentType(ContentType.JSON).body("{\"probe\": ")
                .post(PATH).then().statusCode(400).body("message", containsString("line 1"));
    }

    @Test
    void oversizedReportIs413() {
        String huge = "{\"pad\":\"" + "x".repeat(CheckpointReport.MAX_BYTES) + "\"}";
        given().header("Authorization", "Bearer " + token()).contentType(ContentType.JSON).body(huge)
                .post(PATH).then().statusCode(413).body("status", equalTo("too-large"));
    }
}
