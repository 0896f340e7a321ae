package org.smarthost.loadtests.smtp;

/** The server answered a command with a reply other than the one the dialogue needs. */
public final class SmtpReplyException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient SmtpReply reply;

    public SmtpReplyException(String command, SmtpReply reply) {
        super(command + ": " + reply, null, false, false);
        this.reply = reply;
    }

    public SmtpReply reply() {
        return reply;
    }
}
