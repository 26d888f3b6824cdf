package dev.landscape.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.rank.JobSetShape;
import dev.landscape.operator.rank.JobSetShapes;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds AdmissionReview requests the way the API server sends them, and reads the answers. */
final class AdmissionReviews {

    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    private AdmissionReviews() {
    }

    /** The documents of a multi-document YAML resource on the test classpath. */
    static List<JsonNode> documents(String resource) {
        try (InputStream in = AdmissionReviews.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            List<JsonNode> docs = new ArrayList<>();
            YAML.readValues(YAML.createParser(in), JsonNode.class).forEachRemaining(docs::add);
            return docs;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    static List<LandscapeProbe> probes(List<JsonNode> docs) {
        return docs.stream().filter(d -> "LandscapeProbe".equals(d.path("kind").asText()))
                .map(d -> JSON.convertValue(d, LandscapeProbe.class)).toList();
    }

    /** The JobSets among the documents, as the webhook would read them from the API server. */
    @SuppressWarnings("unchecked")
    static JobSetShapes jobSets(List<JsonNode> docs) {
        Map<String, JobSetShape> shapes = new HashMap<>();
        docs.stream().filter(d -> "JobSet".equals(d.path("kind").asText())).forEach(d -> shapes.put(
                d.at("/metadata/namespace").asText() + "/" + d.at("/metadata/name").asText(),
                JobSetShape.of(JSON.convertValue(d.path("spec"), Map.class))));
        return (namespace, name) -> Optional.ofNullable(shapes.get(namespace + "/" + name));
    }

    static JsonNode pod(List<JsonNode> docs) {
        return docs.stream().filter(d -> "Pod".equals(d.path("kind").asText())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Pod document"));
    }

    static byte[] podCreate(String uid, String namespace, JsonNode pod) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", uid);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", namespace);
        request.put("operation", "CREATE");
        request.putObject("userInfo").put("username", "system:serviceaccount:kube-system:job-controller");
        request.set("object", pod);
        request.put("dryRun", false);
        return bytes(review);
    }

    static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The decoded JSON patch of an answer, or null when it has none. */
    static JsonNode patch(AdmissionReview answer) {
        String patch = answer.getResponse().getPatch();
        if (patch == null) {
            return null;
        }
        try {
            return JSON.readTree(Base64.getDecoder().decode(patch));
        } catch (IOException e) {
            throw new IllegalStateException("patch is not JSON", e);
        }
    }
}
