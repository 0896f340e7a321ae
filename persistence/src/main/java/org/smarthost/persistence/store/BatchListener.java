package org.smarthost.persistence.store;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/** Told on the commit thread about each group-commit batch. */
@FunctionalInterface
public interface BatchListener {

    /**
     * Every part of the batch has been added and it is about to be written: the place for records
     * that describe the batch as a whole, such as a counter's last value, written once instead of
     * once per part. A failure here fails the whole batch.
     */
    default void batchFilled(WriteBatch batch) throws RocksDBException {
    }

    /** The batch has been written (committed) or has failed. */
    void batchEnded(boolean committed);
}
