package org.smarthost.protocol.dsn;

import java.time.Duration;
import java.util.List;

/**
 * Postfix's built-in bounce(5) template texts (what "postconf -b" prints). A bounce_template_file
 * would replace these; that is for later.
 */
final class BounceTemplates {

    private BounceTemplates() { }

    static List<String> text(DsnKind kind, DsnSettings s) {
        String intro = "This is the mail system at host " + s.myhostname() + ".";
        return switch (kind) {
            case FAILURE -> List.of(
                    intro,
                    "",
                    "I'm sorry to have to inform you that your message could not",
                    "be delivered to one or more recipients. It's attached below.",
                    "",
                    "For further assistance, please send mail to postmaster.",
                    "",
                    "If you do so, please include this problem report. You can",
                    "delete your own text from the attached returned message.",
                    "",
                    "                   The mail system");
            case DELAY -> List.of(
                    intro,
                    "",
                    "####################################################################",
                    "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #",
                    "####################################################################",
                    "",
                    "Your message could not be delivered for more than " + hours(s.delayWarningTime()) + " hour(s).",
                    "It will be retried until it is " + days(s.maximalQueueLifetime()) + " day(s) old.",
                    "",
                    "For further assistance, please send mail to postmaster.",
                    "",
                    "If you do so, please include this problem report. You can",
                    "delete your own text from the attached returned message.",
                    "",
                    "                   The mail system");
            case SUCCESS -> List.of(
                    intro,
                    "",
                    "Your message was successfully delivered to the destination(s)",
                    "listed below. If the message was delivered to mailbox you will",
                    "receive no further notifications. Otherwise you may still receive",
                    "notifications of mail delivery errors from other systems.",
                    "",
                    "                   The mail system");
        };
    }

    private static long hours(Duration d) {
        return d.toHours();
    }

    private static long days(Duration d) {
        return d.toDays();
    }
}
