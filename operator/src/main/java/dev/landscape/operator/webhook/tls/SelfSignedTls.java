package dev.landscape.operator.webhook.tls;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One pass of the self-signed mode: make sure a valid CA and serving certificate exist in the Secret (creating or
 * renewing them when less than {@code renewBefore} remains), write the serving pair where Quarkus serves it from,
 * and make the webhook configuration trust the CA. Idempotent; run at start-up and then periodically.
 */
public final class SelfSignedTls {

    private static final Logger LOG = Logger.getLogger(SelfSignedTls.class);
    private static final int ATTEMPTS = 3;

    /** What the pass needs; durations are the {@code landscape.webhook.tls.*} settings. */
    public record Settings(String service, String namespace, String webhookConfiguration, Path certDir,
                           Duration caValidity, Duration certValidity, Duration renewBefore) {
    }

    private final TlsSecretStore store;
    private final CaBundlePatcher patcher;
    private final SelfSignedIssuer issuer;
    private final Settings settings;
    private final Clock clock;

    public SelfSignedTls(TlsSecretStore store, CaBundlePatcher patcher, SelfSignedIssuer issuer, Settings settings, Clock clock) {
        this.store = store;
        this.patcher = patcher;
        this.issuer = issuer;
        this.settings = settings;
        this.clock = clock;
    }

    /** @return the material now in force */
    public TlsMaterial reconcile() {
        TlsMaterial material = ensureSecret();
        writeFiles(material);
        patcher.ensure(settings.webhookConfiguration(), Pem.certificate(material.ca()));
        return material;
    }

    private TlsMaterial ensureSecret() {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            Optional<TlsSecretStore.Stored> stored = store.read();
            TlsMaterial current = stored.map(TlsSecretStore.Stored::material).orElse(null);
            if (stored.isPresent() && current == null) {
                // A Secret we cannot read is replaced, not served: say what was wrong with it.
                LOG.warnf("%s; replacing it with a new CA and certificate", stored.get().problem());
            }
            if (current != null && !current.needsRenewal(now, settings.renewBefore())) {
                return current;
            }
            TlsMaterial next;
            // A new CA when the old one would expire before a serving certificate issued now.
            if (current == null || current.caNeedsRenewal(now, settings.renewBefore().plus(settings.certValidity()))) {
                next = issuer.issue(settings.service(), settings.namespace(), now, settings.caValidity(), settings.certValidity());
                LOG.infof("issued a new webhook CA and serving certificate (valid until %s)", next.serving().getNotAfter().toInstant());
            } else {
                next = issuer.renewServing(current, settings.service(), settings.namespace(), now, settings.certValidity());
                LOG.infof("renewed the webhook serving certificate (valid until %s)", next.serving().getNotAfter().toInstant());
            }
            if (store.write(next, stored.map(TlsSecretStore.Stored::resourceVersion).orElse(null))) {
                return next;
            }
            LOG.debugf("another replica wrote the webhook TLS Secret first; reading it (attempt %d)", attempt);
        }
        throw new IllegalStateException("the webhook TLS Secret kept changing under " + ATTEMPTS + " attempts to write it");
    }

    private void writeFiles(TlsMaterial material) {
        try {
            Files.createDirectories(settings.certDir());
            var pem = material.toPem();
            atomicWrite(settings.certDir().resolve(TlsMaterial.TLS_CRT), pem.get(TlsMaterial.TLS_CRT));
            atomicWrite(settings.certDir().resolve(TlsMaterial.TLS_KEY), pem.get(TlsMaterial.TLS_KEY));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the webhook certificate to " + settings.certDir()
                    + " (landscape.webhook.tls.cert-dir; mount a writable emptyDir there)", e);
        }
    }

    private static void atomicWrite(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
