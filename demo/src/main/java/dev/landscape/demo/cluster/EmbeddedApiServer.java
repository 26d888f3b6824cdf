package dev.landscape.demo.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.apiserver.StrictApiServer;
import dev.landscape.apiserver.admission.MutatingAdmission;
import dev.landscape.apiserver.network.ServiceEndpoints;
import dev.landscape.apiserver.network.ServiceProxy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The demo's Kubernetes API: the strict embedded API server (module embedded-apiserver: CRDs validated with their
 * schema and CEL rules, the status subresource, mutating admission over HTTPS with the configuration's caBundle),
 * with TokenReviews answered by the {@link TokenAuthority} that issued the pods' projected tokens. What is installed
 * comes from the rendered deploy/ ({@link InstallManifest}); the scheduler and the kubelet are the demo's
 * ({@link Kubelet}), and a Service is reached through {@link ServiceProxy}.
 */
public final class EmbeddedApiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StrictApiServer server;
    private final TokenAuthority tokens;

    private EmbeddedApiServer(StrictApiServer server, TokenAuthority tokens) {
        this.server = server;
        this.tokens = tokens;
    }

    /** Starts on a free loopback port and answers TokenReviews. */
    public static EmbeddedApiServer start(TokenAuthority tokens) {
        StrictApiServer server = StrictApiServer.start();
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(201, request -> {
                    try {
                        return tokens.review(JSON.readValue(request.getUtf8Body(), TokenReview.class));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).always();
        return new EmbeddedApiServer(server, tokens);
    }

    /** Creates every object of the rendered install, in its order, as {@code kubectl apply -f} would on an empty cluster. */
    public void install(InstallManifest manifest) {
        for (HasMetadata o : manifest.objects()) {
            server.client().resource(o).create();
        }
    }

    public void createNamespace(String name) {
        server.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    /** Says where a Service's port is served on this machine (the API server calls webhooks there). */
    public void serve(String namespace, String service, int port, InetSocketAddress at) {
        server.services().register(namespace, service, port, at);
    }

    /** Where Services are served here, for the {@link ServiceProxy} that stands in for cluster DNS and kube-proxy. */
    public ServiceEndpoints services() {
        return server.services();
    }

    public void onAdmission(Consumer<MutatingAdmission.Call> listener) {
        server.onAdmission(listener);
    }

    /** {@code http://127.0.0.1:<port>}: what the operator's kubernetes client is pointed at. */
    public String url() {
        return server.url();
    }

    public KubernetesClient client() {
        return server.client();
    }

    public TokenAuthority tokens() {
        return tokens;
    }

    @Override
    public void close() {
        server.close();
    }
}
