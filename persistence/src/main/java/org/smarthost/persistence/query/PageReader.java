package org.smarthost.persistence.query;

import java.util.List;

/** A stateful cursor over the store: each call returns the next items (empty when caught up). */
interface PageReader<T> {

    List<T> next();

    /** True when the query has a bound (e.g. toSequenceNr) and has passed it. */
    default boolean finished() {
        return false;
    }
}
