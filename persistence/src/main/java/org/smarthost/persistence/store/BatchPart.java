package org.smarthost.persistence.store;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * One caller's share of a group commit. Runs on the store's single commit thread, so it may
 * allocate counters (numeric IDs, tag offsets) without locks; it must not block.
 */
@FunctionalInterface
public interface BatchPart {

    /** Adds this part's puts and deletes; returns what changed for live queries (or {@link StoreChange#NONE}). */
    StoreChange addTo(WriteBatch batch) throws RocksDBException;
}
