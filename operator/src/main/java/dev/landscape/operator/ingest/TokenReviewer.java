package dev.landscape.operator.ingest;

import dev.landscape.operator.config.IngestConfig;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Asks the API server who sent a report: a TokenReview of the bearer token for the {@code landscape-probe}
 * audience, accepted only when the answer names that audience. A projected service-account token is bound to its
 * pod, so the review names the pod (name and UID)
 * and its namespace — the identity that authorisation then checks against the probe's selector.
 */
@ApplicationScoped
public class TokenReviewer {

    static final String POD_NAME = "authentication.kubernetes.io/pod-name";
    static final String POD_UID = "authentication.kubernetes.io/pod-uid";
    static final String SA_PREFIX = "system:serviceaccount:";

    /** Who the token belongs to. */
    public record Identity(String namespace, String serviceAccount, String podName, String podUid) {
    }

    private final KubernetesClient client;
    private final IngestConfig config;

    @Inject
    public TokenReviewer(KubernetesClient client, IngestConfig config) {
        this.client = client;
        this.config = config;
    }

    /**
     * @return the token's pod identity, or empty when the token is not valid for the audience or is not a
     *         pod-bound service-account token
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server cannot be asked
     */
    public Optional<Identity> review(String token) {
        TokenReview review = new TokenReviewBuilder()
                .withNewSpec().withToken(token).withAudiences(config.audience()).endSpec()
                .build();
        TokenReview answer = client.resource(review).create();
        if (answer == null || answer.getStatus() == null || !Boolean.TRUE.equals(answer.getStatus().getAuthenticated())) {
            return Optional.empty();
        }
        // An empty list means the API server's own audience, not ours (a server that ignored the requested audience).
        List<String> audiences = answer.getStatus().getAudiences();
        if (audiences == null || !audiences.contains(config.audience())) {
            return Optional.empty();
        }
        UserInfo user = answer.getStatus().getUser();
        if (user == null || user.getUsername() == null || !user.getUsername().startsWith(SA_PREFIX)) {
            return Optional.empty();
        }
        String[] parts = user.getUsername().substring(SA_PREFIX.length()).split(":", 2);
        Map<String, List<String>> extra = user.getExtra() == null ? Map.of() : user.getExtra();
        String pod = first(extra.get(POD_NAME));
        if (parts.length != 2 || pod == null) {
            return Optional.empty();
        }
        return Optional.of(new Identity(parts[0], parts[1], pod, first(extra.get(POD_UID))));
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
