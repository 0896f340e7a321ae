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
                TableSpecs.split(" inline:{a=b, c=d},hash:/x static:{ y z } "));
    }
}
