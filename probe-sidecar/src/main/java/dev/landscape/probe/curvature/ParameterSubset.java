package dev.landscape.probe.curvature;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which parameters curvature is measured over: all of them, or those whose name matches one of a list of globs
 * ({@code --parameters}, {@code spec.metrics.parameters}). The Hessian of a subset is the diagonal block of the full
 * Hessian on those coordinates (the other parameters held at the checkpoint's values), which is what PyHessian users
 * compute on large models: the last blocks and the head, where sharpness tends to concentrate, at a fraction of the
 * memory. Globs use {@code *} (any characters but '/'), {@code ?}, {@code [..]} and {@code {a,b}}, and are matched
 * against the ONNX initializer name and the checkpoint tensor it was bound from, so both
 * {@code transformer.h.11.*} and {@code model.transformer.h.11.*} work.
 */
public final class ParameterSubset {

    /** Every parameter. */
    public static final ParameterSubset ALL = new ParameterSubset(List.of());

    private final List<String> globs;

    private ParameterSubset(List<String> globs) {
        this.globs = List.copyOf(globs);
    }

    /** @param globs empty for every parameter; a malformed glob is an error naming it */
    public static ParameterSubset of(List<String> globs) {
        for (String g : globs) {
            if (g.isBlank()) {
                throw new CurvatureException("an empty parameter glob in " + globs);
            }
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + g);
            } catch (IllegalArgumentException e) {
                throw new CurvatureException("parameter glob '" + g + "' is malformed: " + e.getMessage());
            }
        }
        return globs.isEmpty() ? ALL : new ParameterSubset(globs);
    }

    public List<String> globs() {
        return globs;
    }

    public boolean isAll() {
        return globs.isEmpty();
    }

    /**
     * The parameters selected, in the given order.
     *
     * @param names   parameter (initializer) names, in layout order
     * @param sources initializer name to the checkpoint tensor name it was bound from
     * @throws CurvatureException when a glob matches nothing, listing the parameter names
     */
    public Set<String> select(List<String> names, Map<String, String> sources) {
        if (isAll()) {
            return new LinkedHashSet<>(names);
        }
        Set<String> out = new LinkedHashSet<>();
        List<String> unmatched = new ArrayList<>();
        for (String g : globs) {
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + g);
            boolean any = false;
            for (String name : names) {
                if (matches(m, name) || matches(m, sources.getOrDefault(name, name))) {
                    any = true;
                    out.add(name);
                }
            }
            if (!any) {
                unmatched.add(g);
            }
        }
        if (!unmatched.isEmpty()) {
            throw new CurvatureException("parameter glob(s) " + unmatched + " match no parameter of the model; "
                    + "parameters: " + abbreviated(names));
        }
        List<String> ordered = new ArrayList<>(names);
        ordered.retainAll(out);
        return new LinkedHashSet<>(ordered);
    }

    /**
     * Parameters grouped by layer, for the per-block mode: the name up to its first all-digit component
     * ({@code transformer.h.3.attn.c_attn.weight} is in {@code transformer.h.3}, {@code bert.encoder.layer.0...}
     * in {@code bert.encoder.layer.0}), else the module that owns the tensor (the name without its last component:
     * {@code fc1.weight} and {@code fc1.bias} are {@code fc1}); a name without dots is its own group. Groups keep the
     * order of their first parameter.
     */
    public static Map<String, List<String>> layers(List<String> names) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : names) {
            out.computeIfAbsent(layerOf(name), k -> new ArrayList<>()).add(name);
        }
        return out;
    }

    static String layerOf(String name) {
        String[] parts = name.split("\\.");
        for (int i = 1; i < parts.length - 1; i++) {
            if (parts[i].matches("[0-9]+")) {
                return String.join(".", java.util.Arrays.copyOf(parts, i + 1));
            }
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static boolean matches(PathMatcher m, String name) {
        try {
            return m.matches(Path.of(name));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private static String abbreviated(List<String> names) {
        if (names.size() <= 40) {
            return names.toString();
        }
        return names.subList(0, 20) + " ... " + names.subList(names.size() - 10, names.size()) + " ("
                + names.size() + " in all)";
    }

    @Override
    public String toString() {
        return isAll() ? "all parameters" : "parameters matching " + globs;
    }
}
