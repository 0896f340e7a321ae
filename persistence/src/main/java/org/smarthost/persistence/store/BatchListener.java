package org.smarthost.persistence.store;

/** Told on the commit thread when a group-commit batch has been written (or has failed). */
@FunctionalInterface
public interface BatchListener {
    void batchEnded(boolean committed);
}
