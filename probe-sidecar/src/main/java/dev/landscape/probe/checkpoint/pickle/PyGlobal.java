package dev.landscape.probe.checkpoint.pickle;

/**
 * A class or function named by a pickle ({@code GLOBAL}/{@code STACK_GLOBAL}). It is only a name: nothing is
 * imported, loaded or called. Hashable by value, as Lightning uses classes as dict keys.
 */
public record PyGlobal(String module, String name) {

    public String qualifiedName() {
        return module + "." + name;
    }

    public boolean is(String module, String name) {
        return this.module.equals(module) && this.name.equals(name);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
