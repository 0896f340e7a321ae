package org.smarthost.protocol.smtpd.restrictions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Postfix domain_list (mydestination, relay_domains): names, with Postfix's
 * parent_domain_matches_subdomains semantics. When the parameter is listed there, "example.com"
 * also matches its subdomains; otherwise only ".example.com" does. "!name" excludes.
 * Lookup tables ("type:name") and "/file/name" are not supported yet and are skipped with a warning.
 */
public final class DomainList {

    private static final Logger log = LoggerFactory.getLogger("postfix/smtpd");

    private record Pattern(String domain, boolean dotPrefix, boolean negate) {
    }

    private final List<Pattern> patterns = new ArrayList<>();
    private final boolean parentMatchesSubdomains;

    public DomainList(String parameter, List<String> entries, boolean parentMatchesSubdomains) {
        this.parentMatchesSubdomains = parentMatchesSubdomains;
        for (String raw : entries) {
            for (String e : raw.split("[\\s,]+")) {
                if (e.isEmpty()) continue;
                boolean negate = e.startsWith("!");
                if (negate) e = e.substring(1);
                if (e.contains(":") || e.startsWith("/")) {
                    log.warn("warning: {}: lookup table \"{}\" is not supported yet; ignored", parameter, e);
                    continue;
                }
                e = e.toLowerCase(Locale.ROOT);
                boolean dot = e.startsWith(".");
                patterns.add(new Pattern(dot ? e.substring(1) : e, dot, negate));
            }
        }
    }

    /** First matching pattern decides, like Postfix's match_list. */
    public boolean matches(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        for (Pattern p : patterns) {
            boolean hit;
            if (p.dotPrefix()) {
                hit = d.endsWith("." + p.domain());
            } else {
                hit = d.equals(p.domain()) || (parentMatchesSubdomains && d.endsWith("." + p.domain()));
            }
            if (hit) return !p.negate();
        }
        return false;
    }
}
