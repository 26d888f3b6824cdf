package dev.landscape.operator.webhook;

import dev.landscape.contract.Images;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

/**
 * The one place the webhook's settings are read from ({@code landscape.webhook.*} in application.properties or
 * {@code LANDSCAPE_WEBHOOK_*} in the environment), so that the injector, the endpoint and the TLS bootstrap never
 * disagree about the operator's namespace, Service or image.
 */
@ConfigMapping(prefix = "landscape.webhook")
public interface WebhookConfig {

    /** Sidecar image used when a probe's {@code spec.sidecar.image} is empty: the one this release publishes. */
    @WithName("sidecar-image")
    @WithDefault(Images.SIDECAR)
    String sidecarImage();

    /** The operator's namespace: pods there are never injected. Default: the Kubernetes client's namespace. */
    @WithName("operator-namespace")
    Optional<String> operatorNamespace();

    /** Name of the operator's Service (webhook and report endpoint), used for the report URL and the TLS names. */
    @WithName("service-name")
    @WithDefault("landscape-operator")
    String serviceName();

    /** URL the sidecar POSTs reports to. Default: {@code https://<service>.<namespace>.svc/api/v1alpha1/reports}. */
    @WithName("report-url")
    Optional<String> reportUrl();

    /** {@code auto} (native sidecar from Kubernetes 1.29, read from the API server), {@code true} or {@code false}. */
    @WithName("native-sidecar")
    @WithDefault("auto")
    NativeSidecar nativeSidecar();

    /** Size limit of the sidecar's scratch emptyDir (report spool and javacpp cache). */
    @WithName("scratch-size-limit")
    @WithDefault("1Gi")
    String scratchSizeLimit();

    /** Lifetime of the projected service-account token the sidecar reports with (600 s is the API minimum). */
    @WithName("token-expiration-seconds")
    @WithDefault("600")
    long tokenExpirationSeconds();

    /** How long the API server version (native sidecars or not) is trusted before it is read again. */
    @WithName("version-cache-ttl")
    @WithDefault("10m")
    Duration versionCacheTtl();

    Tls tls();

    /** How the webhook's HTTPS certificate is obtained. */
    interface Tls {

        /** {@code cert-manager} (serve the mounted Secret), {@code self-signed} (operator-made CA) or {@code none}. */
        @WithDefault("cert-manager")
        TlsMode mode();

        /** Secret that holds the self-signed CA and serving certificate. */
        @WithName("secret-name")
        @WithDefault("landscape-webhook-tls")
        String secretName();

        /** MutatingWebhookConfiguration whose {@code caBundle} the operator keeps current in self-signed mode. */
        @WithName("webhook-configuration-name")
        @WithDefault("landscape-probe")
        String webhookConfigurationName();

        /** Folder the serving certificate is written to ({@code tls.crt}, {@code tls.key}); Quarkus serves from it. */
        @WithName("cert-dir")
        @WithDefault("/var/run/landscape/tls")
        String certDir();

        /** Validity of a newly issued serving certificate. */
        @WithName("cert-validity")
        @WithDefault("365d")
        Duration certValidity();

        /** Validity of a newly created CA. */
        @WithName("ca-validity")
        @WithDefault("3650d")
        Duration caValidity();

        /** Renew when less than this remains on the serving certificate or the CA. */
        @WithName("renew-before")
        @WithDefault("30d")
        Duration renewBefore();

        /** How often the running operator checks whether it must renew. */
        @WithName("check-interval")
        @WithDefault("12h")
        Duration checkInterval();

        /**
         * ConfigMap the operator publishes in every namespace with a probe, key {@code ca.crt}: the CA bundle the
         * sidecars trust for the report URL, projected into each injected pod.
         */
        @WithName("ca-config-map")
        @WithDefault("landscape-probe-ca")
        String caConfigMap();

        /**
         * How long a new CA is published (in the CA ConfigMaps and the caBundle) before the operator serves a
         * certificate it signed: time for the kubelets to refresh the running pods' bundles (about a minute) and for
         * the API server to read the new caBundle. A self-signed rotation starts this long before the old CA would
         * need replacing; in cert-manager mode a certificate from a new CA is served this long after it appeared.
         */
        @WithName("ca-overlap")
        @WithDefault("24h")
        Duration caOverlap();
    }

    enum NativeSidecar { AUTO, TRUE, FALSE }

    enum TlsMode { CERT_MANAGER, SELF_SIGNED, NONE }
}
