package org.smarthost.config.tables;

import java.util.ArrayList;
import java.util.List;

/**
 * A domain and its parent domains as Postfix's table lookups walk them (mail_addr_find,
 * check_domain_access, match_list): "mail.example.com", then ".example.com", ".com", or, when the
 * parameter is in parent_domain_matches_subdomains, "example.com", "com".
 */
public final class ParentDomains {

    private ParentDomains() {
    }

    /** The domain itself first; the rest are derived keys (not asked of pattern tables). */
    public static List<String> of(String domain, boolean parentStyle) {
        List<String> keys = new ArrayList<>();
        int pos = 0;
        while (pos < domain.length()) {
            keys.add(domain.substring(pos));
            int next = domain.indexOf('.', pos + 1);
            if (next < 0) break;
            pos = parentStyle ? next + 1 : next;
        }
        return keys;
    }
}
