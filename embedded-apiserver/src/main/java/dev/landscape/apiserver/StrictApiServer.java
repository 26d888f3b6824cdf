package dev.landscape.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.apiserver.admission.MutatingAdmission;
import dev.landscape.apiserver.network.ServiceEndpoints;
import dev.landscape.apiserver.crd.CelRules;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.dsl.MockServerExpectation;
import io.fabric8.mockwebserver.internal.MockServerExpectationImpl;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * An embedded Kubernetes API server for one machine that is as strict as kube-apiserver where this project relies
 * on it: Fabric8's mock server's CRUD store (objects stored, listed, watched, patched) behind a listener that serves
 * requests concurrently ({@link HttpFront}), plus custom resources pruned,
 * defaulted and validated against their CRD (schema and CEL rules) with kube-apiserver's error messages, the status
 * subresource and {@code metadata.generation} kept as kube-apiserver keeps them, and mutating admission webhooks
 * called over HTTPS with the caBundle of their stored configuration. It says it is Kubernetes 1.31.
 *
 * <p>What it still does not do is listed in docs/development.md (no authentication or RBAC, no built-in admission
 * plugins, no validating webhooks, no server-side apply, no scheduler or controllers).
 */
public final class StrictApiServer implements AutoCloseable {

    /** The Kubernetes version this server answers on {@code /version}, and whose messages it reproduces. */
    public static final String VERSION = "v1.31.0";
    private final HttpFront front;
    private final Map<ServerRequest, Queue<ServerResponse>> responses;
    private final KubernetesClient client;
    private final ServiceEndpoints services;
    private final List<Consumer<MutatingAdmission.Call>> admissionListeners;

    private StrictApiServer(HttpFront front, Map<ServerRequest, Queue<ServerResponse>> responses,
                            ServiceEndpoints services, List<Consumer<MutatingAdmission.Call>> listeners) {
        this.front = front;
        this.responses = responses;
        this.services = services;
        this.admissionListeners = listeners;
        this.client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url())
                .withNamespace("default").withTrustCerts(true).build()).build();
    }

    /** Starts on a free loopback port. */
    public static StrictApiServer start() {
        CelRules.warmUp();
        Map<ServerRequest, Queue<ServerResponse>> responses = new ConcurrentHashMap<>();
        ServiceEndpoints services = new ServiceEndpoints();
        List<Consumer<MutatingAdmission.Call>> listeners = new CopyOnWriteArrayList<>();
        StrictDispatcher dispatcher = new StrictDispatcher(responses, services, call -> listeners.forEach(l -> l.accept(call)));
        HttpFront front = HttpFront.start(InetAddress.getLoopbackAddress(), dispatcher);
        StrictApiServer server = new StrictApiServer(front, responses, services, listeners);
        String[] version = VERSION.substring(1).split("\\.");
        server.expect().get().withPath("/version").andReturn(200, Map.of("major", version[0], "minor", version[1],
                "gitVersion", VERSION + "-landscape-embedded", "platform", "linux/amd64")).always();
        answerAccessReviews(server);
        return server;
    }

    /**
     * RBAC is not enforced here, so a client asking what it may do is told "everything" (JOSDK asks before leader
     * election with a SelfSubjectRulesReview; others use SelfSubjectAccessReview).
     */
    private static void answerAccessReviews(StrictApiServer server) {
        ObjectMapper json = new ObjectMapper();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews").andReply(201, request -> {
            ObjectNode review = readObject(json, request.getUtf8Body());
            ObjectNode rule = review.putObject("status").put("incomplete", false).putArray("resourceRules").addObject();
            rule.putArray("verbs").add("*");
            rule.putArray("apiGroups").add("*");
            rule.putArray("resources").add("*");
            review.with("status").putArray("nonResourceRules").addObject().putArray("verbs").add("*");
            return review;
        }).always();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews").andReply(201, request -> {
            ObjectNode review = readObject(json, request.getUtf8Body());
            review.putObject("status").put("allowed", true).put("reason", "RBAC is not enforced by the embedded API server");
            return review;
        }).always();
    }

    private static ObjectNode readObject(ObjectMapper json, String body) {
        try {
            return (ObjectNode) json.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates every CRD in {@code dir} ({@code *.yml}, {@code *.yaml}), as {@code kubectl apply -f dir} would. */
    public void applyCrds(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    Object parsed = Serialization.unmarshal(in);
                    if (parsed instanceof CustomResourceDefinition crd) {
                        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CRDs in " + dir, e);
        }
    }

    /** Creates each object in order (cluster-scoped and namespaced alike), as {@code kubectl create -f} would. */
    public void create(List<? extends HasMetadata> objects) {
        for (HasMetadata o : objects) {
            client.resource(o).create();
        }
    }

    /** {@code http://127.0.0.1:<port>}: what clients are pointed at. */
    public String url() {
        return "http://127.0.0.1:" + front.port();
    }

    public KubernetesClient client() {
        return client;
    }

    /** Where Services are served on this machine, for webhook calls. */
    public ServiceEndpoints services() {
        return services;
    }

    /** Called after each webhook call, with its outcome. */
    public void onAdmission(Consumer<MutatingAdmission.Call> listener) {
        admissionListeners.add(listener);
    }

    /** Fabric8's expectation DSL, for answers this server does not compute itself (TokenReviews, for one). */
    public MockServerExpectation expect() {
        return new MockServerExpectationImpl(responses, new Context());
    }

    @Override
    public void close() {
        client.close();
        front.close();
    }
}
