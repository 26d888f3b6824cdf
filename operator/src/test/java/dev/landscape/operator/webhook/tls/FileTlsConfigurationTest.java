package dev.landscape.operator.webhook.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStoreException;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FileTlsConfigurationTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final SelfSignedIssuer issuer = new SelfSignedIssuer();

    @TempDir
    Path dir;

    @Test
    void reloadsOnlyWhenTheFilesChange() throws IOException, KeyStoreException {
        TlsMaterial first = issuer.issue("svc", "ns", NOW, Duration.ofDays(3650), Duration.ofDays(365));
        write(first);
        FileTlsConfiguration tls = new FileTlsConfiguration(dir);

        assertThat(tls.reloadIfChanged()).isFalse();
        TlsMaterial renewed = issuer.renewServing(first, "svc", "ns", NOW.plus(Duration.ofDays(340)), Duration.ofDays(365));
        write(renewed);

        assertThat(tls.reloadIfChanged()).isTrue();
        assertThat(tls.getKeyStore().getCertificate("webhook")).isEqualTo(renewed.serving());
    }

    private void write(TlsMaterial material) throws IOException {
        Files.writeString(dir.resolve(TlsMaterial.TLS_CRT), material.toPem().get(TlsMaterial.TLS_CRT));
        Files.writeString(dir.resolve(TlsMaterial.TLS_KEY), material.toPem().get(TlsMaterial.TLS_KEY));
    }
}
