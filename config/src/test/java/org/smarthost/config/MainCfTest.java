package org.smarthost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainCfTest {
    @Test
    void parsesCommentsContinuationsAndWhitespace() {
        MainCf cf = MainCf.parse("/x/main.cf", """
                # a comment
                myhostname = mx.example.com\s\s
                mydestination = $myhostname,
                    # comment lines inside a continuation are skipped

                    localhost
                   # indented comment
                relayhost=[10.0.0.1]:25
                empty =
                """);
        assertEquals("mx.example.com", cf.values().get("myhostname"));
        assertEquals("$myhostname, localhost", cf.values().get("mydestination"));
        assertEquals("[10.0.0.1]:25", cf.values().get("relayhost"));
        assertEquals("", cf.values().get("empty"));
        assertEquals(5, cf.entry("relayhost").orElseThrow().line() - 3);
        assertEquals(List.of(), cf.warnings());
    }

    @Test
    void lastDefinitionWinsWithPostfixWarning() {
        MainCf cf = MainCf.parse("/x/main.cf", "mydomain = a\nmydomain = b\nmydomain = b\n");
        assertEquals("b", cf.values().get("mydomain"));
        assertEquals(List.of("/x/main.cf, line 2: overriding earlier entry: mydomain=a"), cf.warnings());
    }

    @Test
    void errorsNameFileAndLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> MainCf.parse("/etc/postfix/main.cf", "# c\nmyhostname = a\nfoo\n"));
        assertEquals("/etc/postfix/main.cf, line 3: missing '=' after attribute name: \"foo\"", e.getMessage());
        e = assertThrows(ConfigException.class, () -> MainCf.parse("/m", "= 1\n"));
        assertEquals("/m, line 1: missing attribute name: \"= 1\"", e.getMessage());
    }

    @Test
    void leadingWhitespaceWithoutALogicalLineIsWarnedAndSkipped() {
        MainCf cf = MainCf.parse("/m", "\tfoo = 1\nbar = 2\n");
        assertEquals(Map.of("bar", "2"), cf.values());
        assertEquals(List.of("/m: logical line must not start with whitespace: \"?foo = 1\""), cf.warnings());
    }

    @Test
    void missingFileIsWordedLikePostfix(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> MainCf.read(dir.resolve("main.cf")));
        assertEquals("open " + dir.resolve("main.cf") + ": No such file or directory", e.getMessage());
    }

    private static final String TEXT = """
            # header
            myhostname = old.example
                continued
            # keep me
            relayhost = x
            relayhost = y
            """;

    @Test
    void setReplacesEveryDefinitionDropsContinuationsAndAppendsNewNamesSorted() {
        List<String> warnings = new ArrayList<>();
        Map<String, String> set = new LinkedHashMap<>();
        set.put("myhostname", "new.example");
        set.put("relayhost", "[h]");
        set.put("zeta", "1");
        set.put("alpha", "2");
        String out = MainCf.edit("/m", TEXT, MainCf.EditMode.SET, set, warnings);
        assertEquals("""
                # header
                myhostname = new.example
                # keep me
                relayhost = [h]
                relayhost = [h]
                alpha = 2
                zeta = 1
                """, out);
        assertEquals(List.of("/m: multiple entries for \"relayhost\""), warnings);
    }

    @Test
    void removeAndCommentOut() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("myhostname", null);
        assertEquals("# header\n# keep me\nrelayhost = x\nrelayhost = y\n",
                MainCf.edit("/m", TEXT, MainCf.EditMode.REMOVE, names, new ArrayList<>()));
        assertEquals("# header\n#myhostname = old.example\n#    continued\n# keep me\nrelayhost = x\nrelayhost = y\n",
                MainCf.edit("/m", TEXT, MainCf.EditMode.COMMENT_OUT, names, new ArrayList<>()));
    }

    @Test
    void editFileRewritesInPlace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("main.cf");
        Files.writeString(file, TEXT);
        MainCf.editFile(file, MainCf.EditMode.SET, Map.of("myhostname", "q.example"));
        assertEquals("q.example", MainCf.read(file).values().get("myhostname"));
        assertTrue(Files.readString(file).contains("# keep me"));
        assertTrue(Files.notExists(dir.resolve("main.cf.tmp")));
    }
}
