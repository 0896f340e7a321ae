package org.smarthost.actors.resolve;

/** Pieces of a recipient that trivial-rewrite's table lookups use as keys (Postfix's mail_addr_find). */
final class AddressKeys {

    private AddressKeys() {
    }

    /**
     * The local-part without its address extension ("user" for "user+news" with
     * recipient_delimiter "+"), or null when there is none. Any delimiter character counts, the
     * first one found ends the user part, and a local-part that starts with one is not split.
     */
    static String withoutExtension(String localPart, String recipientDelimiter) {
        int cut = -1;
        for (int i = 0; i < recipientDelimiter.length(); i++) {
            int at = localPart.indexOf(recipientDelimiter.charAt(i));
            if (at > 0 && (cut < 0 || at < cut)) cut = at;
        }
        return cut > 0 ? localPart.substring(0, cut) : null;
    }
}
