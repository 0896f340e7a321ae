package org.smarthost.config.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexedTableTest {

    @TempDir
    Path dir;

    private final CollectingLog log = new CollectingLog();

    private TableContext context() {
        return log.context(dir);
    }

    @Test
    void builtTableIsFoundUnderEachTypesFileName() throws Exception {
        Files.writeString(dir.resolve("transport"), "Example.com smtp:[a]\n# c\nb.example relay:[b]:587\n");
        for (String type : List.of("hash", "btree", "lmdb", "cdb")) {
            IndexedTables.create(type, "transport", context(), true);
            LookupTable t = IndexedTable.open(type + ":transport", type, "transport", context());
            assertEquals(Optional.of("smtp:[a]"), t.find("EXAMPLE.COM"));
            assertEquals(Optional.of("relay:[b]:587"), t.find("b.example"));
            assertEquals(Optional.empty(), t.find("c.example"));
        }
        assertTrue(Files.exists(dir.resolve("transport.db")));
        assertTrue(Files.exists(dir.resolve("transport.lmdb")));
        assertTrue(Files.exists(dir.resolve("transport.cdb")));
        assertEquals(List.of(), log.warnings);
        try (var files = Files.list(dir)) {           // no temporary file left behind
            assertEquals(4, files.count());
        }
    }

    @Test
    void missingForeignAndDamagedFilesFailTheOpenWithAReason() throws Exception {
        TableOpenException missing = assertThrows(TableOpenException.class,
                () -> IndexedTable.open("hash:x", "hash", "x", context()));
        assertEquals("open database x.db: No such file or directory", missing.getMessage());

        // a Berkeley DB hash file starts with its metadata page; its magic is at offset 12
        byte[] bdb = new byte[4096];
        bdb[12] = 0x61; bdb[13] = 0x15; bdb[14] = 0x06;
        Files.write(dir.resolve("x.db"), bdb);
        TableOpenException foreign = assertThrows(TableOpenException.class,
                () -> IndexedTable.open("hash:x", "hash", "x", context()));
        assertEquals("x.db is not in smarthost's table format (it may have been made by Postfix's postmap or"
                + " another program); run smarthost's \"postmap hash:x\" to rebuild it", foreign.getMessage());

        IndexedFile.write(dir.resolve("x.db"), Map.of("k", "v"), null);
        byte[] good = Files.readAllBytes(dir.resolve("x.db"));
        Files.write(dir.resolve("x.db"), java.util.Arrays.copyOf(good, good.length - 3));
        TableOpenException damaged = assertThrows(TableOpenException.class,
                () -> IndexedTable.open("hash:x", "hash", "x", context()));
        assertEquals("x.db: truncated or damaged smarthost table; run \"postmap hash:x\" to rebuild it",
                damaged.getMessage());
    }

    @Test
    void warnsWhenTheSourceIsNewerThanTheTable() throws Exception {
        Files.writeString(dir.resolve("access"), "a OK\n");
        IndexedTables.create("hash", "access", context(), true);
        Files.setLastModifiedTime(dir.resolve("access"), FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        IndexedTable.open("hash:access", "hash", "access", context());
        assertEquals(List.of("database access.db is older than source file access"), log.warnings);
    }

    @Test
    void reloadsAChangedFileAtMostOnceASecondAndKeepsTheOldContentsOnFailure() throws Exception {
        Files.writeString(dir.resolve("t"), "a 1\n");
        IndexedTables.create("hash", "t", context(), true);
        AtomicLong clock = new AtomicLong();
        IndexedTable t = IndexedTable.open("hash:t", "hash", "t", context(), clock::get);

        Files.writeString(dir.resolve("t"), "a 2\n");
        IndexedTables.create("hash", "t", context(), true);
        assertEquals(Optional.of("1"), t.find("a"));            // not looked at yet: less than a second
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1001));
        assertEquals(Optional.of("2"), t.find("a"));
        assertEquals(List.of("table hash:t has changed -- reloading"), log.infos);

        Files.writeString(dir.resolve("t.db"), "garbage that is not a table");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertEquals(Optional.of("2"), t.find("a"));
        assertEquals(1, log.warnings.size());
        assertTrue(log.warnings.get(0).endsWith("-- still using the table as last read"), log.warnings.get(0));
        clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
        t.find("a");
        assertEquals(1, log.warnings.size());                   // said once per change, not every second
    }

    @Test
    void duplicatesWarnKeepTheFirstOrReplaceOrIgnore() throws Exception {
        Files.writeString(dir.resolve("d"), "k 1\nK 2\n");
        IndexedTables.create("hash", "d", context(), true);
        assertEquals(List.of("d: duplicate entry: \"K\""), log.warnings);
        assertEquals(Optional.of("1"), IndexedTable.open("hash:d", "hash", "d", context()).find("k"));

        IndexedTables.create("lmdb", "d", context(), true);
        assertEquals("lmdb:d: duplicate entry: \"K\"", log.warnings.get(1));

        TableContext replace = new TableContext(dir, log, true, TableContext.Duplicates.REPLACE);
        IndexedTables.create("hash", "d", replace, true);
        assertEquals(Optional.of("2"), IndexedTable.open("hash:d", "hash", "d", replace).find("k"));
        assertEquals(2, log.warnings.size());

        TableContext noFold = new TableContext(dir, log, false, TableContext.Duplicates.IGNORE);
        IndexedTables.create("hash", "d", noFold, true);
        IndexedTable exact = IndexedTable.open("hash:d", "hash", "d", noFold);
        assertEquals(Map.of("k", "1", "K", "2"), exact.entries());
        assertEquals(Optional.empty(), exact.find("k2"));
    }

    @Test
    void incrementalUpdateAndDelete() throws Exception {
        IndexedTables.update("hash", "new", context(), "a 1\nb 2\n");
        IndexedTables.update("hash", "new", context(), "c 3\na 9\n");
        assertEquals(List.of("new: duplicate entry: \"a\""), log.warnings);
        assertEquals(2, IndexedTables.delete("hash", "new", context(), List.of("A", "b", "zz")));
        assertEquals(Map.of("c", "3"), IndexedTable.open("hash:new", "hash", "new", context()).entries());
        TableOpenException e = assertThrows(TableOpenException.class,
                () -> IndexedTables.delete("hash", "none", context(), List.of("a")));
        assertEquals("open database none.db: No such file or directory", e.getMessage());
    }

    @Test
    void aMillionEntriesLoadQuickly() throws Exception {
        Map<String, String> big = new HashMap<>();
        for (int i = 0; i < 1_000_000; i++) big.put("user" + i + "@example.com", "smtp:[relay" + (i % 7) + "]");
        IndexedFile.write(dir.resolve("big.db"), big, null);
        long start = System.nanoTime();
        LookupTable t = IndexedTable.open("hash:big", "hash", "big", context());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(Optional.of("smtp:[relay3]"), t.find("user999995@example.com"));
        assertTrue(millis < 10_000, "took " + millis + " ms");
    }
}
