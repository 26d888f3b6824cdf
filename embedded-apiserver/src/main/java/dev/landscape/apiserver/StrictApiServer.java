package dev.landscape.apiserver;

import dev.landscape.apiserver.admission.MutatingAdmission;
import dev.landscape.apiserver.admission.ServiceEndpoints;
import dev.landscape.apiserver.crd.CelRules;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * An embedded Kubernetes API server for one machine that is as strict as kube-apiserver where this project relies
 * on it: Fabric8's mock server in CRUD mode (objects stored, listed, watched, patched), plus custom resources pruned,
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
    /** The mock server logs every request at INFO. Held so the level is not lost when the logger is collected. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final ServiceEndpoints services;
    private final List<Consumer<MutatingAdmission.Call>> admissionListeners;

    private StrictApiServer(KubernetesMockServer server, ServiceEndpoints services, List<Consumer<MutatingAdmission.Call>> listeners) {
        this.server = server;
        this.client = server.createClient();
        this.services = services;
        this.admissionListeners = listeners;
    }

    /** Starts on a free loopback port. */
    public static StrictApiServer start() {
        CelRules.warmUp();
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        ServiceEndpoints services = new ServiceEndpoints();
        List<Consumer<MutatingAdmission.Call>> listeners = new CopyOnWriteArrayList<>();
        StrictDispatcher dispatcher = new StrictDispatcher(responses, services, call -> listeners.forEach(l -> l.accept(call)));
        KubernetesMockServer mock = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        mock.init(InetAddress.getLoopbackAddress(), 0);
        String[] version = VERSION.substring(1).split("\\.");
        mock.expect().get().withPath("/version").andReturn(200, Map.of("major", version[0], "minor", version[1],
                "gitVersion", VERSION + "-landscape-embedded", "platform", "linux/amd64")).always();
        return new StrictApiServer(mock, services, listeners);
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
        return "http://" + server.getHostName() + ":" + server.getPort();
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

    /** The underlying mock, to add answers this server does not compute itself (TokenReviews, for one). */
    public KubernetesMockServer mock() {
        return server;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
