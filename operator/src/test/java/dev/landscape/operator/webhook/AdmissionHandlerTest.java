package dev.landscape.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.rank.JobSetShapes;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Admission decisions that golden files do not show: warnings, Events, conflicts, malformed requests. */
class AdmissionHandlerTest {

    private final TestingProbeEvents events = new TestingProbeEvents();
    private final List<Boolean> dryRuns = new ArrayList<>();

    private AdmissionHandler handler(List<LandscapeProbe> probes) {
        return new AdmissionHandler(ns -> probes, () -> InjectionGoldenTest.settings(true), dryRun -> {
            dryRuns.add(dryRun);
            return dryRun ? ProbeEvents.NONE : events;
        }, InjectionGoldenTest.OPERATOR_NAMESPACE, JobSetShapes.NONE);
    }

    private static List<JsonNode> golden(String name) {
        return AdmissionReviews.documents(InjectionGoldenTest.GOLDEN + name + ".yaml");
    }

    @Test
    void warmUpInjectsItsSyntheticPodWithoutReadingTheCatalogOrWritingEvents() {
        AdmissionHandler handler = new AdmissionHandler(ns -> {
            throw new AssertionError("the warm-up read the catalog for namespace " + ns);
        }, () -> InjectionGoldenTest.settings(true), dryRun -> events, InjectionGoldenTest.OPERATOR_NAMESPACE,
                JobSetShapes.NONE);

        boolean patched = handler.warmUp();

        assertThat(patched).isTrue();
        assertThat(events.recorded).isEmpty();
    }

    @Test
    void badJsonIsAllowedWithAWarningNamingTheLocation() {
        AdmissionReview answer = handler(List.of()).review("{\"request\": {".getBytes(StandardCharsets.UTF_8));

        assertThat(answer.getResponse().getAllowed()).isTrue();
        assertThat(answer.getResponse().getPatch()).isNull();
        assertThat(answer.getResponse().getWarnings()).singleElement().asString()
                .contains("not valid JSON at line 1 column");
    }

    @Test
    void reviewWithoutRequestIsAllowedWithAWarning() {
        AdmissionReview answer = handler(List.of()).review("{\"kind\":\"AdmissionReview\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(answer.getResponse().getAllowed()).isTrue();
        assertThat(answer.getResponse().getWarnings()).singleElement().asString().contains("no \"request\" object");
    }

    @Test
    void nonPodKindIsAllowedWithAWarningNamingTheKind() {
        ObjectNode review = (ObjectNode) read(AdmissionReviews.podCreate("u1", "vision", pod("indexed-job-pod")));
        ((ObjectNode) review.get("request").get("kind")).put("group", "apps").put("kind", "Deployment");

        AdmissionReview answer = handler(AdmissionReviews.probes(golden("indexed-job-pod"))).review(AdmissionReviews.bytes(review));

        assertThat(answer.getResponse().getAllowed()).isTrue();
        assertThat(answer.getResponse().getUid()).isEqualTo("u1");
        assertThat(answer.getResponse().getPatch()).isNull();
        assertThat(answer.getResponse().getWarnings()).singleElement().asString().contains("apps/v1 Deployment");
    }

    @Test
    void deleteIsAllowedWithoutPatch() {
        ObjectNode review = (ObjectNode) read(AdmissionReviews.podCreate("u2", "vision", pod("indexed-job-pod")));
        ((ObjectNode) review.get("request")).put("operation", "DELETE");

        AdmissionReview answer = handler(AdmissionReviews.probes(golden("indexed-job-pod"))).review(AdmissionReviews.bytes(review));

        assertThat(answer.getResponse().getAllowed()).isTrue();
        assertThat(answer.getResponse().getPatch()).isNull();
        assertThat(answer.getResponse().getWarnings()).singleElement().asString().contains("\"DELETE\", not CREATE");
    }

    @Test
    void objectThatIsNotAPodIsAllowedWithAWarning() {
        ObjectNode review = (ObjectNode) read(AdmissionReviews.podCreate("u3", "vision", pod("indexed-job-pod")));
        ((ObjectNode) review.get("request")).putObject("object").putArray("spec");

        AdmissionReview answer = handler(AdmissionReviews.probes(golden("indexed-job-pod"))).review(AdmissionReviews.bytes(review));

        assertThat(answer.getResponse().getAllowed()).isTrue();
        assertThat(answer.getResponse().getWarnings()).singleElement().asString().contains("not a valid Pod");
    }

    @Test
    void podInTheOperatorNamespaceIsLeftAlone() {
        AdmissionReview answer = handler(AdmissionReviews.probes(golden("indexed-job-pod")))
                .review(AdmissionReviews.podCreate("u4", InjectionGoldenTest.OPERATOR_NAMESPACE, pod("indexed-job-pod")));

        assertThat(answer.getResponse().getPatch()).isNull();
        assertThat(events.recorded).isEmpty();
    }

    @Test
    void podWithoutCheckpointVolumeGetsAWarningAndAnEventOnTheProbe() {
        AdmissionReview answer = handler(AdmissionReviews.probes(golden("no-checkpoint-volume")))
                .review(AdmissionReviews.podCreate("u5", "vision", pod("no-checkpoint-volume")));

        assertThat(answer.getResponse().getPatch()).isNull();
        assertThat(answer.getResponse().getWarnings()).singleElement().asString().contains("has no volume \"ckpt\"");
        assertThat(events.recorded).singleElement().satisfies(e -> {
            assertThat(e.probe()).isEqualTo("resnet");
            assertThat(e.reason()).isEqualTo("InjectionSkipped");
            assertThat(e.message()).contains("pod resnet-sweep-0", "spec.checkpoints.volume");
        });
    }

    @Test
    void twoMatchingProbesTheOlderWinsAndTheLoserGetsAnEvent() {
        List<LandscapeProbe> probes = new ArrayList<>(AdmissionReviews.probes(golden("indexed-job-pod")));
        LandscapeProbe newer = AdmissionReviews.probes(golden("indexed-job-pod")).get(0);
        newer.getMetadata().setName("another");
        newer.getMetadata().setCreationTimestamp("2026-11-22T08:30:00Z");
        probes.add(0, newer);

        AdmissionReview answer = handler(probes).review(AdmissionReviews.podCreate("u6", "vision", pod("indexed-job-pod")));

        assertThat(injectedBy(answer, pod("indexed-job-pod"))).isEqualTo("resnet");
        assertThat(events.recorded).singleElement().satisfies(e -> {
            assertThat(e.probe()).isEqualTo("another");
            assertThat(e.reason()).isEqualTo("ProbeConflict");
            assertThat(e.message()).contains("probe resnet is older");
        });
    }

    @Test
    void sameCreationTimeIsBrokenByName() {
        LandscapeProbe b = AdmissionReviews.probes(golden("indexed-job-pod")).get(0);
        b.getMetadata().setName("b-probe");
        LandscapeProbe a = AdmissionReviews.probes(golden("indexed-job-pod")).get(0);
        a.getMetadata().setName("a-probe");

        AdmissionReview answer = handler(List.of(b, a)).review(AdmissionReviews.podCreate("u7", "vision", pod("indexed-job-pod")));

        assertThat(injectedBy(answer, pod("indexed-job-pod"))).isEqualTo("a-probe");
    }

    @Test
    void sharedGpuWithoutClaimInjectsOnCpuAndSaysWhy() {
        List<LandscapeProbe> probes = AdmissionReviews.probes(golden("dra-shared-gpu"));
        ObjectNode pod = (ObjectNode) pod("dra-shared-gpu");
        ((ObjectNode) pod.get("spec")).remove("resourceClaims");
        ((ObjectNode) pod.get("spec").get("containers").get(0)).remove("resources");

        AdmissionReview answer = handler(probes).review(AdmissionReviews.podCreate("u8", "vision", pod));

        JsonNode sidecar = JsonPatch.apply(AdmissionReviews.patch(answer), pod).at("/spec/initContainers/0");
        assertThat(sidecar.at("/resources/claims").isMissingNode()).isTrue();
        assertThat(sidecar.get("env").toString()).contains("{\"name\":\"LANDSCAPE_GPU\",\"value\":\"none\"}");
        assertThat(answer.getResponse().getWarnings()).singleElement().asString().contains("has no DRA resource claim");
        assertThat(events.recorded).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("InjectedWithoutGpu"));
    }

    @Test
    void dryRunWritesNoEvents() {
        ObjectNode review = (ObjectNode) read(AdmissionReviews.podCreate("u9", "vision", pod("no-checkpoint-volume")));
        ((ObjectNode) review.get("request")).put("dryRun", true);

        handler(AdmissionReviews.probes(golden("no-checkpoint-volume"))).review(AdmissionReviews.bytes(review));

        assertThat(dryRuns).containsExactly(true);
        assertThat(events.recorded).isEmpty();
    }

    @Test
    void podThatNoProbeSelectsIsLeftAlone() {
        ObjectNode pod = (ObjectNode) pod("indexed-job-pod");
        ((ObjectNode) pod.get("metadata").get("labels")).put("job-name", "something-else");

        AdmissionReview answer = handler(AdmissionReviews.probes(golden("indexed-job-pod")))
                .review(AdmissionReviews.podCreate("u10", "vision", pod));

        assertThat(answer.getResponse().getPatch()).isNull();
        assertThat(answer.getResponse().getWarnings()).isNullOrEmpty();
    }

    private static JsonNode pod(String name) {
        return AdmissionReviews.pod(golden(name)).deepCopy();
    }

    private static String injectedBy(AdmissionReview answer, JsonNode pod) {
        return JsonPatch.apply(AdmissionReviews.patch(answer), pod).at("/metadata/annotations")
                .path(InjectionAnnotations.INJECTED).asText();
    }

    private static JsonNode read(byte[] bytes) {
        try {
            return AdmissionReviews.JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
