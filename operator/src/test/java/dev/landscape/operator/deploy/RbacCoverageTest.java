package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import dev.landscape.operator.config.LeaderElection;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.testing.TestingObjects;
import dev.landscape.operator.testing.TestingTokenReviews;
import dev.landscape.operator.rank.KubernetesJobSetShapes;
import dev.landscape.operator.webhook.tls.CaBundlePatcher;
import dev.landscape.operator.webhook.tls.CaBundlePublisher;
import dev.landscape.operator.webhook.tls.SelfSignedIssuer;
import dev.landscape.operator.webhook.tls.SelfSignedTls;
import dev.landscape.operator.webhook.tls.TlsSecretStore;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Least privilege, checked against the calls the operator makes rather than a hand-kept list: the mock API server
 * records every request while the operator reconciles a probe (pods from before it and labelled ones), ingests a
 * report, records an OOM kill, answers an admission it must skip, runs the self-signed TLS bootstrap, a renewal and a
 * CA rotation with the CA bundle published to the sidecars' namespace, reads a JobSet, and holds the leader Lease. Each rendered install (kustomize and Helm, per TLS mode, cluster-wide and namespaced)
 * must grant every one of those calls, and grant nothing that none of them uses.
 *
 * <p>Where this differs from a cluster: the operator applies its CRDs in test mode only (not counted); the test's own requests are told apart by their User-Agent; leader election
 * is Fabric8's LeaderElector with the operator's Lease, as JOSDK runs it; in the namespaced install the operator's
 * watches of all namespaces stand for the same watches in each listed namespace, which is what JOSDK opens there.
 */
@QuarkusTest
@TestProfile(RbacCoverageTest.OwnServer.class)
@WithKubernetesTestServer(crud = true, setup = TestingTokenReviews.class)
class RbacCoverageTest {

    /** A profile of its own: a fresh operator and mock server, so that the record starts with the informers' lists. */
    public static class OwnServer implements QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("landscape.reconcile.pod-list-interval", "2m");
        }
    }

    private static final String TEST_AGENT = "landscape-rbac-test";
    private static final String PROBES_NS = "team-a";
    private static final ObjectMapper JSON = new ObjectMapper();

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient operator;

    @TempDir
    Path certDir;

    @Test
    void everyInstallGrantsExactlyTheCallsTheOperatorMakes() throws Exception {
        String operatorNs = operator.getNamespace();
        try (KubernetesClient test = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(operator.getConfiguration()).withUserAgent(TEST_AGENT).build()).build()) {
            reconcileIngestAndAdmit(test);
            selfSignedTlsAndRenewal(test, operatorNs);
        }
        leaderElection(operatorNs);
        Set<ApiCall> calls = recordedOperatorCalls();
        Set<ApiCall> certManagerCalls = calls.stream()
                .filter(c -> !c.resource().equals("secrets") && !c.resource().equals("mutatingwebhookconfigurations"))
                .collect(Collectors.toSet());
        assertThat(calls).as("the scenario reached the TLS bootstrap").anyMatch(c -> c.resource().equals("secrets") && c.verb().equals("update"));

        // deploy/ puts the operator in landscape-system; here it runs in the mock server's namespace.
        UnaryOperator<ApiCall> inLandscapeSystem = c -> operatorNs.equals(c.namespace())
                ? new ApiCall("landscape-system", c.group(), c.resource(), c.verb(), c.name()) : c;
        check("kubectl kustomize deploy", Manifests.render("deploy"), map(calls, inLandscapeSystem));
        check("kubectl kustomize deploy/overlays/cert-manager", Manifests.render("deploy/overlays/cert-manager"), map(certManagerCalls, inLandscapeSystem));
        check("helm template (defaults)", helm(operatorNs, "{}"), calls);
        check("helm template tls.mode=cert-manager", helm(operatorNs, "{tls: {mode: cert-manager}}"), certManagerCalls);
        UnaryOperator<ApiCall> perNamespace = c -> c.namespace() == null && Set.of("pods", "events", "landscapeprobes", "probereports").contains(c.resource())
                ? new ApiCall(PROBES_NS, c.group(), c.resource(), c.verb(), c.name()) : c;
        check("helm template watchNamespaces=[" + PROBES_NS + "]", helm(operatorNs, "{watchNamespaces: [" + PROBES_NS + "]}"), map(calls, perNamespace));
        check("helm template watchNamespaces=[" + PROBES_NS + "], tls.mode=cert-manager",
                helm(operatorNs, "{watchNamespaces: [" + PROBES_NS + "], tls: {mode: cert-manager}}"), map(certManagerCalls, perNamespace));
    }

    private static void check(String install, List<JsonNode> docs, Set<ApiCall> calls) {
        List<Rbac.Grant> grants = Rbac.grants(docs);
        List<ApiCall> denied = calls.stream().filter(c -> grants.stream().noneMatch(g -> g.allows(c))).sorted(java.util.Comparator.comparing(ApiCall::toString)).toList();
        assertThat(denied).as("calls the operator makes that %s does not grant", install).isEmpty();
        List<Rbac.Grant> unused = grants.stream().filter(g -> calls.stream().noneMatch(g::allows)).toList();
        assertThat(unused).as("grants of %s that no call uses (least privilege)", install).isEmpty();
        assertThat(grants).as("no wildcards in %s", install).noneMatch(g -> g.verb().equals("*") || g.resource().equals("*"));
    }

    private void reconcileIngestAndAdmit(KubernetesClient test) throws Exception {
        Pod before = TestingObjects.unlabelledPod(PROBES_NS, "rbac", 0);
        before.getSpec().getContainers().removeIf(c -> c.getName().equals(LandscapeProbe.SIDECAR_CONTAINER));
        test.resource(before).create();
        test.resource(TestingObjects.probe(PROBES_NS, "rbac", "rbac")).create();
        Pod labelled = test.resource(TestingObjects.pod(PROBES_NS, "rbac", 1)).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            LandscapeProbe p = test.resources(LandscapeProbe.class).inNamespace(PROBES_NS).withName("rbac").get();
            return p.getStatus() != null && Integer.valueOf(1).equals(p.getStatus().getPodsInjected())
                    && Integer.valueOf(1).equals(p.getStatus().getPodsUninjected());
        });

        TestingObjects.post(labelled, TestingObjects.report(PROBES_NS, "rbac", labelled.getMetadata().getName(), 1, 100,
                Instant.now(), List.of(), List.of()));

        labelled.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("trainer").withRestartCount(1)
                .withNewState().withNewRunning().endRunning().endState()
                .withNewLastState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
                .withFinishedAt(Instant.now().toString()).endTerminated().endLastState().build()));
        test.pods().inNamespace(PROBES_NS).resource(labelled).updateStatus();
        await().atMost(Duration.ofSeconds(30)).until(() -> test.v1().events().inNamespace(PROBES_NS).list().getItems().stream()
                .anyMatch(e -> "OOMKilled".equals(e.getReason())));

        ObjectNode pod = JSON.valueToTree(TestingObjects.pod(PROBES_NS, "rbac", 2));
        ((ObjectNode) pod.get("metadata")).remove("labels");
        ((ObjectNode) pod.get("metadata")).putObject("labels").put("job", "rbac");
        ((ObjectNode) pod.get("spec")).putArray("containers").addObject().put("name", "trainer").put("image", "trainer:1");
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", "rbac-1").put("operation", "CREATE").put("namespace", PROBES_NS);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.set("object", pod);
        given().contentType("application/json").body(review.toString()).post("/mutate").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> test.v1().events().inNamespace(PROBES_NS).list().getItems().stream()
                .anyMatch(e -> "InjectionSkipped".equals(e.getReason())));
    }

    /** The self-signed mode's bootstrap and a serving-certificate renewal 340 days later, on the operator's client. */
    private void selfSignedTlsAndRenewal(KubernetesClient test, String operatorNs) {
        String configuration = "landscape-probe";
        test.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(configuration).endMetadata()
                .addNewWebhook().withName("inject.landscape.dev").withAdmissionReviewVersions("v1").withSideEffects("NoneOnDryRun")
                .withNewClientConfig().withNewService().withName("landscape-operator").withNamespace(operatorNs).withPath("/mutate")
                .withPort(443).endService().endClientConfig().endWebhook().build()).create();
        Instant start = Instant.now();
        CaBundlePublisher publisher = new CaBundlePublisher(operator, operatorNs, "landscape-probe-ca");
        for (Instant now : List.of(start, start.plus(Duration.ofDays(340)), start.plus(Duration.ofDays(3640)))) {
            new SelfSignedTls(new TlsSecretStore(operator, operatorNs, "landscape-webhook-tls"), new CaBundlePatcher(operator),
                    new SelfSignedIssuer(), new SelfSignedTls.Settings("landscape-operator", operatorNs, configuration, certDir,
                    Duration.ofDays(3650), Duration.ofDays(365), Duration.ofDays(30), Duration.ofDays(1)), Clock.fixed(now, ZoneOffset.UTC))
                    .reconcile(cas -> {
                        // The CA bundle published to the sidecars, as the operator publishes it on each pass.
                        String bundle = publisher.record(cas, now);
                        publisher.publish(PROBES_NS, bundle);
                        return bundle;
                    });
        }
        // A JobSet pod's rank: the JobSet is read (absent here: the call is what counts).
        new KubernetesJobSetShapes(operator, Clock.systemUTC()).find(PROBES_NS, "rbac-jobset");
    }

    /** Acquires and renews the operator's Lease as JOSDK's leader election does (Fabric8's LeaderElector, a LeaseLock). */
    private void leaderElection(String operatorNs) throws Exception {
        AtomicBoolean leading = new AtomicBoolean();
        CompletableFuture<?> elector = operator.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(LeaderElection.LEASE)
                .withLock(new LeaseLock(operatorNs, LeaderElection.LEASE, "rbac-test"))
                .withLeaseDuration(Duration.ofSeconds(2)).withRenewDeadline(Duration.ofMillis(1500)).withRetryPeriod(Duration.ofMillis(200))
                .withLeaderCallbacks(new LeaderCallbacks(() -> leading.set(true), () -> { }, id -> { }))
                .build()).build().start();
        await().atMost(Duration.ofSeconds(20)).untilTrue(leading);
        Thread.sleep(600);
        elector.cancel(true);
    }

    private Set<ApiCall> recordedOperatorCalls() throws InterruptedException {
        Set<ApiCall> calls = new TreeSet<>(java.util.Comparator.comparing(ApiCall::toString));
        RecordedRequest r;
        while ((r = server.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            String agent = r.getHeader("User-Agent");
            if (agent == null || !agent.contains(TEST_AGENT)) {
                // QOSDK applies the CRDs in test mode only (quarkus.operator-sdk.crd.apply=false in production).
                ApiCalls.of(r).filter(c -> !c.resource().equals("customresourcedefinitions")).ifPresent(calls::add);
            }
        }
        return calls;
    }

    private static Set<ApiCall> map(Set<ApiCall> calls, UnaryOperator<ApiCall> f) {
        return calls.stream().map(f).collect(Collectors.toSet());
    }

    private List<JsonNode> helm(String namespace, String values) throws Exception {
        Path file = java.nio.file.Files.createTempFile(certDir, "values", ".yaml");
        java.nio.file.Files.writeString(file, values);
        return Manifests.documents(new Helm(HelmChartTest.CHART).template().withName("landscape-probe").withNamespace(namespace)
                .withValuesFile(file).call());
    }
}
