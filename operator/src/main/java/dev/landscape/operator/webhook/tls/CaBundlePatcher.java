package dev.landscape.operator.webhook.tls;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Keeps {@code webhooks[].clientConfig.caBundle} of the operator's MutatingWebhookConfiguration equal to the CA that
 * signed the serving certificate, so that the API server trusts the webhook without cert-manager.
 *
 * <p>The change is an RFC 6902 JSON patch, not a JSON merge patch: a merge patch replaces the {@code webhooks} array
 * whole (it would have to carry every other field and could undo a concurrent edit), and the Fabric8 mock server
 * does not even replace but appends arrays on merge, so the tests could not show it right. The JSON patch sets only
 * {@code webhooks/i/clientConfig/caBundle}, guarded by {@code test} operations on the resourceVersion and on each
 * webhook's name: if the configuration changed in between, the API server rejects the patch and the next check
 * (start-up or the periodic one) retries.
 */
public final class CaBundlePatcher {

    private static final Logger LOG = Logger.getLogger(CaBundlePatcher.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;

    public CaBundlePatcher(KubernetesClient client) {
        this.client = client;
    }

    /** @return true when the configuration was patched, false when it already trusted {@code caPem} or is absent */
    public boolean ensure(String configurationName, String caPem) {
        var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(configurationName);
        MutatingWebhookConfiguration current = resource.get();
        if (current == null) {
            LOG.warnf("MutatingWebhookConfiguration %s not found; the API server cannot call the webhook until it is"
                    + " applied (kubectl apply -k deploy/webhook), and the operator then patches its caBundle", configurationName);
            return false;
        }
        String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        if (current.getWebhooks().stream().allMatch(w -> w.getClientConfig() != null && bundle.equals(w.getClientConfig().getCaBundle()))) {
            return false;
        }
        ArrayNode patch = JSON.createArrayNode();
        patch.addObject().put("op", "test").put("path", "/metadata/resourceVersion")
                .put("value", current.getMetadata().getResourceVersion());
        for (int i = 0; i < current.getWebhooks().size(); i++) {
            MutatingWebhook webhook = current.getWebhooks().get(i);
            patch.addObject().put("op", "test").put("path", "/webhooks/" + i + "/name").put("value", webhook.getName());
            if (webhook.getClientConfig() == null) {
                // Not valid for the API server, but say so rather than fail with a JSON pointer error.
                throw new IllegalStateException("MutatingWebhookConfiguration " + configurationName + " webhooks[" + i
                        + "] (" + webhook.getName() + ") has no clientConfig; fix deploy/webhook and re-apply it");
            }
            patch.addObject().put("op", "add").put("path", "/webhooks/" + i + "/clientConfig/caBundle").put("value", bundle);
        }
        resource.patch(PatchContext.of(PatchType.JSON), patch.toString());
        LOG.infof("patched the caBundle of MutatingWebhookConfiguration %s (%d webhooks)", configurationName,
                current.getWebhooks().size());
        return true;
    }
}
