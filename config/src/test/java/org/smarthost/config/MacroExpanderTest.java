package org.smarthost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class MacroExpanderTest {
    private static final Map<String, String> VALUES = Map.of(
            "myhostname", "mx.example.com",
            "mydomain", "example.com",
            "empty", "",
            "nested", "$myhostname/$mydomain",
            "compatibility_level", "3.6",
            "loop_a", "$loop_b",
            "loop_b", "$loop_a");

    private static String x(String text) {
        return MacroExpander.expand(text, VALUES::get);
    }

    @Test
    void simpleForms() {
        assertEquals("mx.example.com", x("$myhostname"));
        assertEquals("mx.example.com!", x("${myhostname}!"));
        assertEquals("mx.example.com!", x("$(myhostname)!"));
        assertEquals("localhost.example.com", x("localhost.$mydomain"));
        assertEquals("a$b", x("a$$b"));
    }

    @Test
    void undefinedNamesExpandToNothing() {
        assertEquals("[]", x("[$no_such_name]"));
        assertEquals("[]", x("[${no_such_name}]"));
    }

    @Test
    void referencedValuesAreExpandedRecursively() {
        assertEquals("mx.example.com/example.com", x("$nested"));
    }

    @Test
    void conditionalForms() {
        assertEquals("set", x("${myhostname?set}"));
        assertEquals("", x("${empty?set}"));
        assertEquals("", x("${undefined?set}"));
        assertEquals("unset", x("${empty:unset}"));
        assertEquals("", x("${myhostname:unset}"));
        assertEquals("host mx.example.com", x("${myhostname?host $myhostname}"));
        assertEquals("yes", x("${myhostname?{yes}:{no}}"));
        assertEquals("no", x("${empty?{yes}:{no}}"));
        assertEquals("no", x("${empty ? {yes} : {no}}"));
        assertEquals("", x("${empty?{yes}}"));
    }

    @Test
    void relationalForms() {
        assertEquals("host", x("${{$compatibility_level} <level {2} ? {subnet} : {host}}"));
        assertEquals("subnet", x("${{0} <level {2} ? {subnet} : {host}}"));
        assertEquals("t", x("${{3.6.1} >level {3.6} ? {t} : {f}}"));
        assertEquals("t", x("${{10} > {9} ? {t} : {f}}"));
        assertEquals("f", x("${{abc} == {abd} ? {t} : {f}}"));
        assertEquals("t", x("${{abc} != {abd} ? {t} : {f}}"));
        assertEquals("", x("${{1} == {2} ? {t}}"));
    }

    @Test
    void loopsFailLikePostfix() {
        ConfigException e = assertThrows(ConfigException.class, () -> x("$loop_a"));
        assertTrue(e.getMessage().startsWith("unreasonable macro call nesting: \"loop_"), e.getMessage());
    }

    @Test
    void syntaxErrorsAreReportedInPostfixWords() {
        assertEquals("truncated macro reference: \"x ${myhostname\"",
                assertThrows(ConfigException.class, () -> x("x ${myhostname")).getMessage());
        assertEquals("empty macro name: \"cost: $\"", assertThrows(ConfigException.class, () -> x("cost: $")).getMessage());
        assertEquals("empty macro name: \"a $-b\"", assertThrows(ConfigException.class, () -> x("a $-b")).getMessage());
        assertEquals("empty macro name: \"${}\"", assertThrows(ConfigException.class, () -> x("${}")).getMessage());
        assertEquals("{a}:b", x("${myhostname?{a}:b}"), "not the {a}:{b} form, so plain ?text");
    }

    @Test
    void scanFindsNamesInEveryBranch() {
        assertEquals(Set.of("a", "b", "c", "d", "e"), MacroExpander.scan("$a ${b?$c} ${d?{x}:{$e}}"));
    }

    @Test
    void compatibilityLevelsCompareByComponent() {
        assertTrue(MacroExpander.compareLevels("3.10", "3.9") > 0);
        assertEquals(0, MacroExpander.compareLevels("3", "3.0.0"));
        assertTrue(MacroExpander.compareLevels("2", "3.6") < 0);
    }
}
