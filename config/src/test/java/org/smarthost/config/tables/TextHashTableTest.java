package org.smarthost.config.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextHashTableTest {

    @TempDir
    Path dir;

    private final CollectingLog log = new CollectingLog();

    private LookupTable open(String text) throws Exception {
        Files.writeString(dir.resolve("transport"), text);
        return TextHashTable.open("texthash:transport", "transport", log.context(dir));
    }

    @Test
    void readsKeyWhitespaceValueWithCommentsAndContinuations() throws Exception {
        LookupTable t = open("""
                # comment
                Example.COM   smtp:[relay.example]:587\t
                  # indented comment

                b.example  REJECT no
                    thanks
                "quoted key" value
                """);
        assertEquals(Optional.of("smtp:[relay.example]:587"), t.find("example.com"));
        assertEquals(Optional.of("smtp:[relay.example]:587"), t.find("EXAMPLE.com"));
        // Postfix's readllines() joins without the newline and keeps the continuation's whitespace
        assertEquals(Optional.of("REJECT no    thanks"), t.find("b.example"));
        assertEquals(Optional.of("value"), t.find("\"quoted key\""));
        assertEquals(Optional.empty(), t.find("c.example"));
        assertFalse(t.isPattern());
        assertEquals(List.of(), log.warnings);
    }

    @Test
    void warnsAboutBadLinesAndDuplicatesAndKeepsTheFirst() throws Exception {
        LookupTable t = open("""
                  leading continuation
                a first
                novalue
                A second
                alias: x
                "open quote x
                """);
        assertEquals(Optional.of("first"), t.find("a"));
        assertEquals(List.of(
                "transport: logical line must not start with whitespace: \"  leading continuation\"",
                "transport, line 3: expected format: key whitespace value -- ignoring this line",
                "transport, line 4: duplicate entry: \"A\"",
                "transport, line 5: record is in \"key: value\" format; is this an alias file?",
                "transport, line 6: unbalanced '\"' in '\"open quote x' -- ignoring this line"), log.warnings);
        assertEquals(Map.of("a", "first", "alias:", "x"), ((ListableTable) t).entries());
    }

    @Test
    void missingFileFailsTheOpenInPostfixWords() {
        TableOpenException e = assertThrows(TableOpenException.class,
                () -> TextHashTable.open("texthash:/nonexistent/x", "/nonexistent/x", log.context(dir)));
        assertEquals("open database /nonexistent/x: No such file or directory", e.getMessage());
    }

    @Test
    void lookupTablesOpensTexthashRelativeToItsBase() throws Exception {
        Files.writeString(dir.resolve("t"), "k v\n");
        LookupTables tables = new LookupTables(log.context(dir), org.slf4j.LoggerFactory.getLogger("test"));
        assertEquals(Optional.of("v"), tables.open("texthash:t").find("K"));
        assertEquals(Optional.of("v"), tables.open("proxy:texthash:t").find("k"));
        assertEquals("proxy:texthash:t", tables.open("proxy:texthash:t").spec());
    }
}
