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
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One pass of the self-signed mode: make sure a valid CA and serving certificate exist in the Secret (creating or
 * renewing them when less than {@code renewBefore} remains), write the serving pair where Quarkus serves it from,
 * and make the webhook configuration and the sidecars trust the CA. Idempotent; run at start-up and then periodically.
 *
 * <p>A CA rotation takes two passes at least {@code caOverlap} apart, so that nobody is stranded: the first creates
 * the next CA and publishes it next to the current one (caBundle, and the ConfigMap the sidecars' CA files are
 * projected from) while the current CA keeps signing; once the overlap has passed, the next CA becomes current and
 * signs the served certificate. A pod admitted before the rotation has its CA file refreshed by the kubelet within
 * the overlap, and the retired CA stays published until it expires, for replicas still serving its certificate.
 */
public final class SelfSignedTls {

    private static final Logger LOG = Logger.getLogger(SelfSignedTls.class);
    private static final int ATTEMPTS = 3;

    /** What the pass needs; durations are the {@code landscape.webhook.tls.*} settings. */
    public record Settings(String service, String namespace, String webhookConfiguration, Path certDir,
                           Duration caValidity, Duration certValidity, Duration renewBefore, Duration caOverlap) {
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

    /**
     * @param publish publishes the CAs that must be trusted now (the sidecars' bundle) and returns the whole bundle
     *                published, which the caBundle then carries too
     * @return the material now in force
     */
    public TlsMaterial reconcile(Function<List<X509Certificate>, String> publish) {
        TlsMaterial material = ensureSecret();
        String bundle = publish.apply(material.trusted());
        writeFiles(material);
        patcher.ensure(settings.webhookConfiguration(), bundle);
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
            TlsMaterial next = next(current, now);
            if (next == current) {
                return current;
            }
            if (store.write(next, stored.map(TlsSecretStore.Stored::resourceVersion).orElse(null))) {
                return next;
            }
            LOG.debugf("another replica wrote the webhook TLS Secret first; reading it (attempt %d)", attempt);
        }
        throw new IllegalStateException("the webhook TLS Secret kept changing under " + ATTEMPTS + " attempts to write it");
    }

    /** The material this pass should leave in the Secret; {@code current} itself when nothing is due. */
    private TlsMaterial next(TlsMaterial current, Instant now) {
        if (current == null) {
            TlsMaterial fresh = issuer.issue(settings.service(), settings.namespace(), now, settings.caValidity(), settings.certValidity());
            LOG.infof("issued a new webhook CA and serving certificate (valid until %s)", fresh.serving().getNotAfter().toInstant());
            return fresh;
        }
        boolean caEnding = current.caNeedsRenewal(now, settings.renewBefore());
        if (current.nextCa() != null) {
            Instant published = current.nextCa().getNotBefore().toInstant().plus(SelfSignedIssuer.BACKDATE);
            if (caEnding || !now.isBefore(published.plus(settings.caOverlap()))) {
                TlsMaterial promoted = issuer.renewServing(new TlsMaterial(current.nextCa(), current.nextCaKey(),
                        current.nextCa(), current.nextCaKey()), settings.service(), settings.namespace(), now, settings.certValidity());
                LOG.infof("CA rotation: the next webhook CA (published since %s) now signs the serving certificate", published);
                return promoted;
            }
        } else if (current.caNeedsRenewal(now, settings.renewBefore().plus(settings.certValidity()).plus(settings.caOverlap()))) {
            if (caEnding) {
                // No time left for an overlap (the operator was not running when it should have started one).
                TlsMaterial fresh = issuer.issue(settings.service(), settings.namespace(), now, settings.caValidity(), settings.certValidity());
                LOG.warnf("the webhook CA expires at %s, too soon for an overlap of %s: replaced at once; sidecars pick"
                        + " up the new CA when the kubelet refreshes their CA file", current.ca().getNotAfter().toInstant(),
                        settings.caOverlap());
                return fresh;
            }
            TlsMaterial nextCa = issuer.issueCa(settings.service(), settings.namespace(), now, settings.caValidity());
            LOG.infof("CA rotation: published a next webhook CA; it signs the serving certificate from %s",
                    now.plus(settings.caOverlap()));
            TlsMaterial rotating = new TlsMaterial(current.ca(), current.caKey(), current.serving(), current.servingKey(),
                    nextCa.ca(), nextCa.caKey());
            return rotating.needsRenewal(now, settings.renewBefore()) ? renewServing(rotating, now) : rotating;
        }
        return current.needsRenewal(now, settings.renewBefore()) ? renewServing(current, now) : current;
    }

    private TlsMaterial renewServing(TlsMaterial current, Instant now) {
        TlsMaterial renewed = issuer.renewServing(current, settings.service(), settings.namespace(), now, settings.certValidity());
        LOG.infof("renewed the webhook serving certificate (valid until %s)", renewed.serving().getNotAfter().toInstant());
        return renewed;
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
