package dev.landscape.operator.testing;

import dev.landscape.apiserver.StrictApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * The strict embedded API server (module embedded-apiserver) as a Quarkus test resource: the operator's client is
 * pointed at it, so custom resources are validated against the CRDs (schema and CEL) with the status subresource and
 * generation kept as kube-apiserver keeps them, and pods are admitted through the MutatingWebhookConfigurations a
 * test stores. TokenReviews are answered as {@link TestingTokenReviews} says. QOSDK applies the CRDs at start-up
 * (the generated ones, which CrdsUpToDateTest keeps equal to crds/). A field annotated {@link Inject} receives the server.
 */
public class StrictKubernetesServer implements QuarkusTestResourceLifecycleManager {

    /** Marks a {@link StrictApiServer} field of a test to receive the running server. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    /** The namespace the operator's client works in, as with {@code @WithKubernetesTestServer}. */
    public static final String NAMESPACE = "test";

    private StrictApiServer server;

    @Override
    public Map<String, String> start() {
        server = StrictApiServer.start();
        TestingTokenReviews.install(server.mock().expect());
        server.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", server.url(),
                "quarkus.kubernetes-client.namespace", NAMESPACE,
                "quarkus.kubernetes-client.trust-certs", "true");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(Inject.class, StrictApiServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
