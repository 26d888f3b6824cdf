package dev.landscape.operator.webhook.tls;

import dev.landscape.operator.webhook.InjectionAnnotations;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Publishes the operator's CA bundle as a ConfigMap (key {@value InjectionAnnotations#CA_BUNDLE_KEY}) in every
 * namespace that has a LandscapeProbe, where the injected sidecars get it through a projected volume — the way
 * Kubernetes publishes {@code kube-root-ca.crt} and Istio {@code istio-ca-root-cert}. A ConfigMap, not the pod's
 * config annotation, because the kubelet refreshes a projected ConfigMap in running pods: a CA rotation reaches pods
 * admitted before it.
 *
 * <p>The copy in the operator's own namespace is the record of what was published: each pass merges the CAs that
 * must be trusted now into it ({@link TrustBundle}) and copies the result to the probe namespaces. Both replicas
 * run this; the writes are idempotent and optimistic (a 409 means another replica wrote first: read again).
 * Certificates are public: nothing secret leaves the operator's namespace.
 */
public final class CaBundlePublisher {

    private static final Logger LOG = Logger.getLogger(CaBundlePublisher.class);
    private static final int ATTEMPTS = 3;

    private final KubernetesClient client;
    private final String operatorNamespace;
    private final String name;

    public CaBundlePublisher(KubernetesClient client, String operatorNamespace, String name) {
        this.client = client;
        this.operatorNamespace = operatorNamespace;
        this.name = name;
    }

    /** Merges {@code required} into the bundle recorded in the operator's namespace; @return the bundle now recorded. */
    public String record(List<X509Certificate> required, Instant now) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            ConfigMap current = read(operatorNamespace);
            String bundle = TrustBundle.merge(required, bundleOf(current), now);
            if (bundle.equals(bundleOf(current)) || write(operatorNamespace, current, bundle)) {
                return bundle;
            }
        }
        throw new IllegalStateException("ConfigMap " + operatorNamespace + "/" + name + " kept changing under "
                + ATTEMPTS + " attempts to write the CA bundle");
    }

    /** Makes the namespace's ConfigMap hold {@code bundle}; @return whether it had to be written. */
    public boolean publish(String namespace, String bundle) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            ConfigMap current = read(namespace);
            if (bundle.equals(bundleOf(current))) {
                return false;
            }
            if (write(namespace, current, bundle)) {
                LOG.infof("published the operator's CA bundle in ConfigMap %s/%s", namespace, name);
                return true;
            }
        }
        throw new IllegalStateException("ConfigMap " + namespace + "/" + name + " kept changing under " + ATTEMPTS
                + " attempts to write the CA bundle");
    }

    private ConfigMap read(String namespace) {
        return client.configMaps().inNamespace(namespace).withName(name).get();
    }

    private static String bundleOf(ConfigMap map) {
        return map == null || map.getData() == null ? "" : map.getData().getOrDefault(InjectionAnnotations.CA_BUNDLE_KEY, "");
    }

    /** @return false when another writer got there first */
    private boolean write(String namespace, ConfigMap current, String bundle) {
        ConfigMap desired = new ConfigMapBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .withResourceVersion(current == null ? null : current.getMetadata().getResourceVersion())
                .addToLabels("app.kubernetes.io/name", "landscape-operator")
                .addToLabels("app.kubernetes.io/component", "probe-ca")
                .endMetadata()
                .withData(Map.of(InjectionAnnotations.CA_BUNDLE_KEY, bundle))
                .build();
        try {
            if (current == null) {
                client.configMaps().inNamespace(namespace).resource(desired).create();
            } else {
                client.configMaps().inNamespace(namespace).resource(desired).update();
            }
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }
}
