package org.smarthost.protocol.client;

/** What one delivery attempt decided for one recipient (Postfix's status=sent/deferred/bounced). */
public enum Outcome {
    DELIVERED("sent"), DEFERRED("deferred"), BOUNCED("bounced");

    private final String status;

    Outcome(String status) { this.status = status; }

    /** The word Postfix logs after "status=". */
    public String status() { return status; }
}
