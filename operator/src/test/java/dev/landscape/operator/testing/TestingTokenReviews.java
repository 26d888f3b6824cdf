package dev.landscape.operator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.operator.config.IngestConfig;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.quarkus.test.kubernetes.client.KubernetesServer;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Makes the mock API server answer TokenReviews the way a real one answers for projected service-account
 * tokens. A test token {@code pod:<namespace>:<pod>:<uid>:<audience>} reviews as the pod's service account with
 * the pod's name and UID in {@code extra}, for that audience; any other token is not authenticated. A token for
 * the audience {@value #API_SERVER_AUDIENCE} reviews as authenticated with an empty {@code status.audiences}, as an
 * API server answers for a token meant for itself.
 */
public class TestingTokenReviews implements Consumer<KubernetesServer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String API_SERVER_AUDIENCE = "api-server";

    /** A token for the default audience ({@link IngestConfig#DEFAULT_AUDIENCE}). */
    public static String token(String namespace, String pod, String uid) {
        return token(namespace, pod, uid, IngestConfig.DEFAULT_AUDIENCE);
    }

    public static String token(String namespace, String pod, String uid, String audience) {
        return "pod:" + namespace + ":" + pod + ":" + uid + ":" + audience;
    }

    /** A pod's token for the API server's own audience: authenticated, with no audiences in the answer. */
    public static String apiServerToken(String namespace, String pod, String uid) {
        return "pod:" + namespace + ":" + pod + ":" + uid + ":" + API_SERVER_AUDIENCE;
    }

    @Override
    public void accept(KubernetesServer server) {
        install(server.expect());
    }

    /** Answers TokenReviews on any mock server's expectations (the Quarkus test server's or the strict server's). */
    public static void install(io.fabric8.mockwebserver.dsl.MockServerExpectation expectations) {
        expectations.post().withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(201, request -> {
                    try {
                        TokenReview review = JSON.readValue(request.getUtf8Body(), TokenReview.class);
                        String[] parts = review.getSpec().getToken().split(":");
                        List<String> wanted = review.getSpec().getAudiences();
                        boolean apiServer = parts.length == 5 && parts[4].equals(API_SERVER_AUDIENCE);
                        boolean ok = parts.length == 5 && parts[0].equals("pod") && (apiServer || wanted != null && wanted.contains(parts[4]));
                        review.setStatus(ok
                                ? new TokenReviewStatusBuilder().withAuthenticated(true)
                                .withAudiences(apiServer ? List.of() : List.of(parts[4]))
                                .withNewUser().withUsername("system:serviceaccount:" + parts[1] + ":trainer")
                                .withExtra(Map.of("authentication.kubernetes.io/pod-name", List.of(parts[2]),
                                        "authentication.kubernetes.io/pod-uid", List.of(parts[3])))
                                .endUser().build()
                                : new TokenReviewStatusBuilder().withAuthenticated(false).withError("invalid bearer token").build());
                        return review;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).always();
    }
}
