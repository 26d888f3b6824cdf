package dev.landscape.probe.checkpoint.pickle;

/**
 * The meaning a reader gives to calls and persistent ids (torch's tensor rebuild functions and storages). The
 * unpickler itself knows only Python's own containers; everything else is either this reducer's business or an
 * inert {@link PyObject}.
 */
public interface Reducer {

    /** Does nothing: every call becomes an inert object, every persistent id is refused. */
    Reducer INERT = new Reducer() {
    };

    /**
     * The value of {@code callable(*args)}, or {@code null} to keep it as an inert {@link PyObject}. Never runs code.
     *
     * @throws PickleValueException when the call is recognised but its arguments are malformed
     */
    default Object reduce(PyGlobal callable, PyTuple args) throws PickleValueException {
        return null;
    }

    /** The object a persistent id stands for ({@code BINPERSID}/{@code PERSID}). */
    default Object persistentLoad(Object pid) throws PickleValueException {
        throw new PickleValueException("persistent id " + PyRepr.of(pid) + " is not expected in this pickle");
    }
}
