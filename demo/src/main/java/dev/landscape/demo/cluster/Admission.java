package dev.landscape.demo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.GroupVersionResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.zjsonpatch.JsonPatch;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The API server's side of the mutating webhook: a Pod CREATE is sent to the operator's {@code /mutate} as an
 * {@code admission.k8s.io/v1} AdmissionReview with the webhook's timeout, the returned JSON patch is applied, and
 * the warnings are kept for the person watching. As with {@code failurePolicy: Ignore}, a webhook that fails or
 * times out lets the pod through unchanged.
 */
public final class Admission {

    /** The pod as admitted, whether the webhook patched it, and what it said. */
    public record Result(Pod pod, boolean patched, List<String> warnings) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final URI mutate;

    public Admission(String operatorBaseUrl) {
        this.mutate = URI.create(operatorBaseUrl + "/mutate");
    }

    public Result admit(Pod pod) {
        AdmissionReview review = new AdmissionReviewBuilder().withApiVersion("admission.k8s.io/v1").withKind("AdmissionReview")
                .withNewRequest().withUid(UUID.randomUUID().toString())
                .withKind(new GroupVersionKind("", "Pod", "v1"))
                .withResource(new GroupVersionResource("", "pods", "v1"))
                .withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
                .withOperation("CREATE").withObject(pod).withDryRun(false)
                .endRequest().build();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(mutate).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(review))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return new Result(pod, false, List.of("webhook answered HTTP " + r.statusCode() + "; pod admitted unchanged (failurePolicy Ignore)"));
            }
            AdmissionResponse answer = JSON.readValue(r.body(), AdmissionReview.class).getResponse();
            List<String> warnings = answer.getWarnings() == null ? List.of() : answer.getWarnings();
            if (!Boolean.TRUE.equals(answer.getAllowed())) {
                throw new IllegalStateException("the webhook denied pod " + pod.getMetadata().getName() + ": "
                        + (answer.getStatus() == null ? "" : answer.getStatus().getMessage()));
            }
            if (answer.getPatch() == null) {
                return new Result(pod, false, warnings);
            }
            JsonNode patch = JSON.readTree(Base64.getDecoder().decode(answer.getPatch()));
            JsonNode patched = JsonPatch.apply(patch, JSON.valueToTree(pod));
            return new Result(JSON.treeToValue(patched, Pod.class), true, warnings);
        } catch (IOException e) {
            return new Result(pod, false, List.of("webhook unreachable (" + e.getMessage() + "); pod admitted unchanged (failurePolicy Ignore)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while admitting " + pod.getMetadata().getName(), e);
        }
    }
}
