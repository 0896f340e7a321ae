package org.smarthost.protocol.dsn;

/** The bounce(8) notices, each with its built-in template (bounce(5)). */
public enum DsnKind {
    /** failure_template: "Undelivered Mail Returned to Sender". */
    FAILURE("Undelivered Mail Returned to Sender", "Postmaster Copy: Undelivered Mail"),
    /** delay_template: "Delayed Mail (still being retried)". */
    DELAY("Delayed Mail (still being retried)", "Postmaster Warning: Delayed Mail"),
    /** success_template: "Successful Mail Delivery Report". */
    SUCCESS("Successful Mail Delivery Report", null);

    private final String subject;
    private final String postmasterSubject;

    DsnKind(String subject, String postmasterSubject) {
        this.subject = subject;
        this.postmasterSubject = postmasterSubject;
    }

    public String subject() { return subject; }

    /** Subject of the postmaster copy (notify_classes bounce/delay), null when there is none. */
    public String postmasterSubject() { return postmasterSubject; }

    /** Failure and delay notices return the message as "Undelivered". */
    boolean undelivered() { return this != SUCCESS; }
}
