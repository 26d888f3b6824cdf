package dev.landscape.probe.checkpoint.pickle;

/**
 * A class or function named by a pickle ({@code GLOBAL}/{@code STACK_GLOBAL}). It is only a name: nothing is
 * imported, loaded or called. Hashable by value, as Lightning uses classes as dict keys.
 */
public record PyGlobal(String module, String name) implements Comparable<PyGlobal> {

    public String qualifiedName() {
        return module + "." + name;
    }

    public boolean is(String module, String name) {
        return this.module.equals(module) && this.name.equals(name);
    }

    /** A total order, only so that hash maps can keep colliding names in a balanced tree. */
    @Override
    public int compareTo(PyGlobal o) {
        int c = module.compareTo(o.module);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
