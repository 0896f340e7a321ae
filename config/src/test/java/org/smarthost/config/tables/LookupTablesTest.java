package org.smarthost.config.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LookupTablesTest {

    private final LookupTables tables = new LookupTables(Path.of("/nonexistent"), LoggerFactory.getLogger("test"));

    @Test
    void staticTableAnswersEveryKey() {
        assertEquals(Optional.of("smtp:[relay.example]:587"), tables.open("static:smtp:[relay.example]:587").find("x@y"));
        assertEquals(Optional.of("text with spaces"), tables.open("static:{ text with spaces }").find("anything"));
    }

    @Test
    void inlineTableFoldsKeysAndKeepsBracedValues() {
        LookupTable t = tables.open("inline:{Example.COM=smtp:[a]:25, { b.example = REJECT no, thanks }}");
        assertEquals(Optional.of("smtp:[a]:25"), t.find("example.com"));
        assertEquals(Optional.of("smtp:[a]:25"), t.find("EXAMPLE.com"));
        assertEquals(Optional.of("REJECT no, thanks"), t.find("b.example"));
        assertEquals(Optional.empty(), t.find("c.example"));
        assertFalse(t.isPattern());
    }

    @Test
    void badOrUnsupportedTablesFailEachLookupWithTheReason() {
        LookupException e = assertThrows(LookupException.class, () -> tables.open("mysql:/etc/postfix/m.cf").find("k"));
        assertEquals("mysql:/etc/postfix/m.cf is unavailable. unsupported dictionary type: mysql", e.getMessage());
        assertThrows(LookupException.class, () -> tables.open("inline:{}").find("k"));
        assertThrows(LookupException.class, () -> tables.open("inline:{novalue}").find("k"));
        assertThrows(LookupException.class, () -> tables.open("notatable").find("k"));
    }

    @Test
    void mapsSearchTablesInOrderAndSkipPatternTablesForPartialKeys() {
        Maps maps = tables.maps("transport_maps", "inline:{a=first}, inline:{a=second, b=second} static:{last}");
        assertEquals(3, maps.tables().size());
        assertEquals(Optional.of("first"), maps.find("a"));
        assertEquals(Optional.of("second"), maps.find("b"));
        assertEquals(Optional.of("last"), maps.find("c", true));
        assertTrue(Maps.empty("x").find("a").isEmpty());
        assertSame(tables.open("static:{last}"), maps.tables().get(2));
    }

    @Test
    void splitKeepsBracesTogether() {
        assertEquals(List.of("inline:{a=b, c=d}", "hash:/x", "static:{ y z }"),
                org.smarthost.config.Config.splitList(" inline:{a=b, c=d},hash:/x static:{ y z } "));
    }

    @Test
    void aTableThatFailedToOpenIsTriedAgainAtMostOnceASecond() {
        long[] now = {0};
        int[] opens = {0};
        String[] problem = {"open database /x.db: No such file or directory"};
        ReopeningTable table = new ReopeningTable("hash:/x", () -> {
            opens[0]++;
            if (problem[0] != null) throw new TableOpenException(problem[0]);
            return tables.open("inline:{k=v}");
        }, new SurrogateTable("hash:/x", problem[0]), () -> now[0]);

        LookupException e = assertThrows(LookupException.class, () -> table.find("k"));
        assertEquals("hash:/x is unavailable. open database /x.db: No such file or directory", e.getMessage());
        assertEquals(0, opens[0], "not before a second has passed");
        now[0] = 1_000_000_000L;
        problem[0] = "open database /x.db: Permission denied";
        e = assertThrows(LookupException.class, () -> table.find("k"));
        assertEquals("hash:/x is unavailable. open database /x.db: Permission denied", e.getMessage());
        assertThrows(LookupException.class, () -> table.find("k"));
        assertEquals(1, opens[0]);
        problem[0] = null;
        now[0] = 2_000_000_000L;
        assertEquals(Optional.of("v"), table.find("K"));
        assertEquals(Optional.empty(), table.find("other"));
        assertEquals(2, opens[0], "opened for good");
        assertFalse(table.isPattern());
    }
}
