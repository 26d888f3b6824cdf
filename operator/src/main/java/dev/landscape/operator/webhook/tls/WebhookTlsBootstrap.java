package dev.landscape.operator.webhook.tls;

import dev.landscape.operator.webhook.InformedProbeCatalog;
import dev.landscape.operator.webhook.WebhookConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the webhook's TLS when {@code landscape.webhook.tls.mode} is not {@code none}: once before the HTTP server
 * starts (CDI's StartupEvent fires before Quarkus opens its listeners), registering the served files as the TLS
 * registry's {@code webhook} configuration (the HTTPS listener names it with
 * {@code quarkus.http.tls-configuration-name}; it cannot be declared in {@code quarkus.tls.webhook.*}, which is read
 * before this code runs, when the files do not exist yet — {@code SelfSignedDeliveryOverTlsTest} shows both), then every
 * {@code check-interval}. Each pass publishes the CAs the sidecars must trust ({@link CaDistribution}) and reloads
 * the served certificate when it changed:
 * <ul>
 *   <li>{@code self-signed}: {@link SelfSignedTls} issues, renews and rotates the CA and patches the caBundle;</li>
 *   <li>{@code cert-manager}: cert-manager writes the Secret, the kubelet mounts it at the cert dir and its CA
 *       injector fills the caBundle; the operator publishes the Secret's {@code ca.crt} and serves a certificate
 *       from a CA it has not published before only {@code ca-overlap} after publishing it ({@link CertManagerFiles}).</li>
 * </ul>
 * Probes created in a new namespace get the bundle there as soon as the probe informer sees them.
 */
@ApplicationScoped
public class WebhookTlsBootstrap {

    private static final Logger LOG = Logger.getLogger(WebhookTlsBootstrap.class);
    /** Name of the Quarkus TLS registry configuration the HTTPS listener uses ({@code quarkus.tls.webhook.*}). */
    public static final String TLS_CONFIGURATION = "webhook";

    @Inject
    WebhookConfig config;
    @Inject
    KubernetesClient client;
    @Inject
    Clock clock;
    @Inject
    TlsConfigurationRegistry registry;
    @Inject
    Event<CertificateUpdatedEvent> certificateUpdated;
    @Inject
    InformedProbeCatalog catalog;

    private ScheduledExecutorService scheduler;

    void onStart(@Observes @Priority(10) StartupEvent start) {
        WebhookConfig.TlsMode mode = config.tls().mode();
        if (mode == WebhookConfig.TlsMode.NONE) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "landscape-webhook-tls");
            t.setDaemon(true);
            return t;
        });
        String namespace = config.operatorNamespace().orElseGet(client::getNamespace);
        CaDistribution distribution = new CaDistribution(new CaBundlePublisher(client, namespace, config.tls().caConfigMap()),
                catalog, clock);
        Path certDir = Path.of(config.tls().certDir());
        Runnable pass;
        FileTlsConfiguration files;
        if (mode == WebhookConfig.TlsMode.SELF_SIGNED) {
            SelfSignedTls selfSigned = selfSignedTls(namespace);
            selfSigned.reconcile(distribution::publish);
            files = new FileTlsConfiguration(certDir);
            pass = () -> {
                selfSigned.reconcile(distribution::publish);
                reloadIfChanged(files);
            };
        } else {
            CertManagerFiles certManager = new CertManagerFiles(certDir, config.tls().caOverlap(), clock);
            distribution.publish(certManager.cas());
            files = new FileTlsConfiguration(certDir);
            pass = () -> {
                distribution.publish(certManager.cas());
                if (certManager.mayServe()) {
                    reloadIfChanged(files);
                }
            };
        }
        registry.register(TLS_CONFIGURATION, files);
        catalog.onProbeAdded(ns -> scheduler.execute(() -> distribution.publishTo(ns)));
        long every = config.tls().checkInterval().toSeconds();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                pass.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "webhook certificate check failed; retrying in %s", config.tls().checkInterval());
            }
        }, every, every, TimeUnit.SECONDS);
    }

    private void reloadIfChanged(FileTlsConfiguration files) {
        if (files.reloadIfChanged()) {
            certificateUpdated.fire(new CertificateUpdatedEvent(TLS_CONFIGURATION, files));
            LOG.info("webhook serving certificate reloaded from " + config.tls().certDir());
        }
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    SelfSignedTls selfSignedTls(String namespace) {
        return new SelfSignedTls(new TlsSecretStore(client, namespace, config.tls().secretName()), new CaBundlePatcher(client),
                new SelfSignedIssuer(), new SelfSignedTls.Settings(config.serviceName(), namespace,
                config.tls().webhookConfigurationName(), Path.of(config.tls().certDir()), config.tls().caValidity(),
                config.tls().certValidity(), config.tls().renewBefore(), config.tls().caOverlap()), clock);
    }
}
