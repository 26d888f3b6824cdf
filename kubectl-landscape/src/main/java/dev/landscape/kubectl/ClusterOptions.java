package dev.landscape.kubectl;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReport;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * The flags kubectl itself has for choosing a cluster and a namespace, with kubectl's defaults: the kubeconfig from
 * {@code --kubeconfig}, else {@code $KUBECONFIG}, else {@code ~/.kube/config}; its current context unless
 * {@code --context} names another; the namespace from {@code -n}, else the context's, else {@code default}.
 */
final class ClusterOptions {

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use (default: the current context).")
    String context;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "The probe's namespace (default: the context's namespace, else default).")
    String namespace;

    /** The cluster as these flags choose it. */
    Cluster connect() {
        Config config;
        if (kubeconfig != null) {
            if (!Files.isRegularFile(kubeconfig)) {
                throw new ClusterException("--kubeconfig " + kubeconfig + ": no such file");
            }
            config = Config.fromKubeconfig(context, kubeconfig.toFile());
        } else {
            config = Config.autoConfigure(context);
        }
        if (context != null && config.getContexts().stream().map(NamedContext::getName).noneMatch(context::equals)) {
            throw new ClusterException("context \"" + context + "\" does not exist in " + (kubeconfig != null ? kubeconfig
                    : String.join(", ", Config.getKubeconfigFilenames())));
        }
        // kubectl fails fast rather than retrying for a minute; an interactive command should too
        config.setRequestRetryBackoffLimit(1);
        config.setConnectionTimeout(10_000);
        String ns = namespace != null ? namespace : config.getNamespace() != null ? config.getNamespace() : "default";
        String contextName = config.getCurrentContext() == null ? "(no context)" : config.getCurrentContext().getName();
        return new Cluster(new KubernetesClientBuilder().withConfig(config).build(), ns, contextName, config.getMasterUrl());
    }

    /** A client, the namespace to look in, and where they point (for error messages). */
    record Cluster(KubernetesClient client, String namespace, String context, String server) implements AutoCloseable {

        LandscapeProbe probe(String name) {
            LandscapeProbe p = ask(() -> client.resources(LandscapeProbe.class).inNamespace(namespace).withName(name).get());
            if (p == null) {
                throw new ClusterException("landscapeprobes.landscape.dev \"" + name + "\" not found in namespace " + namespace
                        + " (context " + context + "); list them with: kubectl get lp -n " + namespace);
            }
            return p;
        }

        /** The probe's ProbeReports, by rank. */
        List<ProbeReport> reports(String probe) {
            return ask(() -> client.resources(ProbeReport.class).inNamespace(namespace).list().getItems()).stream()
                    .filter(r -> r.getSpec() != null && probe.equals(r.getSpec().getProbe()) && r.getSpec().getRank() != null)
                    .sorted(Comparator.comparingInt(r -> r.getSpec().getRank()))
                    .toList();
        }

        <T> T ask(java.util.function.Supplier<T> call) {
            try {
                return call.get();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    throw new ClusterException("the LandscapeProbe API is not installed in the cluster of context " + context
                            + " (" + server + "): install landscape-probe first (kubectl apply -k deploy/)", e);
                }
                if (e.getCode() == 401 || e.getCode() == 403) {
                    throw new ClusterException("the cluster of context " + context + " refused the request (HTTP " + e.getCode()
                            + "): " + e.getStatus().getMessage(), e);
                }
                throw new ClusterException("cannot reach the cluster of context " + context + " at " + server + ": " + rootCause(e), e);
            }
        }

        /** The causes below the client's own wrapper, e.g. "ConnectException: ClosedChannelException". */
        private static String rootCause(Throwable t) {
            java.util.List<String> parts = new java.util.ArrayList<>();
            for (Throwable c = t.getCause(); c != null && parts.size() < 4; c = c.getCause()) {
                parts.add(c.getClass().getSimpleName() + (c.getMessage() == null || c.getMessage().isBlank() ? "" : " (" + c.getMessage() + ")"));
            }
            return parts.isEmpty() ? t.getMessage() : String.join(": ", parts);
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
