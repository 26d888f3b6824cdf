package dev.landscape.operator.webhook;

import dev.landscape.operator.rank.JobSetShapes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Wires the webhook's pure parts (handler, injector) to the cluster (informer cache, version, Events) from
 * {@link WebhookConfig}. The only CDI in the webhook package besides the endpoint.
 */
@ApplicationScoped
public class WebhookBeans {

    @Produces
    @Singleton
    InformedProbeCatalog catalog(KubernetesClient client) {
        return new InformedProbeCatalog(client);
    }

    void disposeCatalog(@Disposes InformedProbeCatalog catalog) {
        catalog.close();
    }

    @Produces
    @Singleton
    KubernetesProbeEvents events(KubernetesClient client, Clock clock) {
        return new KubernetesProbeEvents(client, clock);
    }

    void disposeEvents(@Disposes KubernetesProbeEvents events) {
        events.close();
    }

    @Produces
    @Singleton
    ClusterVersion clusterVersion(KubernetesClient client, Clock clock, WebhookConfig config) {
        return new ClusterVersion(client, clock, config.versionCacheTtl());
    }

    @Produces
    @Singleton
    AdmissionHandler handler(InformedProbeCatalog catalog, KubernetesProbeEvents events, ClusterVersion version,
                             WebhookConfig config, KubernetesClient client, JobSetShapes jobSets) {
        String operatorNamespace = operatorNamespace(config, client);
        String reportUrl = config.reportUrl().orElse("https://" + config.serviceName() + "." + operatorNamespace
                + ".svc/api/v1alpha1/reports");
        return new AdmissionHandler(catalog,
                () -> new InjectionSettings(config.sidecarImage(), reportUrl, nativeSidecars(config, version),
                        config.scratchSizeLimit(), config.tokenExpirationSeconds(),
                        config.tls().mode() == WebhookConfig.TlsMode.NONE ? null : config.tls().caConfigMap()),
                dryRun -> dryRun ? ProbeEvents.NONE : events,
                operatorNamespace, jobSets);
    }

    /** Runs before Quarkus opens the HTTP port, so the first admission finds the version read and Jackson warm. */
    void start(@Observes StartupEvent start, InformedProbeCatalog catalog, ClusterVersion version, WebhookConfig config,
               AdmissionHandler handler) {
        catalog.start();
        if (config.nativeSidecar() == WebhookConfig.NativeSidecar.AUTO) {
            version.refresh();
        }
        handler.warmUp();
    }

    static String operatorNamespace(WebhookConfig config, KubernetesClient client) {
        return config.operatorNamespace().orElseGet(client::getNamespace);
    }

    private static boolean nativeSidecars(WebhookConfig config, ClusterVersion version) {
        return switch (config.nativeSidecar()) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> version.supportsNativeSidecars();
        };
    }
}
