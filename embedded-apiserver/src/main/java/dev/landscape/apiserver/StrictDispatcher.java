package dev.landscape.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.apiserver.admission.MutatingAdmission;
import dev.landscape.apiserver.network.ServiceEndpoints;
import dev.landscape.apiserver.crd.CustomResourceStrategy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Fabric8's CRUD dispatcher with kube-apiserver's write path added where the operator depends on it. Every write
 * (POST, PUT, PATCH) first goes through mutating admission (outside the store's lock, since a webhook may call back
 * into this server), then through the mock's own handling (merge/JSON patch, resourceVersion checks, the status
 * subresource split), and, at the one point where the mock stores the result ({@link #processEvent}), through the
 * custom-resource strategy: pruning, defaulting, generation and validation. A rejected write stores nothing and
 * answers the Status kube-apiserver would. Pre-recorded expectations (version, TokenReviews) answer first.
 *
 * <p>The mock checks a PUT's resourceVersion against the stored object's, except on {@code /status}: there it
 * compares the stored object with a copy of itself (Fabric8 kubernetes-server-mock 7.5.2, {@code PutHandler}), so a
 * status written from an outdated copy silently replaced a newer one. kube-apiserver answers 409 Conflict; so does
 * this server ({@link #precondition}), under the store's lock, where the mock stores.
 */
final class StrictDispatcher extends KubernetesCrudDispatcher {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final Map<ServerRequest, Queue<ServerResponse>> responses;
    private final MockDispatcher expectations;
    private final MutatingAdmission admission;
    private final ThreadLocal<Write> write = new ThreadLocal<>();
    private final Map<String, CustomResourceStrategy> strategies = new ConcurrentHashMap<>();

    /** The write in progress on this thread: its options, and what the strategy made of it. */
    private static final class Write {
        final ApiPath path;
        final List<String> warnings = new ArrayList<>();
        /** The resourceVersion a PUT to {@code /status} was based on; empty when the request named none. */
        String basedOn = "";
        String stored;
        StatusErrors.Answer rejection;

        Write(ApiPath path) {
            this.path = path;
        }
    }

    /** Thrown from inside the mock's handlers to abandon a write; its answer goes to the client. */
    private static final class Rejected extends RuntimeException {
        Rejected() {
            super(null, null, false, false);
        }
    }

    StrictDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses, ServiceEndpoints endpoints,
                     Consumer<MutatingAdmission.Call> admissionListener) {
        this.responses = responses;
        this.expectations = new MockDispatcher(responses);
        this.admission = new MutatingAdmission(new MutatingAdmission.Store() {
            @Override
            public List<JsonNode> mutatingWebhookConfigurations() {
                JsonNode list = read("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations");
                List<JsonNode> out = new ArrayList<>();
                list.path("items").forEach(out::add);
                return out;
            }

            @Override
            public Optional<JsonNode> namespace(String name) {
                JsonNode ns = read("/api/v1/namespaces/" + name);
                return ns.isMissingNode() ? Optional.empty() : Optional.of(ns);
            }
        }, endpoints, admissionListener);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Queue<ServerResponse> queue = responses.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
        if (queue != null && !queue.isEmpty()) {
            return expectations.dispatch(request);
        }
        return super.dispatch(request);
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        return write(request, "CREATE", super::handleCreate);
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return write(request, "UPDATE", super::handleUpdate);
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        return write(request, null, super::handlePatch);
    }

    @Override
    public MockResponse handleDelete(String path) {
        Optional<ApiPath> p = ApiPath.parse(path);
        if (p.isPresent() && p.get().dryRun()) {
            MockResponse current = handleGet(path.substring(0, path.indexOf('?')));
            return current.code() == 200 ? new MockResponse().setResponseCode(200).setBody(current.getBody().readUtf8()) : current;
        }
        return super.handleDelete(path);
    }

    private MockResponse write(RecordedRequest request, String operation, Function<RecordedRequest, MockResponse> handler) {
        Optional<ApiPath> parsed = ApiPath.parse(request.getPath());
        if (parsed.isEmpty()) {
            return handler.apply(request);
        }
        ApiPath path = parsed.get();
        byte[] body = request.getBody().getBytes();
        Write w = new Write(path);
        if (operation != null && path.subresource() == null) {
            JsonNode object = parse(body);
            if (object != null && object.isObject()) {
                String resourcePath = request.getPath().contains("?") ? request.getPath().substring(0, request.getPath().indexOf('?')) : request.getPath();
                JsonNode old = operation.equals("UPDATE") ? read(resourcePath) : null;
                MutatingAdmission.Outcome admitted = admission.admit(operation, path, object, old == null || old.isMissingNode() ? null : old);
                w.warnings.addAll(admitted.warnings());
                if (admitted.rejection() != null) {
                    return answer(admitted.rejection(), w.warnings);
                }
                try {
                    body = JSON.writeValueAsBytes(admitted.object());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        if ("UPDATE".equals(operation) && "status".equals(path.subresource())) {
            JsonNode object = parse(body);
            w.basedOn = object == null ? "" : object.path("metadata").path("resourceVersion").asText("");
        }
        RecordedRequest admitted = new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
                request.getHeaders(), new Buffer(body));
        write.set(w);
        try {
            MockResponse response = handler.apply(admitted);
            if (w.stored != null && response.code() < 300) {
                response.setBody(w.stored);
            }
            w.warnings.forEach(text -> response.addHeader("Warning", "299 - " + GoFormat.quote(text)));
            return response;
        } catch (Rejected r) {
            return answer(w.rejection, w.warnings);
        } finally {
            write.remove();
        }
    }

    private static MockResponse answer(StatusErrors.Answer answer, List<String> warnings) {
        MockResponse response = new MockResponse().setResponseCode(answer.code()).setBody(answer.status().toString())
                .setHeader("Content-Type", "application/json");
        warnings.forEach(text -> response.addHeader("Warning", "299 - " + GoFormat.quote(text)));
        return response;
    }

    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        Write w = write.get();
        String state = newState;
        GenericKubernetesResource typed = resource;
        if (w != null && newState != null) {
            String old = oldAttributes == null ? null : map.get(oldAttributes);
            precondition(w, old);
            state = prepare(w, old, newState);
            typed = null;
            w.stored = state;
        }
        if (w != null && w.path.dryRun()) {
            return;
        }
        super.processEvent(path, pathAttributes, oldAttributes, typed, state);
    }

    /**
     * A status PUT based on a resourceVersion other than the stored one is rejected as kube-apiserver rejects it
     * ({@code errors.NewConflict}); one that names no resourceVersion is let through, as the mock lets it through.
     */
    private void precondition(Write w, String oldState) {
        if (w.basedOn.isEmpty() || oldState == null) {
            return;
        }
        JsonNode old = parse(oldState.getBytes(StandardCharsets.UTF_8));
        String current = old == null ? "" : old.path("metadata").path("resourceVersion").asText("");
        if (!w.basedOn.equals(current)) {
            w.rejection = StatusErrors.conflict(w.path.group(), w.path.resource(), w.path.name());
            throw new Rejected();
        }
    }

    /** The strategy of the written kind: CRD validation for custom resources, the metadata.name label for namespaces. */
    private String prepare(Write w, String oldState, String newState) {
        ApiPath path = w.path;
        ObjectNode object = (ObjectNode) parse(newState.getBytes(StandardCharsets.UTF_8));
        JsonNode old = oldState == null ? null : parse(oldState.getBytes(StandardCharsets.UTF_8));
        if (path.group().isEmpty() && path.resource().equals("namespaces")) {
            object.with("metadata").with("labels").put("kubernetes.io/metadata.name", object.path("metadata").path("name").asText());
        }
        Optional<CustomResourceStrategy> strategy = strategy(path);
        if (strategy.isPresent()) {
            CustomResourceStrategy.Outcome outcome = strategy.get().prepare(object, old, "status".equals(path.subresource()));
            CustomResourceStrategy.CustomResourceDefinition crd = strategy.get().definition();
            if (!outcome.prunedFields().isEmpty()) {
                List<String> unknown = outcome.prunedFields().stream().map(f -> "unknown field " + GoFormat.quote(f)).toList();
                if (path.fieldValidation().equals("Strict")) {
                    w.rejection = StatusErrors.badRequest(crd.kind() + " in version " + GoFormat.quote(crd.version())
                            + " cannot be handled as a " + crd.kind() + ": strict decoding error: " + String.join(", ", unknown));
                    throw new Rejected();
                }
                if (path.fieldValidation().equals("Warn")) {
                    w.warnings.addAll(unknown);
                }
            }
            if (!outcome.errors().isEmpty()) {
                w.rejection = StatusErrors.invalid(crd.group(), crd.kind(), object.path("metadata").path("name").asText(), outcome.errors());
                throw new Rejected();
            }
        }
        if (old != null && withoutResourceVersion(object).equals(withoutResourceVersion(old))) {
            // A write that changes nothing is not a change: no new resourceVersion, no watch event.
            object.with("metadata").set("resourceVersion", old.path("metadata").path("resourceVersion"));
        }
        return object.toString();
    }

    private static JsonNode withoutResourceVersion(JsonNode object) {
        ObjectNode copy = object.deepCopy();
        copy.with("metadata").remove("resourceVersion");
        copy.with("metadata").remove("managedFields");
        return copy;
    }

    /** The strategy of a custom resource's version, read from the CRD stored now (none for built-in kinds). */
    private Optional<CustomResourceStrategy> strategy(ApiPath path) {
        if (path.group().isEmpty()) {
            return Optional.empty();
        }
        Map.Entry<AttributeSet, String> crd = findResource(getKey(CRDS + "/" + path.resource() + "." + path.group()));
        if (crd == null) {
            return Optional.empty();
        }
        String json = crd.getValue();
        CustomResourceStrategy cached = strategies.get(json);
        if (cached != null) {
            return Optional.of(cached);
        }
        return CustomResourceStrategy.CustomResourceDefinition.of(parse(json.getBytes(StandardCharsets.UTF_8)), path.version())
                .map(d -> strategies.computeIfAbsent(json, k -> new CustomResourceStrategy(d)));
    }

    private JsonNode read(String path) {
        MockResponse r = handleGet(path);
        if (r.code() != 200) {
            return JSON.missingNode();
        }
        return parse(r.getBody().readUtf8().getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
