package dev.landscape.demo.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues projected service-account tokens for pods, as the kubelet asks the API server to, and reviews them as the
 * API server's TokenReview does: a known token authenticates as the pod's service account with the pod's name and
 * UID in {@code extra}, for the audience it was issued for; anything else is "invalid bearer token". Tokens are
 * random, so a sidecar can only report as the pod it runs in.
 */
public final class TokenAuthority {

    private record Grant(String namespace, String serviceAccount, String pod, String uid, String audience) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();

    public String issue(Pod pod, String audience) {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String token = "demo." + HexFormat.of().formatHex(bytes);
        String sa = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
        grants.put(token, new Grant(pod.getMetadata().getNamespace(), sa, pod.getMetadata().getName(),
                pod.getMetadata().getUid(), audience));
        return token;
    }

    TokenReview review(TokenReview review) {
        Grant g = review.getSpec() == null || review.getSpec().getToken() == null ? null : grants.get(review.getSpec().getToken());
        List<String> wanted = review.getSpec() == null ? null : review.getSpec().getAudiences();
        boolean ok = g != null && (wanted == null || wanted.isEmpty() || wanted.contains(g.audience()));
        review.setStatus(ok
                ? new TokenReviewStatusBuilder().withAuthenticated(true).withAudiences(g.audience())
                .withNewUser().withUsername("system:serviceaccount:" + g.namespace() + ":" + g.serviceAccount())
                .withExtra(Map.of("authentication.kubernetes.io/pod-name", List.of(g.pod()),
                        "authentication.kubernetes.io/pod-uid", List.of(g.uid())))
                .endUser().build()
                : new TokenReviewStatusBuilder().withAuthenticated(false).withError("invalid bearer token").build());
        return review;
    }
}
