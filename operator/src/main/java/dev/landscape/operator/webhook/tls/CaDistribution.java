package dev.landscape.operator.webhook.tls;

import dev.landscape.operator.webhook.InformedProbeCatalog;
import org.jboss.logging.Logger;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

/**
 * Keeps the CA bundle published in every probe namespace ({@link CaBundlePublisher}) as the CAs change and as
 * probes appear in new namespaces. A failure to publish (missing RBAC, API server unavailable) is logged and
 * retried at the next pass; it never stops the webhook from serving.
 */
final class CaDistribution {

    private static final Logger LOG = Logger.getLogger(CaDistribution.class);

    private final CaBundlePublisher publisher;
    private final InformedProbeCatalog catalog;
    private final Clock clock;
    private volatile String bundle;

    CaDistribution(CaBundlePublisher publisher, InformedProbeCatalog catalog, Clock clock) {
        this.publisher = publisher;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * Records {@code required} in the bundle and publishes it in every probe namespace.
     *
     * @return the bundle recorded, or the PEM of {@code required} alone when it could not be recorded
     */
    synchronized String publish(List<X509Certificate> required) {
        try {
            bundle = publisher.record(required, clock.instant());
        } catch (RuntimeException e) {
            LOG.errorf("cannot record the operator's CA bundle (%s); sidecars keep the bundle they have, retrying at the"
                    + " next check (RBAC: the operator needs get, create and update on configmaps)", e.getMessage());
            StringBuilder pem = new StringBuilder();
            required.forEach(c -> pem.append(Pem.certificate(c)));
            return pem.toString();
        }
        catalog.namespaces().forEach(this::publishTo);
        return bundle;
    }

    /** Publishes the recorded bundle in {@code namespace} (a probe appeared there); a no-op before the first record. */
    synchronized void publishTo(String namespace) {
        if (bundle == null) {
            return;
        }
        try {
            publisher.publish(namespace, bundle);
        } catch (RuntimeException e) {
            LOG.errorf("cannot publish the operator's CA bundle in namespace %s (%s); its sidecars cannot verify the"
                    + " operator until it is, retrying at the next check", namespace, e.getMessage());
        }
    }
}
