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

    /**
     * Everything the given changes changed (nulls allowed). One pass into one set each: merging
     * pairwise copied both sets again for every part of a group commit.
     */
    static StoreChange union(Iterable<StoreChange> changes) {
        Set<String> ids = new HashSet<>();
        Set<String> t = new HashSet<>();
        boolean fresh = false;
        for (StoreChange c : changes) {
            if (c == null) continue;
            ids.addAll(c.persistenceIds);
            t.addAll(c.tags);
            fresh |= c.newPersistenceIds;
        }
        return ids.isEmpty() && t.isEmpty() && !fresh ? NONE : new StoreChange(ids, t, fresh);
    }
}
