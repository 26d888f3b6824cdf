package dev.landscape.demo.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
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
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The embedded Kubernetes API: Fabric8's mock server in CRUD mode (objects are stored, listed, watched and patched
 * as a real API server would) with the project's CRDs applied from {@code crds/}, a {@code /version} that says
 * 1.31 (so the webhook injects native sidecars), and TokenReviews answered by the {@link TokenAuthority} that issued
 * the pods' projected tokens. What it does not do: admission (the demo calls the webhook as the API server would,
 * see {@link Admission}), scheduling and the kubelet (see {@link Kubelet}).
 */
public final class EmbeddedApiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The mock server logs every request at INFO; the demo's console is for people. Held so it is not collected. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final TokenAuthority tokens;

    private EmbeddedApiServer(KubernetesMockServer server, TokenAuthority tokens) {
        this.server = server;
        this.client = server.createClient();
        this.tokens = tokens;
    }

    /** Starts on a free loopback port, answers version and TokenReviews, and applies every CRD in {@code crdDir}. */
    public static EmbeddedApiServer start(Path crdDir, TokenAuthority tokens) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer mock = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses, List.of()), false);
        mock.init(InetAddress.getLoopbackAddress(), 0);
        mock.expect().get().withPath("/version").andReturn(200, Map.of("major", "1", "minor", "31",
                "gitVersion", "v1.31.0-landscape-demo", "platform", "linux/amd64")).always();
        mock.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(201, request -> {
                    try {
                        return tokens.review(JSON.readValue(request.getUtf8Body(), TokenReview.class));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).always();
        EmbeddedApiServer api = new EmbeddedApiServer(mock, tokens);
        api.applyCrds(crdDir);
        return api;
    }

    private void applyCrds(Path crdDir) {
        try (Stream<Path> files = Files.list(crdDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".yml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
                    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot apply the CRDs in " + crdDir, e);
        }
    }

    public void createNamespace(String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    /** {@code http://127.0.0.1:<port>}: what the operator's kubernetes client is pointed at. */
    public String url() {
        return "http://" + server.getHostName() + ":" + server.getPort();
    }

    public KubernetesClient client() {
        return client;
    }

    public TokenAuthority tokens() {
        return tokens;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
