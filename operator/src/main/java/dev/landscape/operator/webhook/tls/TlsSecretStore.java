package dev.landscape.operator.webhook.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The webhook's CA and serving certificate in a {@code kubernetes.io/tls} Secret in the operator's namespace, shared
 * by all replicas: whichever replica writes first wins, the others read what it wrote (create and update are
 * optimistic, a 409 means "read again").
 */
public final class TlsSecretStore {

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public TlsSecretStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    /** The stored material with the Secret's resourceVersion, or empty if there is no Secret. A Secret that cannot be
     * read gives a {@link Stored} without material and with the problem, so that it can be replaced in place. */
    public Optional<Stored> read() {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, String> pem = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> pem.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.US_ASCII)));
        }
        String rv = secret.getMetadata().getResourceVersion();
        try {
            return Optional.of(new Stored(TlsMaterial.fromPem(pem, "Secret " + namespace + "/" + name), rv, null));
        } catch (IllegalArgumentException e) {
            return Optional.of(new Stored(null, rv, e.getMessage()));
        }
    }

    /**
     * Creates the Secret, or replaces it if {@code resourceVersion} is still current.
     *
     * @return false when another writer got there first (409): read again
     */
    public boolean write(TlsMaterial material, String resourceVersion) {
        Map<String, String> data = new LinkedHashMap<>();
        material.toPem().forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withResourceVersion(resourceVersion)
                .addToLabels("app.kubernetes.io/name", "landscape-operator")
                .addToLabels("app.kubernetes.io/component", "webhook-tls")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(data)
                .build();
        try {
            if (resourceVersion == null) {
                client.secrets().inNamespace(namespace).resource(secret).create();
            } else {
                client.secrets().inNamespace(namespace).resource(secret).update();
            }
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    /** @param material null when the Secret could not be read; {@code problem} then says why */
    public record Stored(TlsMaterial material, String resourceVersion, String problem) {
    }
}
