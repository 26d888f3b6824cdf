package dev.landscape.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.landscape.apiserver.FieldError;
import dev.landscape.apiserver.crd.CustomResourceStrategy;
import dev.landscape.apiserver.crd.CustomResourceStrategy.CustomResourceDefinition;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A committed CRD's validation as kube-apiserver runs it on a create — pruning, defaulting, the OpenAPI schema and the
 * {@code x-kubernetes-validations} CEL rules — by the embedded API server's own {@link CustomResourceStrategy}, so the
 * tests that call this and the server the demo runs on judge an object by one implementation.
 */
public final class TestingCrdValidation {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final CustomResourceStrategy strategy;

    private TestingCrdValidation(CustomResourceStrategy strategy) {
        this.strategy = strategy;
    }

    /** The first served version of {@code crds/<file>}. */
    public static TestingCrdValidation of(String file) throws IOException {
        Path path = RepositoryPaths.root().resolve("crds").resolve(file);
        JsonNode crd = YAML.readTree(path.toFile());
        String version = crd.at("/spec/versions/0/name").asText();
        return new TestingCrdValidation(new CustomResourceStrategy(CustomResourceDefinition.of(crd, version)
                .orElseThrow(() -> new IllegalArgumentException(file + " serves no version " + version))));
    }

    /** What a create of {@code object} (YAML or JSON text) is refused for, each as {@code field: detail}. */
    public List<String> violations(String object) throws IOException {
        ObjectNode tree = (ObjectNode) YAML.readTree(object);
        return strategy.prepare(tree, null, false).errors().stream().map(TestingCrdValidation::describe).toList();
    }

    private static String describe(FieldError e) {
        return (e.field() == null || e.field().isEmpty() ? "<root>" : e.field()) + ": " + e.detail();
    }
}
