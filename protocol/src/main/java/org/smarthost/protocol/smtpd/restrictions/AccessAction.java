package org.smarthost.protocol.smtpd.restrictions;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.smarthost.config.Config;
import org.smarthost.protocol.smtpd.SmtpReply;

/**
 * What an access(5) table's value means, Postfix's check_table_result: OK, REJECT, DEFER,
 * 4NN/5NN text, DUNNO, WARN, INFO, DEFER_IF_PERMIT, DEFER_IF_REJECT, an all-numerical value
 * (OK), or a list of restrictions or restriction class names evaluated in place. The context's
 * replyName and replyClass are the checked item ("user@example.com", "Sender address").
 *
 * <p>Actions that change the message rather than the reply (HOLD, DISCARD, FILTER, REDIRECT,
 * BCC, PREPEND) and Postfix's unsupported HANGUP are not available in smarthost yet: they log
 * a warning and answer 451 4.3.5 Server configuration error, so such mail is never accepted
 * without the action.
 */
public final class AccessAction {

    private AccessAction() {
    }

    /** Actions smarthost recognizes but cannot carry out yet. */
    static final List<String> UNSUPPORTED = List.of("HOLD", "DISCARD", "FILTER", "REDIRECT", "BCC", "PREPEND", "HANGUP");

    /** The value Postfix substitutes when a table cannot answer. */
    static final String LOOKUP_ERROR_VALUE = "451 4.3.5 Server configuration error";

    /**
     * @param table the table's "type:name", for log lines
     * @param value what the table returned
     * @param datum what was looked up (the full name or address), for log lines
     */
    public static CompletionStage<Verdict> apply(RestrictionContext ctx, String table, String value, String datum) {
        Logger log = ctx.tables().log();
        var maps = ctx.tables().settings().accessMaps();
        int sp = 0;
        while (sp < value.length() && value.charAt(sp) != ' ' && value.charAt(sp) != '\t') sp++;
        String cmd = value.substring(0, sp);
        String text = value.substring(sp).stripLeading();
        String upper = cmd.toUpperCase(Locale.ROOT);

        switch (upper) {
            case "DUNNO":
                return done(Verdict.DUNNO);
            case "REJECT":
                return done(new Verdict.Reject(reply(ctx, maps.accessMapRejectCode(), "5.7.1", text, "Access denied")));
            case "DEFER":
                return done(new Verdict.Reject(reply(ctx, maps.accessMapDeferCode(), "4.7.1", text, "Access denied")));
            case "INFO":
            case "WARN":
                ctx.whatsup().log(upper.toLowerCase(Locale.ROOT), text);
                return done(Verdict.DUNNO);
            case "DEFER_IF_PERMIT":
                return done(new Verdict.DeferIfPermit(reply(ctx, maps.accessMapDeferCode(), "4.7.1", text,
                        "Service unavailable")));
            case "DEFER_IF_REJECT":
                return done(new Verdict.DeferIfReject(reply(ctx, maps.accessMapDeferCode(), "4.7.1", text,
                        "Service unavailable")));
            case "OK":
            case "RELAY":
                return done(Verdict.PERMIT);
            default:
                break;
        }
        if (UNSUPPORTED.contains(upper)) {
            log.warn("warning: access table {} entry \"{}\" has {} action, which smarthost does not support yet",
                    table, datum, upper);
            return done(new Verdict.Reject(RestrictionEngine.SERVER_CONFIGURATION_ERROR));
        }
        // An all-numerical value means OK (some out-of-band authentication stores a time stamp).
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) return done(Verdict.PERMIT);
        if (cmd.length() == 3 && !text.isEmpty() && (cmd.charAt(0) == '4' || cmd.charAt(0) == '5')
                && Character.isDigit(cmd.charAt(1)) && Character.isDigit(cmd.charAt(2))) {
            int code = Integer.parseInt(cmd);
            return done(new Verdict.Reject(reply(ctx, code, cmd.charAt(0) + ".7.1", text, "Access denied")));
        }
        if (value.indexOf(':') >= 0) {
            log.warn("warning: access table {} has entry with lookup table: {}", table, value);
            log.warn("warning: do not specify lookup tables inside SMTPD access maps");
            log.warn("warning: define a restriction class and specify its name instead.");
            return done(new Verdict.Reject(RestrictionEngine.SERVER_CONFIGURATION_ERROR));
        }
        RestrictionEngine.Evaluation ev = ctx.evaluation();
        if (ev.depth() > RestrictionEngine.MAX_RECURSION) {
            log.warn("warning: access table {} entry {} causes unreasonable recursion", table, value);
            return done(new Verdict.Reject(RestrictionEngine.SERVER_CONFIGURATION_ERROR));
        }
        if (Config.splitList(value).isEmpty()) {
            log.warn("warning: access table {} entry {} has empty value", table, value);
            return done(Verdict.PERMIT);
        }
        return ev.run(ctx, ev.compileValue(value));
    }

    /**
     * The reply for REJECT, DEFER, 4NN/5NN and the DEFER_IF_ actions: "&lt;name&gt;: Class rejected:
     * text". The text may begin with its own enhanced status code (RFC 3463); a mailbox status
     * (x.1.y) is mapped to the sender's or recipient's equivalent as Postfix's smtpd_dsn_fix does.
     */
    static SmtpReply reply(RestrictionContext ctx, int code, String defaultDsn, String text, String defaultText) {
        Logger log = ctx.tables().log();
        String dsn = defaultDsn;
        String rest = text;
        int len = dsnLength(text);
        if (len > 0) {
            dsn = text.substring(0, len);
            rest = text.substring(len).stripLeading();
        }
        dsn = fixDsn(log, dsn, ctx.replyClass());
        String message = "<" + ctx.replyName() + ">: " + ctx.replyClass() + " rejected: "
                + (rest.isEmpty() ? defaultText : rest);
        if (code < 400 || code > 599) {
            log.warn("warning: SMTP reply code configuration error: {} {} {}", code, dsn, message);
            return SmtpReply.of(450, "4.7.1", "Service unavailable");
        }
        // The enhanced code's class follows the reply code; the whole reply fits in 512 octets.
        String enhanced = (char) ('0' + code / 100) + dsn.substring(1);
        int room = 510 - 4 - enhanced.length() - 1;
        if (message.length() > room) message = message.substring(0, Math.max(0, room));
        StringBuilder printable = new StringBuilder(message.length());
        for (char c : message.toCharArray()) printable.append(c < ' ' || c == 0x7f ? ' ' : c);
        return SmtpReply.of(code, enhanced, printable.toString());
    }

    /** Postfix's dsn_valid: the length of a leading "[245].d{1,3}.d{1,3}" code, 0 if there is none. */
    static int dsnLength(String s) {
        var m = java.util.regex.Pattern.compile("^[245]\\.\\d{1,3}\\.\\d{1,3}(?=$|\\s)").matcher(s);
        return m.find() ? m.end() : 0;
    }

    /** Postfix's smtpd_dsn_fix for "X.1.Y" mailbox status codes. */
    static String fixDsn(Logger log, String status, String replyClass) {
        if (!status.startsWith(".1.", 1)) return status;
        String micro = status.substring(4);
        String result;
        if (replyClass.equals("Sender address")) {
            result = switch (micro) {
                case "1", "4", "6", "7" -> "4.1.7";
                case "2", "8" -> "4.1.8";
                case "3" -> "4.1.7";
                case "5" -> "4.1.0";
                default -> "4.1.0";
            };
        } else if (replyClass.equals("Recipient address")) {
            result = switch (micro) {
                case "1" -> "4.1.1";
                case "2", "8" -> "4.1.2";
                case "3", "7" -> "4.1.3";
                case "4" -> "4.1.4";
                case "5" -> "4.1.5";
                case "6" -> "4.1.6";
                default -> "4.1.0";
            };
        } else {
            result = "4.0.0";
        }
        if (!status.substring(2).equals(result.substring(2))) {
            log.info("mapping DSN status {} into {} status {}{}", status, replyClass, status.charAt(0), result.substring(1));
        }
        return result;
    }

    private static CompletionStage<Verdict> done(Verdict v) {
        return CompletableFuture.completedFuture(v);
    }
}
