package org.smarthost.persistence.body;

import java.io.IOException;
import java.io.InputStream;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;

/**
 * Streams a body chunk by chunk from a RocksDB snapshot taken at open, so a concurrent delete
 * does not cut a delivery short; only one chunk is in memory. Close it to release the snapshot.
 */
final class BodyInputStream extends InputStream {

    private final RocksDB db;
    private final ColumnFamilyHandle bodies;
    private final String queueId;
    private final Snapshot snapshot;
    private final ReadOptions readOptions;
    private byte[] current;
    private int position;
    private int nextChunk;
    private boolean closed;

    BodyInputStream(RocksDB db, ColumnFamilyHandle bodies, String queueId, byte[] first, Snapshot snapshot,
            ReadOptions readOptions) {
        this.db = db;
        this.bodies = bodies;
        this.queueId = queueId;
        this.snapshot = snapshot;
        this.readOptions = readOptions;
        this.current = first;
        this.nextChunk = 1;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("body stream for " + queueId + " is closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current != null && position == current.length) {
            nextChunk();
        }
        if (current == null) {
            return -1;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length - position;
    }

    private void nextChunk() throws IOException {
        try {
            current = db.get(bodies, readOptions, BodyKeys.chunk(queueId, nextChunk++));
            position = 0;
        } catch (RocksDBException e) {
            throw new IOException("cannot read body " + queueId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            current = null;
            readOptions.close();
            db.releaseSnapshot(snapshot);
        }
    }
}
