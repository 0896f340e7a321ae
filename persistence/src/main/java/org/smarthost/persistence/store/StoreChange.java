package org.smarthost.persistence.store;

import java.util.HashSet;
import java.util.Set;

/**
 * What a committed batch changed, for live queries: the persistence IDs and tags that got new
 * events, and whether a persistence ID was seen for the first time.
 */
public record StoreChange(Set<String> persistenceIds, Set<String> tags, boolean newPersistenceIds) {

    public static final StoreChange NONE = new StoreChange(Set.of(), Set.of(), false);

    public StoreChange {
        persistenceIds = Set.copyOf(persistenceIds);
        tags = Set.copyOf(tags);
    }

    public boolean isEmpty() {
        return persistenceIds.isEmpty() && tags.isEmpty() && !newPersistenceIds;
    }

    StoreChange merge(StoreChange other) {
        if (other == null || other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Set<String> ids = new HashSet<>(persistenceIds);
        ids.addAll(other.persistenceIds);
        Set<String> t = new HashSet<>(tags);
        t.addAll(other.tags);
        return new StoreChange(ids, t, newPersistenceIds || other.newPersistenceIds);
    }
}
