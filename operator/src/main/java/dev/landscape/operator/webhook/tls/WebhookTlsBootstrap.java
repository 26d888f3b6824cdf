package dev.landscape.operator.webhook.tls;

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
 * Runs {@link SelfSignedTls} when {@code landscape.webhook.tls.mode=self-signed}: once before the HTTP server starts
 * (CDI's StartupEvent fires before Quarkus opens its listeners), registering the result as the TLS registry's
 * {@code webhook} configuration (the HTTPS listener names it with {@code quarkus.http.tls-configuration-name}; it
 * cannot be declared in {@code quarkus.tls.webhook.*}, which is read before this code runs, when the files do not
 * exist yet — {@code SelfSignedHttpsTest} shows both), then every {@code check-interval}, reloading it after a
 * renewal. In {@code cert-manager} mode cert-manager writes the Secret, the kubelet mounts it at the cert dir and
 * its CA injector fills the caBundle; this class only registers the files and reloads them when they change.
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

    private ScheduledExecutorService scheduler;

    void onStart(@Observes @Priority(10) StartupEvent start) {
        WebhookConfig.TlsMode mode = config.tls().mode();
        if (mode == WebhookConfig.TlsMode.NONE) {
            return;
        }
        SelfSignedTls selfSigned = mode == WebhookConfig.TlsMode.SELF_SIGNED ? selfSignedTls() : null;
        if (selfSigned != null) {
            selfSigned.reconcile();
        }
        FileTlsConfiguration files = new FileTlsConfiguration(Path.of(config.tls().certDir()));
        registry.register(TLS_CONFIGURATION, files);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "landscape-webhook-tls");
            t.setDaemon(true);
            return t;
        });
        long every = config.tls().checkInterval().toSeconds();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                if (selfSigned != null) {
                    selfSigned.reconcile();
                }
                if (files.reloadIfChanged()) {
                    certificateUpdated.fire(new CertificateUpdatedEvent(TLS_CONFIGURATION, files));
                    LOG.info("webhook serving certificate reloaded from " + config.tls().certDir());
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "webhook certificate check failed; retrying in %s", config.tls().checkInterval());
            }
        }, every, every, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    SelfSignedTls selfSignedTls() {
        String namespace = config.operatorNamespace().orElseGet(client::getNamespace);
        return new SelfSignedTls(new TlsSecretStore(client, namespace, config.tls().secretName()), new CaBundlePatcher(client),
                new SelfSignedIssuer(), new SelfSignedTls.Settings(config.serviceName(), namespace,
                config.tls().webhookConfigurationName(), Path.of(config.tls().certDir()), config.tls().caValidity(),
                config.tls().certValidity(), config.tls().renewBefore()), clock);
    }
}
