package dev.landscape.operator.webhook;

import dev.landscape.operator.testing.SelfSignedTlsProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Tag;

/**
 * {@link WebhookLatencyBench} over HTTPS, as the API server calls the webhook: the operator in self-signed mode
 * (its own CA and serving certificate, the CA read back from its Secret by the load generator). Run with
 * {@code ./mvnw -B -pl operator -am test -Pbench -Dtest=WebhookTlsLatencyBench}; the same {@code bench.*} settings.
 */
@Tag("bench")
@QuarkusTest
@TestProfile(SelfSignedTlsProfile.class)
@WithKubernetesTestServer(crud = true)
class WebhookTlsLatencyBench extends WebhookLatencyBench {
}
