package dev.landscape.probe.curvature.onnx;

import onnx.Onnx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An ONNX graph cut in two for a parameter subset: the frozen part (every node whose value does not depend on an
 * analysed parameter, so depends only on frozen weights and the fixed eval batch) and the dependent part (every node
 * that does). The frozen part's values are the same for every gradient and Hessian-vector product of an analysis, so
 * it is evaluated once and its values at the frontier (those the dependent part reads, and frozen graph outputs) are
 * bound as constants; only the dependent part is differentiated. For the last block of a GPT that leaves the other
 * blocks out of every pass, and their weights out of memory once the frozen part has run.
 *
 * @param frozen    the nodes the frontier needs, with the initializers and inputs they read; its outputs are the
 *                  frontier
 * @param dependent the nodes that depend on an analysed parameter, with the initializers and inputs they read and the
 *                  original graph outputs; it reads the frontier values as if they were defined before its first node
 * @param frontier  names of the values computed by the frozen part that the dependent part reads, in graph order
 */
public record GraphSplit(Onnx.ModelProto frozen, Onnx.ModelProto dependent, List<String> frontier) {

    /**
     * The split for analysed parameters {@code parameters}, or empty when there is nothing to fold (every node
     * depends on an analysed parameter or reads only initializers and inputs).
     */
    public static Optional<GraphSplit> of(Onnx.ModelProto model, Set<String> parameters) {
        Onnx.GraphProto g = model.getGraph();
        Set<String> sources = new HashSet<>();
        g.getInitializerList().forEach(t -> sources.add(t.getName()));
        g.getInputList().forEach(i -> sources.add(i.getName()));
        Set<String> dependentValues = new HashSet<>(parameters);
        List<Onnx.NodeProto> dependentNodes = new ArrayList<>();
        List<Onnx.NodeProto> frozenNodes = new ArrayList<>();
        for (Onnx.NodeProto n : g.getNodeList()) {
            if (n.getInputList().stream().anyMatch(dependentValues::contains)) {
                dependentNodes.add(n);
                dependentValues.addAll(n.getOutputList());
            } else {
                frozenNodes.add(n);
            }
        }
        Set<String> wanted = new HashSet<>(outputNames(g));
        dependentNodes.forEach(n -> wanted.addAll(n.getInputList()));
        Set<String> frontier = new LinkedHashSet<>();
        for (Onnx.NodeProto n : frozenNodes) {
            for (String out : n.getOutputList()) {
                if (!out.isEmpty() && wanted.contains(out)) {
                    frontier.add(out);
                }
            }
        }
        if (frontier.isEmpty() || frozenNodes.isEmpty()) {
            return Optional.empty();
        }
        List<Onnx.NodeProto> needed = ancestors(frozenNodes, frontier);
        return Optional.of(new GraphSplit(part(model, needed, new ArrayList<>(frontier), Set.of()),
                part(model, dependentNodes, outputNames(g), frontier), List.copyOf(frontier)));
    }

    /** The frozen nodes that the frontier's values need, in graph order. */
    private static List<Onnx.NodeProto> ancestors(List<Onnx.NodeProto> nodes, Set<String> frontier) {
        Set<String> wanted = new HashSet<>(frontier);
        List<Onnx.NodeProto> out = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Onnx.NodeProto n = nodes.get(i);
            if (n.getOutputList().stream().anyMatch(wanted::contains)) {
                out.add(0, n);
                wanted.addAll(n.getInputList());
            }
        }
        return out;
    }

    /**
     * A model of {@code nodes} with the initializers and graph inputs they read and the given outputs; {@code given}
     * are values the nodes read that the caller defines (the frontier), so they are neither inputs nor initializers.
     */
    private static Onnx.ModelProto part(Onnx.ModelProto model, List<Onnx.NodeProto> nodes, List<String> outputs,
                                        Set<String> given) {
        Onnx.GraphProto g = model.getGraph();
        Set<String> read = new HashSet<>(outputs);
        nodes.forEach(n -> read.addAll(n.getInputList()));
        Onnx.GraphProto.Builder b = g.toBuilder().clearNode().clearInitializer().clearInput().clearOutput()
                .clearValueInfo().addAllNode(nodes);
        for (Onnx.TensorProto t : g.getInitializerList()) {
            if (read.contains(t.getName()) && !given.contains(t.getName())) {
                b.addInitializer(t);
            }
        }
        for (Onnx.ValueInfoProto in : g.getInputList()) {
            if (read.contains(in.getName())) {
                b.addInput(in);
            }
        }
        for (String name : outputs) {
            b.addOutput(g.getOutputList().stream().filter(o -> o.getName().equals(name)).findFirst()
                    .orElse(Onnx.ValueInfoProto.newBuilder().setName(name).build()));
        }
        return model.toBuilder().setGraph(b).build();
    }

    private static List<String> outputNames(Onnx.GraphProto g) {
        return g.getOutputList().stream().map(Onnx.ValueInfoProto::getName).toList();
    }
}
