package dev.landscape.operator.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.nio.file.Path;
import java.util.Map;

/**
 * The operator as {@code deploy/} runs it: self-signed TLS mode in namespace {@code landscape-system}, with no
 * certificate on disk at boot, serving HTTPS on a free port with the TLS configuration it registers at start-up.
 */
public class SelfSignedTlsProfile implements QuarkusTestProfile {

    public static final String OPERATOR_NAMESPACE = "landscape-system";

    @Override
    public Map<String, String> getConfigOverrides() {
        Path certDir = Path.of("target", "self-signed-tls", String.valueOf(ProcessHandle.current().pid()));
        return Map.of(
                "landscape.webhook.tls.mode", "self-signed",
                "landscape.webhook.tls.cert-dir", certDir.toAbsolutePath().toString(),
                "landscape.webhook.operator-namespace", OPERATOR_NAMESPACE,
                "quarkus.http.tls-configuration-name", "webhook",
                "quarkus.http.test-ssl-port", "0");
    }
}
