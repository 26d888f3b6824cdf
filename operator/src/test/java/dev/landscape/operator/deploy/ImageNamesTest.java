package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.landscape.contract.Images;
import dev.landscape.operator.webhook.WebhookConfig;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One name and tag per image ({@link Images}), wherever an image is named: the operator Deployment of every
 * kustomization, the webhook's default sidecar image, the build command of each Dockerfile, the README and the docs.
 * And the operator's Dockerfile fits the Deployment that runs it (user, ports) and the Quarkus build it copies.
 */
class ImageNamesTest {

    /** Anything that looks like one of our images, with whatever tag follows. */
    private static final Pattern OUR_IMAGE = Pattern.compile(
            "(ghcr\\.io/landscape-dev/landscape-(?:probe|operator)|landscape-probe-sidecar|landscape-operator-image)(:[A-Za-z0-9_.<>-]+)?");
    private static final Pattern BUILD_TAG = Pattern.compile("docker build -f (\\S+) -t (\\S+) \\.");

    @Test
    void theTagIsTheReleaseVersion() throws IOException {
        String pom = Files.readString(Manifests.ROOT.resolve("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>landscape-probe-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);

        assertThat(version.find()).as("the parent pom's version").isTrue();
        assertThat(Images.TAG).isEqualTo(version.group(1).replace("-SNAPSHOT", ""));
    }

    @Test
    void everyInstallRunsTheOperatorImage() throws Exception {
        for (String k : List.of("deploy", "deploy/overlays/cert-manager")) {
            List<String> images = new ArrayList<>();
            for (JsonNode doc : Manifests.render(k)) {
                if (doc.path("kind").asText().equals("Deployment")) {
                    doc.at("/spec/template/spec/containers").forEach(c -> images.add(c.path("image").asText()));
                }
            }
            assertThat(images).as("container images of %s", k).containsExactly(Images.OPERATOR);
        }
    }

    @Test
    void theWebhooksDefaultSidecarImageIsTheSidecarImage() throws Exception {
        WithDefault declared = WebhookConfig.class.getMethod("sidecarImage").getAnnotation(WithDefault.class);
        String properties = Files.readString(Manifests.ROOT.resolve("operator/src/main/resources/application.properties"));

        assertThat(declared.value()).isEqualTo(Images.SIDECAR);
        assertThat(properties.lines().filter(l -> l.trim().startsWith("landscape.webhook.sidecar-image")))
                .as("application.properties must not override the default with another name").isEmpty();
    }

    @Test
    void eachDockerfileBuildsItsImageUnderItsName() throws IOException {
        assertThat(buildTag("probe-sidecar/docker/Dockerfile")).isEqualTo(Images.SIDECAR);
        assertThat(buildTag("probe-sidecar/docker/Dockerfile.cuda")).isEqualTo(Images.SIDECAR_CUDA);
        assertThat(buildTag("operator/src/main/docker/Dockerfile.jvm")).isEqualTo(Images.OPERATOR);
    }

    @Test
    void theReadmeAndTheDocsNameOnlyTheseImages() throws IOException {
        Set<String> canonical = Set.of(Images.OPERATOR, Images.SIDECAR, Images.SIDECAR_CUDA);
        List<Path> pages = new ArrayList<>(List.of(Manifests.ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(Manifests.ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        Set<String> named = new TreeSet<>();
        for (Path page : pages) {
            Matcher m = OUR_IMAGE.matcher(Files.readString(page));
            while (m.find()) {
                named.add(m.group());
                assertThat(m.group()).as("an image named in %s", Manifests.ROOT.relativize(page)).isIn(canonical);
            }
        }
        assertThat(named).as("the docs say which images to build and run").contains(Images.OPERATOR, Images.SIDECAR);
    }

    @Test
    void theOperatorImageRunsAsTheDeploymentsUserWithItsPortsExposed() throws Exception {
        String dockerfile = Files.readString(Manifests.ROOT.resolve("operator/src/main/docker/Dockerfile.jvm"));
        JsonNode deployment = Manifests.render("deploy").stream().filter(d -> d.path("kind").asText().equals("Deployment"))
                .findFirst().orElseThrow();
        Set<String> exposed = new TreeSet<>(List.of(instruction(dockerfile, "EXPOSE").split("\\s+")));
        Set<String> ports = new TreeSet<>();
        deployment.at("/spec/template/spec/containers/0/ports").forEach(p -> ports.add(p.path("containerPort").asText()));

        assertThat(instruction(dockerfile, "USER")).isEqualTo(deployment.at("/spec/template/spec/securityContext/runAsUser").asText());
        assertThat(exposed).containsAll(ports);
        assertThat(dockerfile).contains("ENV JAVA_APP_JAR=\"/deployments/quarkus-run.jar\"");
        assertThat(OperatorImageIT.copySources(dockerfile)).as("COPY sources come from the Quarkus build")
                .allSatisfy(s -> assertThat(s).startsWith("operator/target/quarkus-app/"));
    }

    @Test
    void theSidecarImagesRunAsTheUserTheWebhookSets() throws IOException {
        String injected = Files.readString(Manifests.ROOT.resolve("operator/src/test/resources/webhook/golden/pytorchjob-worker.injected.yaml"));
        Matcher runAsUser = Pattern.compile("runAsUser: (\\d+)").matcher(injected);
        assertThat(runAsUser.find()).isTrue();

        for (String file : List.of("probe-sidecar/docker/Dockerfile", "probe-sidecar/docker/Dockerfile.cuda")) {
            String dockerfile = Files.readString(Manifests.ROOT.resolve(file));
            assertThat(instruction(dockerfile, "USER")).as(file).isEqualTo(runAsUser.group(1) + ":" + runAsUser.group(1));
            assertThat(dockerfile).as(file).contains("COPY probe-sidecar/target/landscape-probe.jar ");
        }
        assertThat(Files.readString(Manifests.ROOT.resolve("probe-sidecar/pom.xml")))
                .as("the shaded jar the Dockerfiles copy").contains("<outputFile>${project.build.directory}/landscape-probe.jar</outputFile>");
    }

    private static String buildTag(String dockerfile) throws IOException {
        Matcher m = BUILD_TAG.matcher(Files.readString(Manifests.ROOT.resolve(dockerfile)));
        assertThat(m.find()).as("%s documents its docker build command", dockerfile).isTrue();
        assertThat(m.group(1)).as("the build command of %s builds that file", dockerfile).isEqualTo(dockerfile);
        return m.group(2);
    }

    private static String instruction(String dockerfile, String keyword) {
        return dockerfile.lines().filter(l -> l.startsWith(keyword + " ")).map(l -> l.substring(keyword.length() + 1).trim())
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no " + keyword + " instruction"));
    }
}
