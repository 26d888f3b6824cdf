package dev.landscape.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.apiserver.admission.MutatingAdmission;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mutating admission as kube-apiserver runs it: HTTPS to the Service's DNS name with the configuration's caBundle,
 * failurePolicy deciding what a failed call means, selectors, timeouts, reinvocation and dry runs. Expected messages
 * are kube-apiserver's (ErrCallingWebhook inside an InternalError, Go's x509 wording).
 */
class MutatingAdmissionTest {

    private static final String HOST = "hook.webhooks.svc";
    private static final String URL = "https://" + HOST + ":443/mutate?timeout=5s";
    private static TestingCertificates.Ca ca;
    private static TestingCertificates.Ca otherCa;

    private static StrictApiServer server;
    private static TestingHttp http;
    private static TestingWebhook webhook;
    private static final List<MutatingAdmission.Call> calls = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ca = TestingCertificates.ca("webhook-ca");
        otherCa = TestingCertificates.ca("someone-else");
        server = StrictApiServer.start();
        server.onAdmission(calls::add);
        http = new TestingHttp(server);
        http.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team\"}}");
        http.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"quiet\",\"labels\":{\"inject\":\"disabled\"}}}");
        serve(new TestingWebhook(ca.serving(HOST)));
    }

    private static void serve(TestingWebhook w) {
        webhook = w;
        server.services().register("webhooks", "hook", 443, new InetSocketAddress(InetAddress.getLoopbackAddress(), webhook.port()));
    }

    @AfterEach
    void reset() throws Exception {
        server.client().admissionRegistration().v1().mutatingWebhookConfigurations().delete();
        server.client().pods().inAnyNamespace().delete();
        webhook.close();
        serve(new TestingWebhook(ca.serving(HOST)));
        calls.clear();
    }

    @AfterAll
    static void stop() {
        webhook.close();
        server.close();
    }

    private static ObjectNode hook(String name, String caBundle, String failurePolicy) {
        ObjectNode w = TestingHttp.JSON.createObjectNode();
        w.put("name", name);
        w.putArray("admissionReviewVersions").add("v1");
        ObjectNode client = w.putObject("clientConfig");
        client.putObject("service").put("name", "hook").put("namespace", "webhooks").put("path", "/mutate").put("port", 443);
        client.put("caBundle", caBundle);
        ObjectNode rule = w.putArray("rules").addObject();
        rule.putArray("apiGroups").add("");
        rule.putArray("apiVersions").add("v1");
        rule.putArray("operations").add("CREATE");
        rule.putArray("resources").add("pods");
        rule.put("scope", "Namespaced");
        w.put("failurePolicy", failurePolicy).put("sideEffects", "None").put("timeoutSeconds", 5).put("reinvocationPolicy", "Never");
        w.set("namespaceSelector", TestingHttp.JSON.createObjectNode().set("matchExpressions", TestingHttp.JSON.createArrayNode()
                .add(TestingHttp.JSON.createObjectNode().put("key", "inject").put("operator", "NotIn")
                        .set("values", TestingHttp.JSON.createArrayNode().add("disabled")))));
        w.set("objectSelector", TestingHttp.JSON.createObjectNode().set("matchLabels", TestingHttp.JSON.createObjectNode().put("app", "trainer")));
        return w;
    }

    private void configure(String name, ObjectNode... hooks) {
        ObjectNode c = TestingHttp.JSON.createObjectNode().put("apiVersion", "admissionregistration.k8s.io/v1").put("kind", "MutatingWebhookConfiguration");
        c.putObject("metadata").put("name", name);
        var list = c.putArray("webhooks");
        for (ObjectNode h : hooks) {
            list.add(h);
        }
        assertThat(http.post("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", c.toString()).code()).isEqualTo(201);
    }

    private TestingHttp.Answer createPod(String namespace, String name, String app, String query) {
        return http.post("/api/v1/namespaces/" + namespace + "/pods" + query, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\""
                + name + "\",\"labels\":{\"app\":\"" + app + "\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
    }

    @Test
    void aTrustedWebhookPatchesThePodBeforeItIsStored() {
        webhook.answering(TestingWebhook.labelling("injected", "yes"));
        configure("inject", hook("inject.test.dev", ca.caBundle(), "Fail"));

        TestingHttp.Answer a = createPod("team", "p1", "trainer", "");

        assertThat(a.code()).isEqualTo(201);
        assertThat(a.body().at("/metadata/labels/injected").asText()).isEqualTo("yes");
        assertThat(http.get("/api/v1/namespaces/team/pods/p1").body().at("/metadata/labels/injected").asText()).isEqualTo("yes");
        assertThat(a.warnings()).containsExactly("299 - \"labelled injected\"");
        JsonNode request = webhook.requests.get(0);
        assertThat(request.path("operation").asText()).isEqualTo("CREATE");
        assertThat(request.path("namespace").asText()).isEqualTo("team");
        assertThat(request.at("/resource/resource").asText()).isEqualTo("pods");
        assertThat(request.path("dryRun").asBoolean()).isFalse();
        assertThat(request.at("/object/metadata/uid").isMissingNode()).as("UIDs are set after mutating admission").isTrue();
        assertThat(calls).extracting(MutatingAdmission.Call::result).containsExactly(MutatingAdmission.Call.Result.PATCHED);
    }

    @Test
    void aCertificateFromAnotherCaFailsClosedUnderFailurePolicyFail() {
        configure("inject", hook("inject.test.dev", otherCa.caBundle(), "Fail"));

        TestingHttp.Answer a = createPod("team", "p2", "trainer", "");

        assertThat(a.code()).isEqualTo(500);
        assertThat(a.body().path("reason").asText()).isEqualTo("InternalError");
        assertThat(a.message()).isEqualTo("Internal error occurred: failed calling webhook \"inject.test.dev\": failed to call webhook: Post \""
                + URL + "\": tls: failed to verify certificate: x509: certificate signed by unknown authority");
        assertThat(http.get("/api/v1/namespaces/team/pods/p2").code()).isEqualTo(404);
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void aCertificateFromAnotherCaIsSkippedUnderFailurePolicyIgnore() {
        configure("inject", hook("inject.test.dev", otherCa.caBundle(), "Ignore"));

        TestingHttp.Answer a = createPod("team", "p3", "trainer", "");

        assertThat(a.code()).isEqualTo(201);
        assertThat(a.body().at("/metadata/labels").has("injected")).isFalse();
        assertThat(calls).extracting(MutatingAdmission.Call::result).containsExactly(MutatingAdmission.Call.Result.FAILED_OPEN);
    }

    @Test
    void aCertificateForAnotherNameFailsTheHostnameCheck() throws Exception {
        webhook.close();
        serve(new TestingWebhook(ca.serving("other.webhooks.svc", "localhost")));
        configure("inject", hook("inject.test.dev", ca.caBundle(), "Fail"));

        TestingHttp.Answer a = createPod("team", "p4", "trainer", "");

        assertThat(a.message()).endsWith("tls: failed to verify certificate: x509: certificate is valid for other.webhooks.svc, localhost, not " + HOST);
    }

    @Test
    void anEmptyCaBundleTrustsOnlyTheSystemRoots() {
        configure("inject", hook("inject.test.dev", "", "Fail"));

        assertThat(createPod("team", "p5", "trainer", "").message()).endsWith("x509: certificate signed by unknown authority");
    }

    @Test
    void selectorsDecideWhichPodsTheWebhookSees() {
        webhook.answering(TestingWebhook.labelling("injected", "yes"));
        configure("inject", hook("inject.test.dev", ca.caBundle(), "Fail"));

        TestingHttp.Answer otherApp = createPod("team", "p6", "web", "");
        TestingHttp.Answer quietNamespace = createPod("quiet", "p7", "trainer", "");

        assertThat(otherApp.body().at("/metadata/labels").has("injected")).isFalse();
        assertThat(quietNamespace.body().at("/metadata/labels").has("injected")).isFalse();
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void aSlowWebhookTimesOutAndFailsClosed() {
        webhook.slow(Duration.ofSeconds(3));
        configure("inject", hook("inject.test.dev", ca.caBundle(), "Fail").put("timeoutSeconds", 1));

        TestingHttp.Answer a = createPod("team", "p8", "trainer", "");

        assertThat(a.message()).isEqualTo("Internal error occurred: failed calling webhook \"inject.test.dev\": failed to call webhook: Post \""
                + URL.replace("timeout=5s", "timeout=1s") + "\": context deadline exceeded");
    }

    @Test
    void aDenialIsTheWebhooksStatusWithItsNameInTheMessage() {
        webhook.answering(r -> {
            ObjectNode out = TestingHttp.JSON.createObjectNode().put("uid", r.path("uid").asText()).put("allowed", false);
            out.putObject("status").put("code", 403).put("message", "no GPUs for you");
            return out;
        });
        configure("inject", hook("inject.test.dev", ca.caBundle(), "Ignore"));

        TestingHttp.Answer a = createPod("team", "p9", "trainer", "");

        assertThat(a.code()).isEqualTo(403);
        assertThat(a.message()).isEqualTo("admission webhook \"inject.test.dev\" denied the request: no GPUs for you");
    }

    @Test
    void aWebhookWithReinvocationIfNeededIsCalledAgainAfterALaterWebhookChangedThePod() {
        webhook.answering(r -> r.at("/object/metadata/labels").has("first")
                ? TestingWebhook.labelling("second", "yes").apply(r)
                : TestingWebhook.labelling("first", "yes").apply(r));
        ObjectNode first = hook("a.test.dev", ca.caBundle(), "Fail").put("reinvocationPolicy", "IfNeeded");
        ObjectNode second = hook("b.test.dev", ca.caBundle(), "Fail");
        configure("inject", first, second);

        TestingHttp.Answer a = createPod("team", "p10", "trainer", "");

        assertThat(a.body().at("/metadata/labels/first").asText()).isEqualTo("yes");
        assertThat(a.body().at("/metadata/labels/second").asText()).isEqualTo("yes");
        assertThat(calls).extracting(MutatingAdmission.Call::webhook).containsExactly("a.test.dev", "b.test.dev", "a.test.dev");
    }

    @Test
    void dryRunsReachOnlyWebhooksWithoutSideEffectsAndStoreNothing() {
        webhook.answering(TestingWebhook.labelling("injected", "yes"));
        configure("inject", hook("inject.test.dev", ca.caBundle(), "Fail").put("sideEffects", "NoneOnDryRun"));

        TestingHttp.Answer a = createPod("team", "p11", "trainer", "?dryRun=All");

        assertThat(a.code()).isEqualTo(201);
        assertThat(a.body().at("/metadata/labels/injected").asText()).isEqualTo("yes");
        assertThat(webhook.requests.get(0).path("dryRun").asBoolean()).isTrue();
        assertThat(http.get("/api/v1/namespaces/team/pods/p11").code()).isEqualTo(404);
    }

    @Test
    void aDryRunIsRefusedByAWebhookWithSideEffects() {
        configure("inject", hook("inject.test.dev", ca.caBundle(), "Fail").put("sideEffects", "Some"));

        TestingHttp.Answer a = createPod("team", "p12", "trainer", "?dryRun=All");

        assertThat(a.code()).isEqualTo(400);
        assertThat(a.message()).isEqualTo("admission webhook \"inject.test.dev\" does not support dry run");
    }
}
