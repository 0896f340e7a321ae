package org.smarthost.streams.cleanup;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.Maps;

/**
 * header_checks(5) for one message (Postfix's cleanup_act): looks a logical header or a body
 * line up in its table list and carries out the action. REJECT, a table that cannot answer, and
 * an action smarthost cannot carry out (FILTER, REDIRECT, BCC) end the message at once with
 * {@link CleanupRejected}; DISCARD and HOLD are remembered for the end of the message; PASS,
 * DISCARD and REJECT stop all further checks of the message, as in Postfix.
 */
final class ContentFilter {

    private static final Logger log = LoggerFactory.getLogger("postfix/cleanup");
    static final String HEADER = "header";
    static final String BODY = "body";
    /** An RFC 3463 status code at the start of REJECT's text (Postfix's dsn_valid). */
    private static final Pattern DSN = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?=\\s|$)");

    private final ContentChecks checks;
    private final CleanupEnvelope envelope;
    private boolean filtering = true;
    private boolean discard;
    private String holdReason;

    ContentFilter(ContentChecks checks, CleanupEnvelope envelope) {
        this.checks = checks;
        this.envelope = envelope;
    }

    boolean discard() { return discard; }

    /** The HOLD action's text, "" without one; null when no HOLD matched. */
    String holdReason() { return holdReason; }

    /** Whether body lines still need looking at. */
    boolean checksBody() {
        return filtering && !checks.bodyChecks().isEmpty();
    }

    long bodyChecksSizeLimit() {
        return checks.bodyChecksSizeLimit();
    }

    /**
     * Whether the body needs reading line by line: for body_checks, or for the headers of MIME
     * parts and attached messages (mime_header_checks, nested_header_checks).
     */
    boolean scansBody() {
        return filtering && !(checks.bodyChecks().isEmpty() && checks.mimeHeaderChecks().isEmpty()
                && checks.nestedHeaderChecks().isEmpty());
    }

    /** Whether any header table is configured (a header with none passes untouched). */
    boolean checksHeaders() {
        return filtering && !(checks.headerChecks().isEmpty() && checks.mimeHeaderChecks().isEmpty());
    }

    /**
     * A primary header, as Postfix gives it to the tables: one string, folded lines joined
     * with "\n", no final line break. MIME headers (Content-*, MIME-Version) go to
     * mime_header_checks, the others to header_checks.
     *
     * @param prepend where PREPEND actions put their header, to be written before this one
     * @return the header to write ({@code header} itself when unchanged), or null to delete it
     */
    String primaryHeader(String header, boolean mime, List<String> prepend) {
        return check(mime ? checks.mimeHeaderChecks() : checks.headerChecks(), HEADER, header, prepend);
    }

    /** A header of a MIME part (mime_header_checks); same contract as {@link #primaryHeader}. */
    String partHeader(String header, List<String> prepend) {
        return check(checks.mimeHeaderChecks(), HEADER, header, prepend);
    }

    /**
     * A header of an attached message (message/rfc822): MIME headers go to mime_header_checks,
     * the others to nested_header_checks; same contract as {@link #primaryHeader}.
     */
    String nestedHeader(String header, boolean mime, List<String> prepend) {
        return check(mime ? checks.mimeHeaderChecks() : checks.nestedHeaderChecks(), HEADER, header, prepend);
    }

    /** A body line without its line break; same contract as {@link #primaryHeader}. */
    String bodyLine(String line, List<String> prepend) {
        return check(checks.bodyChecks(), BODY, line, prepend);
    }

    private String check(Maps maps, String context, String input, List<String> prepend) {
        if (!filtering || maps.isEmpty()) return input;
        Optional<String> value;
        try {
            value = maps.find(input);
        } catch (LookupException e) {
            log.warn("warning: {}", e.getMessage());
            log.warn("warning: {}: {} map lookup problem -- message not accepted, try again later",
                    envelope.queueId(), maps.parameter());
            throw CleanupRejected.lookupProblem();
        }
        return value.isEmpty() ? input : act(maps.parameter(), context, input, value.get(), prepend);
    }

    private String act(String mapClass, String context, String input, String value, List<String> prepend) {
        CheckAction action = CheckAction.parse(value);
        String text = action.text();
        switch (action.kind()) {
            case REJECT -> {
                String reason = text.isEmpty() ? "5.7.1 " + CleanupRejected.CONTENT_REJECTED : dsnPrepend("5.7.1", text);
                if (reason.charAt(0) != '4' && reason.charAt(0) != '5') {
                    log.warn("warning: bad DSN action in {} -- need 4.x.x or 5.x.x", text);
                    reason = "4" + reason.substring(1);
                }
                filtering = false;
                actLog("reject", context, input, reason);
                int space = reason.indexOf(' ');
                String dsn = space < 0 ? reason : reason.substring(0, space);
                String why = space < 0 ? "" : reason.substring(space + 1);
                throw new CleanupRejected(reason.charAt(0) == '4' ? 451 : 550, dsn, why);
            }
            case WARN -> actLog("warning", context, input, text);
            case INFO -> actLog("info", context, input, text);
            case FILTER -> {
                if (text.isEmpty()) {
                    log.warn("warning: missing FILTER command argument in {} map", mapClass);
                } else if (text.indexOf(':') < 0) {
                    log.warn("warning: bad FILTER command {} in {} map -- need transport:destination", text, mapClass);
                } else {
                    throw unsupported(mapClass, action, context, input);
                }
            }
            case PASS -> {
                actLog("pass", context, input, text);
                filtering = false;
            }
            case DISCARD -> {
                actLog("discard", context, input, text);
                discard = true;
                filtering = false;
            }
            case HOLD -> {
                if (holdReason == null && !discard) {
                    actLog("hold", context, input, text);
                    holdReason = text;
                }
            }
            case PREPEND -> {
                if (text.isEmpty()) {
                    log.warn("warning: PREPEND action without text in {} map", mapClass);
                } else if (HEADER.equals(context) && !isHeader(text)) {
                    log.warn("warning: bad PREPEND header text \"{}\" in {} map -- need \"headername: headervalue\"",
                            text, mapClass);
                } else {
                    actLog("prepend", context, input, text);
                    prepend.add(text);
                }
            }
            case REPLACE -> {
                if (text.isEmpty()) {
                    log.warn("warning: REPLACE action without text in {} map", mapClass);
                } else if (HEADER.equals(context) && !isHeader(text)) {
                    log.warn("warning: bad REPLACE header text \"{}\" in {} map -- need \"headername: headervalue\"",
                            text, mapClass);
                } else {
                    actLog("replace", context, input, text);
                    return text;
                }
            }
            case REDIRECT -> {
                if (text.indexOf('@') < 0) {
                    log.warn("warning: bad REDIRECT target \"{}\" in {} map -- need user@domain", text, mapClass);
                } else {
                    throw unsupported(mapClass, action, context, input);
                }
            }
            case BCC -> {
                if (text.indexOf('@') < 0) {
                    log.warn("warning: bad BCC address \"{}\" in {} map -- need user@domain", text, mapClass);
                } else {
                    throw unsupported(mapClass, action, context, input);
                }
            }
            case STRIP -> {
                actLog("strip", context, input, text);
                return null;
            }
            case IGNORE -> {
                return null;
            }
            case DUNNO, OK -> { }
            case UNKNOWN -> log.warn("warning: unknown command in {} map: {}", mapClass, value);
        }
        return input;
    }

    /**
     * An action Postfix's cleanup would carry out and smarthost cannot: never skipped, the
     * message is refused with a temporary error so that nothing is delivered against the rule.
     */
    private CleanupRejected unsupported(String mapClass, CheckAction action, String context, String input) {
        filtering = false;
        log.warn("warning: {}: {} map: action {} is not supported by smarthost ({} {}) -- message not accepted,"
                        + " try again later", envelope.queueId(), mapClass, action.command().toUpperCase(java.util.Locale.ROOT),
                context, printable(clip(input)));
        return CleanupRejected.unsupportedAction();
    }

    /** Postfix's cleanup_act_log. */
    private void actLog(String action, String context, String input, String text) {
        StringBuilder b = new StringBuilder();
        b.append(envelope.queueId()).append(": ").append(action).append(": ").append(context).append(' ')
                .append(clip(input)).append(" from ").append(origin()).append(';');
        b.append(" from=<").append(envelope.sender()).append('>');
        List<String> rcpts = envelope.recipients();
        if (!rcpts.isEmpty()) b.append(" to=<").append(rcpts.get(rcpts.size() - 1)).append('>');
        if (envelope.protocol() != null) b.append(" proto=").append(envelope.protocol());
        if (envelope.heloName() != null) b.append(" helo=<").append(envelope.heloName()).append('>');
        if (text != null && !text.isEmpty()) b.append(": ").append(text);
        log.info("{}", printable(b.toString()));
    }

    /** "name[address]" of the SMTP client, "local" for mail submitted on this host. */
    private String origin() {
        String address = envelope.clientAddress();
        if (address == null || address.isEmpty() || address.equals("unknown")) return "local";
        String name = envelope.clientName() == null ? "unknown" : envelope.clientName();
        return name + "[" + address + "]";
    }

    /** Postfix logs at most 200 characters of the header or line ("%.200s"). */
    private static String clip(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200);
    }

    /** Postfix's logger turns control characters (a folded header's newline and tab) into '?'. */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (b == null) b = new StringBuilder(s);
                b.setCharAt(i, '?');
            }
        }
        return b == null ? s : b.toString();
    }

    /** Postfix's dsn_prepend: the text's own status code if it starts with one, else the default. */
    static String dsnPrepend(String defaultDsn, String text) {
        String t = text.strip();
        Matcher m = DSN.matcher(t);
        if (m.find()) {
            return m.group() + " " + t.substring(m.end()).strip();
        }
        return defaultDsn + " " + t;
    }

    /** "name: value" (Postfix's is_header: a field name, optional blanks, a colon). */
    static boolean isHeader(String text) {
        int i = 0;
        while (i < text.length() && text.charAt(i) > 32 && text.charAt(i) < 127 && text.charAt(i) != ':') i++;
        if (i == 0) return false;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
        return i < text.length() && text.charAt(i) == ':';
    }
}
