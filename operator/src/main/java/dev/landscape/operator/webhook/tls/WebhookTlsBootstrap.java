package dev.landscape.operator.webhook.tls;

import dev.landscape.operator.webhook.WebhookConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link SelfSignedTls} when {@code landscape.webhook.tls.mode=self-signed}: once before the HTTP server starts
 * (CDI's StartupEvent fires before Quarkus opens its listeners, so the first handshake already has a certificate),
 * then every {@code check-interval}, asking the TLS registry to reload the {@code webhook} configuration after a
 * renewal. In {@code cert-manager} mode there is nothing to do: cert-manager writes the Secret, the kubelet mounts
 * it, CA injector fills the caBundle and the TLS registry's reload-period picks up renewals.
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
        if (config.tls().mode() != WebhookConfig.TlsMode.SELF_SIGNED) {
            return;
        }
        SelfSignedTls tls = selfSignedTls();
        TlsMaterial first = tls.reconcile();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "landscape-webhook-tls");
            t.setDaemon(true);
            return t;
        });
        long every = config.tls().checkInterval().toSeconds();
        scheduler.scheduleWithFixedDelay(new Runnable() {
            private TlsMaterial inForce = first;

            @Override
            public void run() {
                try {
                    TlsMaterial now = tls.reconcile();
                    if (!now.serving().equals(inForce.serving())) {
                        inForce = now;
                        reload();
                    }
                } catch (RuntimeException e) {
                    LOG.errorf(e, "webhook certificate check failed; retrying in %s", config.tls().checkInterval());
                }
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

    private void reload() {
        Optional<TlsConfiguration> tls = registry.get(TLS_CONFIGURATION);
        if (tls.isPresent() && tls.get().reload()) {
            certificateUpdated.fire(new CertificateUpdatedEvent(TLS_CONFIGURATION, tls.get()));
            LOG.info("webhook serving certificate reloaded");
        } else {
            LOG.warnf("no TLS configuration %s to reload (quarkus.tls.%s.*); the new certificate is served after a restart",
                    TLS_CONFIGURATION, TLS_CONFIGURATION);
        }
    }
}
