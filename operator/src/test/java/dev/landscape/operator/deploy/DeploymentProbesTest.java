package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.landscape.operator.testing.TestingTokenReviews;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The startup, liveness and readiness probes that deploy/ and the chart declare answer 200 on the running operator. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestingTokenReviews.class)
class DeploymentProbesTest {

    @Test
    void everyProbePathOfTheDeploymentAnswers() throws Exception {
        JsonNode container = HelmChartTest.one(Manifests.render("deploy"), "Deployment").at("/spec/template/spec/containers/0");
        List<String> paths = List.of("startupProbe", "livenessProbe", "readinessProbe").stream()
                .map(p -> container.at("/" + p + "/httpGet/path").asText()).toList();

        assertThat(paths).doesNotContain("");
        for (String path : paths) {
            given().get(path).then().statusCode(200);
        }
    }
}
