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
 * Init arg {@value #WEBHOOK_CONFIGURATION} installs the MutatingWebhookConfiguration of deploy/rendered/default.yaml
 * (what {@code kubectl kustomize deploy/} renders) before the application starts, as on a cluster.
 */
public class StrictKubernetesServer implements QuarkusTestResourceLifecycleManager {

    /** Marks a {@link StrictApiServer} field of a test to receive the running server. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    /** The namespace the operator's client works in, as with {@code @WithKubernetesTestServer}. */
    public static final String NAMESPACE = "test";

    /** Init arg: "true" installs the rendered MutatingWebhookConfiguration before the application starts. */
    public static final String WEBHOOK_CONFIGURATION = "webhook-configuration";

    private StrictApiServer server;
    private boolean webhookConfiguration;

    @Override
    public void init(Map<String, String> initArgs) {
        webhookConfiguration = Boolean.parseBoolean(initArgs.getOrDefault(WEBHOOK_CONFIGURATION, "false"));
    }

    @Override
    public Map<String, String> start() {
        server = StrictApiServer.start();
        TestingTokenReviews.install(server.expect());
        server.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        if (webhookConfiguration) {
            try (var in = java.nio.file.Files.newInputStream(dev.landscape.operator.crd.RepositoryPaths.root().resolve("deploy/rendered/default.yaml"))) {
                java.util.List<?> rendered = (java.util.List<?>) io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in);
                rendered.stream().filter(io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration.class::isInstance)
                        .map(io.fabric8.kubernetes.api.model.HasMetadata.class::cast)
                        .forEach(o -> server.client().resource(o).create());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
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
