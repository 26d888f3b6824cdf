package dev.landscape.operator.webhook.tls;

import io.quarkus.tls.BaseTlsConfiguration;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * The webhook's TLS configuration, registered with Quarkus's TLS registry at start-up rather than declared in
 * {@code quarkus.tls.webhook.*}: the registry reads declared files before any application code runs, when a
 * self-signed certificate cannot exist yet. Reads {@code tls.crt} / {@code tls.key} from the cert dir each time it is
 * (re)loaded, so a renewal is served after {@link #reload()}.
 */
final class FileTlsConfiguration extends BaseTlsConfiguration {

    private final Path certDir;
    private volatile byte[] cert;
    private volatile byte[] key;

    FileTlsConfiguration(Path certDir) {
        this.certDir = certDir;
        load();
    }

    private void load() {
        try {
            cert = Files.readAllBytes(certDir.resolve(TlsMaterial.TLS_CRT));
            key = Files.readAllBytes(certDir.resolve(TlsMaterial.TLS_KEY));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the webhook certificate from " + certDir, e);
        }
    }

    @Override
    public KeyCertOptions getKeyStoreOptions() {
        return new PemKeyCertOptions().addCertValue(Buffer.buffer(cert)).addKeyValue(Buffer.buffer(key));
    }

    @Override
    public KeyStore getKeyStore() {
        String certPem = new String(cert, java.nio.charset.StandardCharsets.US_ASCII);
        X509Certificate certificate = Pem.certificates(certPem, certDir + "/" + TlsMaterial.TLS_CRT).get(0);
        PrivateKey privateKey = Pem.privateKey(new String(key, java.nio.charset.StandardCharsets.US_ASCII),
                certificate.getPublicKey().getAlgorithm(), certDir + "/" + TlsMaterial.TLS_KEY);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("webhook", privateKey, new char[0], new X509Certificate[] {certificate});
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a key store from " + certDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SSLOptions getSSLOptions() {
        SSLOptions options = new SSLOptions();
        options.setKeyCertOptions(getKeyStoreOptions());
        return options;
    }

    @Override
    public boolean reload() {
        load();
        return true;
    }

    /** Reloads when the files on disk differ from those in use (a renewal by this operator or by cert-manager). */
    boolean reloadIfChanged() {
        try {
            if (java.util.Arrays.equals(cert, Files.readAllBytes(certDir.resolve(TlsMaterial.TLS_CRT)))
                    && java.util.Arrays.equals(key, Files.readAllBytes(certDir.resolve(TlsMaterial.TLS_KEY)))) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the webhook certificate from " + certDir, e);
        }
        return reload();
    }
}
