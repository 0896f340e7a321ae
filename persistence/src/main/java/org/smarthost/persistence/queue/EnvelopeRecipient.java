package org.smarthost.persistence.queue;

import java.util.Set;

/**
 * One envelope recipient with its DSN parameters (RFC 3461).
 *
 * @param address forward path without brackets
 * @param dsnNotify NOTIFY= keywords (NEVER, SUCCESS, FAILURE, DELAY); empty when not given
 * @param orcpt   ORCPT= value ("rfc822;user@example"), or null
 */
public record EnvelopeRecipient(String address, Set<String> dsnNotify, String orcpt) {
    public EnvelopeRecipient {
        dsnNotify = dsnNotify == null ? Set.of() : Set.copyOf(dsnNotify);
    }

    /** Postfix's notify_flags bit mask as postcat prints it (NEVER=1, SUCCESS=2, FAILURE=4, DELAY=8). */
    public int notifyFlags() {
        int flags = 0;
        for (String n : dsnNotify) {
            switch (n) {
                case "NEVER" -> flags |= 1;
                case "SUCCESS" -> flags |= 2;
                case "FAILURE" -> flags |= 4;
                case "DELAY" -> flags |= 8;
                default -> { }
            }
        }
        return flags;
    }
}
