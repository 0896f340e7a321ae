package org.smarthost.config.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegexpTableTest {

    @TempDir
    Path dir;

    private final CollectingLog log = new CollectingLog();

    private LookupTable open(RegexpTable.Dialect dialect, String text) throws Exception {
        Files.writeString(dir.resolve("t"), text);
        return RegexpTable.open(dialect, dialect.type + ":t", "t", log.context(dir));
    }

    @Test
    void regexpRulesSubstitutionsAndFlags() throws Exception {
        LookupTable t = open(RegexpTable.Dialect.REGEXP, """
                # comment
                /^(.*)@(example\\.com)$/    smtp:[$2]:${1}
                /^Case@/i                 exact case
                /^case@/                  any case
                /^a@b$/!/x/               two patterns
                !/@/                      no at sign: $$5
                /^([[:digit:]]+)@num\\./  digits $1
                /^money@/                 costs
                   $$10
                """);
        assertTrue(t.isPattern());
        assertEquals(Optional.of("smtp:[EXAMPLE.com]:john"), t.find("john@EXAMPLE.com"));
        assertEquals(Optional.of("exact case"), t.find("Case@x"));
        assertEquals(Optional.of("any case"), t.find("CASE@x"));
        assertEquals(Optional.of("two patterns"), t.find("a@b"));
        assertEquals(Optional.of("no at sign: $5"), t.find("postmaster"));
        assertEquals(Optional.of("digits 123"), t.find("123@num.example"));
        assertEquals(Optional.of("costs   $10"), t.find("money@x"));
        assertEquals(Optional.empty(), t.find("someone@else"));
        assertEquals(List.of(), log.warnings);
    }

    @Test
    void ifEndifAndOtherDelimiters() throws Exception {
        LookupTable t = open(RegexpTable.Dialect.REGEXP, """
                if /@example\\.com$/
                if !#^postmaster@#
                /./   user
                endif
                |.|   postmaster
                endif
                /./   other
                """);
        assertEquals(Optional.of("user"), t.find("joe@example.com"));
        assertEquals(Optional.of("postmaster"), t.find("postmaster@example.com"));
        assertEquals(Optional.of("other"), t.find("joe@example.org"));
    }

    @Test
    void basicRegularExpressionsWithX() throws Exception {
        LookupTable t = open(RegexpTable.Dialect.REGEXP, "/^\\(a+\\)\\{2\\}$/x   bre $1\n/^a+$/  ere\n");
        assertEquals(Optional.of("bre a+"), t.find("a+a+"));
        assertEquals(Optional.of("ere"), t.find("aaa"));
    }

    @Test
    void badRegexpRulesAreSkippedWithPostfixWarnings() throws Exception {
        LookupTable t = open(RegexpTable.Dialect.REGEXP, """
                /unclosed  x
                /a/q  x
                !/a(b)/  $1
                /a/  $2
                /(a)/  $x
                /a/
                nonsense
                endif
                /[/  x
                if /a/ trailing
                """);
        assertEquals(Optional.empty(), t.find("zzz"));
        assertEquals(Optional.of(""), t.find("a"));
        String p = "regexp map t, line ";
        List<String> w = log.warnings;
        assertEquals(p + "1: no closing regexp delimiter \"/\": skipping this rule", w.get(0));
        assertEquals(p + "2: unknown regexp option \"q\": skipping this rule", w.get(1));
        assertEquals(p + "3: $number found in negative match replacement text: skipping this rule", w.get(2));
        assertEquals(p + "4: out of range replacement index \"2\": skipping this rule", w.get(3));
        assertEquals(p + "5: non-numeric replacement index \"x\"", w.get(4));
        assertEquals(p + "5: bad replacement syntax: skipping this rule", w.get(5));
        assertEquals(p + "6: no replacement text: using empty string", w.get(6));
        assertEquals(p + "7: ignoring unrecognized request", w.get(7));
        assertEquals(p + "8: ignoring ENDIF without matching IF", w.get(8));
        assertTrue(w.get(9).startsWith(p + "9: "), w.get(9));
        assertEquals(p + "10: ignoring extra text after IF statement: \"trailing\"", w.get(10));
        assertEquals(p + "10: do not prepend whitespace to statements between IF and ENDIF", w.get(11));
        assertEquals(p + "10: IF has no matching ENDIF", w.get(12));
        assertEquals(13, w.size());
    }

    @Test
    void pcreFlags() throws Exception {
        LookupTable t = open(RegexpTable.Dialect.PCRE, """
                /^(\\d+)\\.(?:txt)$/   number $1
                /^Exact$/i            exact
                /^a.b$/               dotall
                /b+/U                 lazy $0
                /^(x+)(x*)$/U         ungreedy ${1}-${2}
                /^e$/E                endonly
                /foo/A                anchored
                /^multi$/m            multi
                """);
        assertEquals(Optional.of("number 42"), t.find("42.TXT"));
        assertEquals(Optional.empty(), t.find("EXACT"));
        assertEquals(Optional.of("exact"), t.find("Exact"));
        assertEquals(Optional.of("dotall"), t.find("a\nb"));
        assertEquals(Optional.of("ungreedy x-xx"), t.find("xxx"));
        assertEquals(Optional.empty(), t.find("e\n"));
        assertEquals(Optional.of("anchored"), t.find("foobar"));
        assertEquals(Optional.empty(), t.find("barfoo"));
        assertEquals(Optional.of("multi"), t.find("first\nmulti\nlast"));
        assertEquals("pcre map t, line 4: out of range replacement index \"0\"", log.warnings.get(0));
    }

    @Test
    void pcreWarningsUseItsOwnWording() throws Exception {
        open(RegexpTable.Dialect.PCRE, "/unclosed x\n/(/ x\n/a/!/b/ x\n");
        assertEquals("pcre map t, line 1: no closing regexp delimiter \"/\": ignoring this rule", log.warnings.get(0));
        assertTrue(log.warnings.get(1).startsWith("pcre map t, line 2: error in regex at offset "), log.warnings.get(1));
        assertEquals("pcre map t, line 3: unknown regexp option \"!\": skipping this rule", log.warnings.get(2));
    }

    @Test
    void posixTranslation() {
        assertEquals("[\\]a]", RegexTranslation.posix("[]a]", false));
        assertEquals("[\\p{Alpha}\\\\.]", RegexTranslation.posix("[[:alpha:]\\.]", false));
        assertEquals("\\b(?=\\w)x\\b(?<=\\w)", RegexTranslation.posix("\\<x\\>", false));
        assertEquals("(a)\\+", RegexTranslation.posix("\\(a\\)+", true));
        assertEquals("a+?b*", RegexTranslation.pcre("a+b*?", false, true));
        assertEquals("(?:a)\\z", RegexTranslation.pcre("(?:a)$", true, false));
    }

    @Test
    void missingFile() {
        TableOpenException e = assertThrows(TableOpenException.class,
                () -> RegexpTable.open(RegexpTable.Dialect.PCRE, "pcre:/none", "/none", log.context(dir)));
        assertEquals("open /none: No such file or directory", e.getMessage());
    }
}
