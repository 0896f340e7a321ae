package org.smarthost.streams.cleanup;

import org.smarthost.config.tables.Maps;

/**
 * The header_checks(5) tables cleanup applies while receiving mail.
 *
 * @param headerChecks        header_checks: primary message headers other than the MIME ones
 * @param mimeHeaderChecks    mime_header_checks (default $header_checks): Content-*, MIME-Version
 * @param nestedHeaderChecks  nested_header_checks (default $header_checks): headers of attached
 *                            messages (message/rfc822 parts)
 * @param bodyChecks          body_checks: all other content, one line at a time, including MIME
 *                            boundaries
 * @param bodyChecksSizeLimit body_checks_size_limit (51200): body_checks looks at the lines that
 *                            start within this many bytes of a body part; 0 = no limit
 */
public record ContentChecks(Maps headerChecks, Maps mimeHeaderChecks, Maps nestedHeaderChecks, Maps bodyChecks,
                            long bodyChecksSizeLimit) {

    public static final ContentChecks NONE = new ContentChecks(Maps.empty("header_checks"),
            Maps.empty("mime_header_checks"), Maps.empty("nested_header_checks"), Maps.empty("body_checks"), 51200);

    public boolean isEmpty() {
        return headerChecks.isEmpty() && mimeHeaderChecks.isEmpty() && nestedHeaderChecks.isEmpty()
                && bodyChecks.isEmpty();
    }
}
