package dev.landscape.operator.ingest;

import dev.landscape.operator.testing.TestingTokenReviews;
import io.fabric8.kubernetes.api.model.Secret;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Self-signed mode (deploy/'s default): the operator's own CA, from its Secret, reaches the pod and is all it trusts. */
@QuarkusTest
@TestProfile(SelfSignedDeliveryOverTlsTest.SelfSigned.class)
@WithKubernetesTestServer(crud = true, setup = TestingTokenReviews.class)
class SelfSignedDeliveryOverTlsTest extends SidecarDeliveryOverTls {

    public static class SelfSigned implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path certDir = Path.of("target", "self-signed-delivery-test", String.valueOf(ProcessHandle.current().pid()));
            return Map.of(
                    "landscape.webhook.tls.mode", "self-signed",
                    "landscape.webhook.tls.cert-dir", certDir.toAbsolutePath().toString(),
                    "landscape.webhook.operator-namespace", "landscape-system",
                    "quarkus.http.tls-configuration-name", "webhook",
                    "quarkus.http.test-ssl-port", "0");
        }
    }

    @Test
    void thePublishedBundleIsTheCaInTheOperatorsSecret() {
        Secret secret = client.secrets().inNamespace("landscape-system").withName("landscape-webhook-tls").get();

        assertThat(publishedBundle()).isEqualTo(new String(Base64.getDecoder().decode(secret.getData().get("ca.crt")),
                StandardCharsets.US_ASCII));
    }
}
