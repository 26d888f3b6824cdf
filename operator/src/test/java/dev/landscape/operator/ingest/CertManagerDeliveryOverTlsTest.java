package dev.landscape.operator.ingest;

import dev.landscape.operator.testing.StrictKubernetesServer;
import dev.landscape.operator.webhook.tls.SelfSignedIssuer;
import dev.landscape.operator.webhook.tls.TlsMaterial;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * cert-manager mode: the mounted Secret as cert-manager's CA issuer writes it (tls.crt, tls.key and the issuer's
 * ca.crt; deploy/webhook/cert-manager bootstraps such an issuer); the issuer's CA reaches the pod.
 */
@QuarkusTest
@TestProfile(CertManagerDeliveryOverTlsTest.CertManager.class)
@WithTestResource(StrictKubernetesServer.class)
class CertManagerDeliveryOverTlsTest extends SidecarDeliveryOverTls {

    static final Path SECRET = Path.of("target", "cert-manager-delivery-test", String.valueOf(ProcessHandle.current().pid()))
            .toAbsolutePath();

    public static class CertManager implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> issued = new SelfSignedIssuer().issue("landscape-operator", "landscape-system", Instant.now(),
                    Duration.ofDays(90), Duration.ofDays(30)).toPem();
            try {
                Files.createDirectories(SECRET);
                for (String key : new String[] {TlsMaterial.TLS_CRT, TlsMaterial.TLS_KEY, TlsMaterial.CA_CRT}) {
                    Files.writeString(SECRET.resolve(key), issued.get(key));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of(
                    "landscape.webhook.tls.mode", "cert-manager",
                    "landscape.webhook.tls.cert-dir", SECRET.toString(),
                    "landscape.webhook.operator-namespace", "landscape-system",
                    "quarkus.http.tls-configuration-name", "webhook",
                    "quarkus.http.test-ssl-port", "0");
        }
    }

    @Test
    void thePublishedBundleIsTheIssuersCaFromTheMountedSecret() throws IOException {
        assertThat(publishedBundle()).isEqualTo(Files.readString(SECRET.resolve(TlsMaterial.CA_CRT)));
    }
}
