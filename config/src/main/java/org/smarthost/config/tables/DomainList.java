package org.smarthost.config.tables;

import org.smarthost.config.Config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Postfix host/domain list parameter value (mydestination, relay_domains,
 * virtual_alias_domains, ...): names, ".domain" patterns, "/file/name" (replaced by its
 * contents), "type:table" (matched when the table has the name as a key) and "!pattern"
 * exclusions. The first matching pattern decides, as in Postfix's match_list.
 *
 * <p>Two matching styles exist in Postfix and both are needed here:
 * <ul>
 *   <li>{@link Style#STRING} (string_list: mydestination, virtual_*_domains): exact names only.
 *   <li>{@link Style#DOMAIN} (domain_list: relay_domains): ".example.com" matches subdomains, and
 *       when the parameter is listed in parent_domain_matches_subdomains a plain
 *       "example.com" matches its subdomains too.
 * </ul>
 */
public final class DomainList {

    public enum Style { STRING, DOMAIN }

    private record Entry(boolean negated, String pattern, LookupTable table) { }

    private final String parameter;
    private final Style style;
    private final boolean parentMatchesSubdomains;
    private final List<Entry> entries;

    private DomainList(String parameter, Style style, boolean parentMatchesSubdomains, List<Entry> entries) {
        this.parameter = parameter;
        this.style = style;
        this.parentMatchesSubdomains = parentMatchesSubdomains;
        this.entries = entries;
    }

    public static DomainList empty(String parameter) {
        return new DomainList(parameter, Style.STRING, false, List.of());
    }

    /**
     * @param parameter               the main.cf name, for error messages
     * @param patterns                list elements as split from the parameter value
     * @param style                   string_list or domain_list matching
     * @param parentMatchesSubdomains whether the parameter is in parent_domain_matches_subdomains
     * @param tables                  opens "type:table" elements
     */
    public static DomainList of(String parameter, List<String> patterns, Style style,
                                boolean parentMatchesSubdomains, TableOpener tables) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : patterns) {
            addPattern(parameter, raw.trim(), tables, entries);
        }
        return new DomainList(parameter, style, parentMatchesSubdomains, List.copyOf(entries));
    }

    /** Splits a main.cf list value on commas and whitespace, as Postfix does, keeping "{...}" whole. */
    public static List<String> split(String value) {
        return value == null ? new ArrayList<>() : Config.splitList(value);
    }

    private static void addPattern(String parameter, String raw, TableOpener tables, List<Entry> entries) {
        if (raw.isEmpty()) return;
        boolean negated = false;
        String p = raw;
        while (p.startsWith("!")) {
            negated = !negated;
            p = p.substring(1);
        }
        if (p.startsWith("/")) {
            // "/file/name" is replaced by its contents; "!/file/name" negates each element
            for (String inner : readFile(parameter, p)) {
                addPattern(parameter, negated ? "!" + inner : inner, tables, entries);
            }
        } else if (isTableReference(p)) {
            entries.add(new Entry(negated, p, tables.open(p)));
        } else {
            entries.add(new Entry(negated, p.toLowerCase(Locale.ROOT), null));
        }
    }

    /** Whether a list element is "type:table" (not an IPv6 "[...]" or a name). */
    public static boolean isTableReference(String p) {
        int colon = p.indexOf(':');
        return colon > 0 && !p.startsWith("[") && p.substring(0, colon).matches("[a-z][a-z0-9_+-]*");
    }

    /** The elements of a "/file/name" list element, '#' comments left out. */
    public static List<String> readFile(String parameter, String path) {
        try {
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(path))) {
                int hash = line.indexOf('#');
                if (hash >= 0) line = line.substring(0, hash);
                out.addAll(split(line));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(parameter + ": open file " + path + ": " + SourceLines.reason(e), e);
        }
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * @throws LookupException when a table in the list cannot be queried
     */
    public boolean matches(String name) {
        String host = name.toLowerCase(Locale.ROOT);
        for (Entry e : entries) {
            if (e.table != null ? tableMatches(e.table, host) : nameMatches(e.pattern, host)) {
                return !e.negated;
            }
        }
        return false;
    }

    private boolean nameMatches(String pattern, String host) {
        if (pattern.equals(host)) return true;
        if (style == Style.STRING) return false;
        if (pattern.startsWith(".")) return host.endsWith(pattern);
        return parentMatchesSubdomains && host.endsWith("." + pattern);
    }

    private boolean tableMatches(LookupTable table, String host) {
        if (table.find(host).isPresent()) return true;
        // Parent domains are derived keys, which Postfix never asks of a pattern table.
        if (style == Style.STRING || table.isPattern()) return false;
        List<String> keys = ParentDomains.of(host, parentMatchesSubdomains);
        for (int i = 1; i < keys.size(); i++) {
            if (table.find(keys.get(i)).isPresent()) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return parameter + " " + entries.stream().map(e -> (e.negated ? "!" : "") + e.pattern).toList();
    }
}
