package dev.landscape.operator.crd;

import io.fabric8.generator.annotation.Default;

/**
 * Reads a field's schema default from its {@link Default} annotation, so that code reading a spec that was never
 * defaulted by an API server (a unit test, a dry run) uses the same value the CRD declares: one source of truth.
 */
public final class SchemaDefaults {

    private SchemaDefaults() {
    }

    /** {@code value} when set, else the {@code @Default} of {@code type.field}. */
    public static String orDefault(String value, Class<?> type, String field) {
        return value != null ? value : of(type, field);
    }

    public static int orDefault(Integer value, Class<?> type, String field) {
        return value != null ? value : Integer.parseInt(of(type, field));
    }

    public static String of(Class<?> type, String field) {
        try {
            Default d = type.getDeclaredField(field).getAnnotation(Default.class);
            if (d == null) {
                throw new IllegalArgumentException(type.getSimpleName() + "." + field + " has no schema default");
            }
            return d.value();
        } catch (NoSuchFieldException e) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no field " + field, e);
        }
    }
}
