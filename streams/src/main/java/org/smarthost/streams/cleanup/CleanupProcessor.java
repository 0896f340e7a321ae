package org.smarthost.streams.cleanup;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postfix's cleanup(8) for one message, as plain code over the message content (CRLF lines,
 * dot-unstuffed), fed chunk by chunk: it prepends smtpd's Received: header, passes the primary
 * headers one logical header at a time (a header longer than header_size_limit is truncated,
 * as Postfix does), counts Received: headers against hopcount_limit, appends missing
 * Message-Id:, Date: and From: headers at the end of the header section, and passes the body
 * through untouched. At most one header is buffered; the body is never buffered (with content
 * checks, one line of it and at most one MIME header). Every byte
 * given out counts against message_size_limit. A rejection is thrown as {@link CleanupRejected}.
 *
 * <p>Content checks ({@link ContentChecks}, header_checks(5)): each primary header, smtpd's
 * Received: included, is looked up as one string (folded lines joined with "\n") in
 * mime_header_checks when it is a MIME header (Content-Description, Content-Disposition,
 * Content-ID, Content-Transfer-Encoding, Content-Type, MIME-Version), else in header_checks.
 * When body_checks, mime_header_checks or nested_header_checks has tables, the body is cut into
 * lines (pieces of at most {@value #BODY_LINE_LIMIT} bytes, Postfix's line_length_limit, for
 * longer lines; only the current line and at most one MIME header are buffered) and followed
 * through its MIME structure as Postfix's mime_state does: multipart boundaries (at most
 * {@value #MIME_NESTING_LIMIT} deep, mime_nesting_limit) and message/rfc822 or message/global
 * attachments. The headers of a MIME part go to mime_header_checks; those of an attached
 * message to nested_header_checks (its MIME headers to mime_header_checks); all other lines,
 * boundaries and the empty line ending each header block included, to body_checks, when they
 * start within body_checks_size_limit bytes of their body part.
 * {@link CleanupStage} runs it in a stream; small messages that smtpd already holds whole are
 * cleaned without one.
 */
public final class CleanupProcessor {

    private static final Logger log = LoggerFactory.getLogger("postfix/cleanup");
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    /** A folded header's line break and the blanks after it (compiled once: 0.2% of a 2 KB relay). */
    private static final Pattern FOLD = Pattern.compile("\r\n[ \t]+");
    /** Postfix's line_length_limit default: body_checks sees longer lines in pieces of this size. */
    static final int BODY_LINE_LIMIT = 2048;
    /** Postfix's mime_nesting_limit default: deeper multiparts are read as plain body. */
    static final int MIME_NESTING_LIMIT = 100;
    private static final Pattern BOUNDARY_PARAMETER =
            Pattern.compile("(?i);\\s*boundary\\s*=\\s*(?:\"([^\"]*)\"|([^\\s;]+))");
    /** Headers that Postfix's header_opts marks HDR_OPT_MIME: they go to mime_header_checks. */
    private static final Set<String> MIME_HEADERS = Set.of("content-description", "content-disposition",
            "content-id", "content-transfer-encoding", "content-type", "mime-version");

    private final CleanupSettings settings;
    private final CleanupEnvelope envelope;
    private final ContentFilter filter;
    /** smtpd's Received: header has been given out (through header_checks): on the first input. */
    private boolean started;

    private final int lineCap;
    // header phase state
    private boolean inHeaders = true;
    /**
     * The current header line, up to lineCap bytes. A plain array, filled a run at a time: a
     * ByteArrayOutputStream written a byte at a time (each call synchronized) was half of
     * cleanup's 12 µs per message.
     */
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean lineOverflow;          // bytes of the current line beyond the cap are dropped
    private final ByteArrayOutputStream header = new ByteArrayOutputStream(256);
    private boolean headerTruncated;
    private int hops = 1;                  // our own Received: header counts
    private boolean seenMessageId, seenDate, seenFrom, seenResentMessageId, seenResentDate,
            seenResentFrom, resent;
    private String messageId;
    private long size;
    private ByteStringBuilder pending = ByteString.createBuilder();
    // body_checks state: the current body line (a piece of at most BODY_LINE_LIMIT bytes)
    private byte[] bodyLine;
    private int bodyLineLength;
    private long bodyOffset;               // Postfix's body_offset: line lengths + 1 each, per body part
    private boolean continuing;            // the last body record was a piece of a longer line
    // MIME state (only followed while the body is read line by line)
    private enum Mime { BODY, PART_HEADERS, NESTED_HEADERS }
    private record Boundary(byte[] text, boolean digest) { }
    private Mime mime = Mime.BODY;
    private final java.util.ArrayDeque<Boundary> boundaries = new java.util.ArrayDeque<>();
    private String contentType;            // of the header block being read, lower case, or null
    private String boundary;               // its boundary parameter, or null
    private boolean digestPart;            // a part of multipart/digest: message/rfc822 by default
    private Mime afterPrimary = Mime.BODY; // where the body goes after the primary headers' empty line
    private final ByteArrayOutputStream partHeader = new ByteArrayOutputStream(256);
    private boolean partHeaderTruncated;

    private boolean finished;

    public CleanupProcessor(CleanupSettings settings, CleanupEnvelope envelope) {
        this.settings = settings;
        this.envelope = envelope;
        this.lineCap = settings.headerSizeLimit() + 2;
        this.filter = new ContentFilter(settings.checks(), envelope);
    }

    /** smtpd's Received: header, the first primary header, which header_checks sees too. */
    private void start() {
        started = true;
        String received = ReceivedHeader.format(settings, envelope);
        if (!filter.checksHeaders()) {
            appendString(received);
            return;
        }
        String text = headerText(received);
        List<String> prepend = new ArrayList<>(0);
        String result = filter.primaryHeader(text, false, prepend);
        for (String p : prepend) appendString(headerLines(p));
        if (result == null) return;
        appendString(result.equals(text) ? received : headerLines(result));
    }

    /** Takes the next piece of content; returns what can be given out now (often empty while in headers). */
    public ByteString push(ByteString chunk) {
        if (!started) start();
        if (inHeaders) {
            scanHeaders(chunk);
        } else {
            body(chunk);
        }
        return takePending();
    }

    /** The content has ended: returns the rest of the output; {@link #result()} is known from now on. */
    public ByteString finish() {
        if (!started) start();
        if (inHeaders) {
            if (lineLength > 0) endOfLine(false);
            if (inHeaders) endOfHeaders();
        }
        if (bodyLineLength > 0) endOfBodyLine(false);
        flushPartHeader();
        finished = true;
        return takePending();
    }

    /** What cleanup learned about the message; only after {@link #finish()}. */
    public CleanupResult result() {
        if (!finished) throw new IllegalStateException("cleanup of " + envelope.queueId() + " has not finished");
        return new CleanupResult(messageId, size, hops, filter.discard(), filter.holdReason());
    }

    private ByteString takePending() {
        ByteString bytes = pending.result();
        pending = ByteString.createBuilder();
        return bytes;
    }

    private void append(ByteString bytes) {
        size += bytes.size();
        if (settings.messageSizeLimit() > 0 && size > settings.messageSizeLimit()) {
            throw CleanupRejected.messageTooBig();
        }
        pending.append(bytes);
    }

    private void appendString(String s) {
        append(ByteString.fromString(s, StandardCharsets.UTF_8));
    }

    private void scanHeaders(ByteString chunk) {
        int base = 0; // index in chunk of the buffer's first byte
        for (ByteBuffer b : chunk.getByteBuffers()) {
            int start = b.position();
            int n = b.remaining();
            int i = 0;
            while (i < n) {
                if (!inHeaders) {
                    body(chunk.drop(base + i));
                    return;
                }
                int lf = i;
                while (lf < n && b.get(start + lf) != LF) lf++;
                int run = lf - i;
                int take = Math.min(run, lineCap - lineLength);
                addToLine(b, start + i, take);
                if (take < run && !lineOverflow) {
                    lineOverflow = true; // the rest of the line is dropped, unless:
                    if (!isHeaderOrContinuation()) {
                        // A long non-header line starts the body: nothing of it may be lost.
                        byte[] prefix = Arrays.copyOf(line, lineLength);
                        lineLength = 0;
                        lineOverflow = false;
                        endOfHeaders();
                        body(ByteString.fromArray(prefix));
                        body(chunk.drop(base + i + take));
                        return;
                    }
                }
                if (lf == n) break;
                endOfLine(true);
                i = lf + 1;
            }
            base += n;
        }
    }

    private void addToLine(ByteBuffer b, int from, int n) {
        if (lineLength + n > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
        b.get(from, line, lineLength, n);
        lineLength += n;
    }

    private boolean isHeaderOrContinuation() {
        byte[] l = Arrays.copyOf(line, lineLength);
        return l.length > 0 && (l[0] == ' ' || l[0] == '\t') && header.size() > 0 || headerNameLength(l) > 0;
    }

    /** A complete line (without its LF) is in {@code line}. */
    private void endOfLine(boolean hadLf) {
        byte[] l = Arrays.copyOf(line, lineLength);
        int len = l.length;
        if (len > 0 && l[len - 1] == CR) len--;
        boolean overflow = lineOverflow;
        lineLength = 0;
        lineOverflow = false;
        if (len == 0 && !overflow) {
            endOfHeaders();
            if (hadLf) {
                bodyOut(new byte[] {CR, LF}, 0);
                mime = afterPrimary;
            }
            return;
        }
        if ((l[0] == ' ' || l[0] == '\t') && header.size() > 0) {
            addToHeader(l, len, overflow);
            return;
        }
        if (headerNameLength(l) > 0) {
            flushHeader();
            addToHeader(l, len, overflow);
            return;
        }
        // Not a header: the body begins without the customary empty line.
        endOfHeaders();
        body(ByteString.fromArray(l, 0, len));
        if (hadLf) body(CRLF);
    }

    private void addToHeader(byte[] l, int len, boolean overflow) {
        if (headerTruncated) return;
        int room = settings.headerSizeLimit() - header.size();
        if (len + 2 > room || overflow) {
            headerTruncated = true;
            len = Math.max(0, Math.min(len, room - 2));
        }
        header.write(l, 0, len);
        header.write(CR);
        header.write(LF);
    }

    private void flushHeader() {
        if (header.size() == 0) return;
        byte[] h = header.toByteArray();
        header.reset();
        if (headerTruncated) {
            headerTruncated = false;
            log.warn("{}: header longer than header_size_limit {} was truncated", envelope.queueId(),
                    settings.headerSizeLimit());
        }
        int nameLen = headerNameLength(h);
        String name = headerName(h, nameLen);
        if (name.equals("received")) hops++; // counted before header_checks may delete it, as Postfix does
        if (name.equals("content-type")) contentType(h, nameLen); // the MIME structure, whatever the checks do
        if (filter.checksHeaders()) {
            String text = headerText(new String(h, StandardCharsets.UTF_8));
            List<String> prepend = new ArrayList<>(0);
            String result = filter.primaryHeader(text, MIME_HEADERS.contains(name), prepend);
            for (String p : prepend) appendString(headerLines(p));
            if (result == null) return;
            if (!result.equals(text)) {
                h = headerLines(result).getBytes(StandardCharsets.UTF_8);
                nameLen = headerNameLength(h);
                name = headerName(h, nameLen);
            }
        }
        switch (name) {
            case "received" -> {
                if (hops >= settings.hopcountLimit()) throw CleanupRejected.tooManyHops();
            }
            case "message-id" -> {
                seenMessageId = true;
                messageId = value(h, nameLen);
                log.info("{}: message-id={}", envelope.queueId(), messageId);
            }
            case "resent-message-id" -> {
                seenResentMessageId = true;
                resent = true;
                log.info("{}: resent-message-id={}", envelope.queueId(), value(h, nameLen));
            }
            case "date" -> seenDate = true;
            case "from" -> seenFrom = true;
            case "resent-date" -> { seenResentDate = true; resent = true; }
            case "resent-from" -> { seenResentFrom = true; resent = true; }
            default -> {
                if (name.startsWith("resent-")) resent = true;
            }
        }
        append(ByteString.fromArray(h));
    }

    private static String headerName(byte[] h, int nameLen) {
        return new String(h, 0, nameLen, StandardCharsets.ISO_8859_1).trim().toLowerCase(Locale.ROOT);
    }

    /** A header as Postfix's tables see it: without its last line break, folded lines joined by "\n". */
    static String headerText(String lines) {
        String t = lines.endsWith("\r\n") ? lines.substring(0, lines.length() - 2) : lines;
        return t.replace("\r\n", "\n");
    }

    /** Header text from a table (REPLACE, PREPEND) as content lines. */
    static String headerLines(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n";
    }

    private static final ByteString CRLF = ByteString.fromString("\r\n");

    /** Body content: straight out, or line by line through body_checks. */
    private void body(ByteString bytes) {
        int n = bytes.size();
        int i = 0;
        while (i < n) {
            if (bodyLineLength == 0 && !filter.scansBody()) {
                flushPartHeader();
                append(i == 0 ? bytes : bytes.drop(i));
                return;
            }
            int lf = bytes.indexOf(LF, i);
            int end = lf < 0 ? n : lf + 1;
            int take = Math.min(end - i, BODY_LINE_LIMIT - bodyLineLength);
            if (bodyLine == null) bodyLine = new byte[BODY_LINE_LIMIT];
            bytes.slice(i, i + take).asByteBuffer().get(bodyLine, bodyLineLength, take);
            bodyLineLength += take;
            i += take;
            if (bodyLine[bodyLineLength - 1] == LF) {
                endOfBodyLine(true);
            } else if (bodyLineLength == BODY_LINE_LIMIT) {
                endOfBodyLine(false);
            }
        }
    }

    /** Whether the next body line is to be looked up in body_checks. */
    private boolean checkingBody() {
        long limit = filter.bodyChecksSizeLimit();
        return filter.checksBody() && (limit <= 0 || bodyOffset < limit);
    }

    /** The body line (or a piece of a long one, or the last line without a line break) is complete. */
    private void endOfBodyLine(boolean complete) {
        byte[] raw = Arrays.copyOf(bodyLine, bodyLineLength);
        bodyLineLength = 0;
        int len = raw.length;
        if (complete) {
            len--;
            if (len > 0 && raw[len - 1] == CR) len--;
        }
        boolean lineStart = !continuing;
        continuing = !complete;
        if (lineStart && !boundaries.isEmpty() && len >= 2 && raw[0] == '-' && raw[1] == '-' && boundary(raw, len)) {
            return;
        }
        if (mime == Mime.BODY) {
            bodyOut(raw, len);
            return;
        }
        // the headers of a MIME part or of an attached message
        if (!lineStart) {
            addToPartHeader(raw);
        } else if (len == 0) {
            flushPartHeader();
            Mime next = afterHeaderBlock();
            bodyOffset = 0;
            bodyOut(raw, len);
            mime = next;
        } else if ((raw[0] == ' ' || raw[0] == '\t') && partHeader.size() > 0) {
            addToPartHeader(raw);
        } else if (headerNameLength(raw) > 0) {
            flushPartHeader();
            addToPartHeader(raw);
        } else {
            // not a header: the part's body starts without the empty line
            flushPartHeader();
            Mime next = afterHeaderBlock();
            mime = next == Mime.NESTED_HEADERS ? Mime.BODY : next;
            bodyOffset = 0;
            bodyOut(raw, len);
        }
    }

    /**
     * A line starting with "--" in a multipart: if it is one of the open boundaries, the parts
     * inside it end, and a new part begins (its headers follow) or, with "--" after the
     * boundary, the multipart ends. The line itself is body content.
     */
    private boolean boundary(byte[] raw, int len) {
        int depth = 0;
        for (Boundary b : boundaries) {
            byte[] t = b.text();
            if (len >= 2 + t.length && Arrays.equals(raw, 2, 2 + t.length, t, 0, t.length)) {
                flushPartHeader();
                for (int i = 0; i < depth; i++) boundaries.pop();
                boolean close = len >= 4 + t.length && raw[2 + t.length] == '-' && raw[3 + t.length] == '-';
                bodyOut(raw, len);
                if (close) {
                    boundaries.pop();
                    mime = Mime.BODY;
                } else {
                    mime = Mime.PART_HEADERS;
                    contentType = null;
                    boundary = null;
                    digestPart = b.digest();
                }
                bodyOffset = 0;
                return true;
            }
            depth++;
        }
        return false;
    }

    /**
     * What follows the header block just read, by its Content-Type: a multipart's preamble (its
     * boundary now open), an attached message's headers, or a plain body.
     */
    private Mime afterHeaderBlock() {
        String type = contentType != null ? contentType : digestPart ? "message/rfc822" : "text/plain";
        String b = boundary;
        contentType = null;
        boundary = null;
        digestPart = false;
        if (type.startsWith("multipart/") && b != null && !b.isEmpty() && boundaries.size() < MIME_NESTING_LIMIT) {
            boundaries.push(new Boundary(b.getBytes(StandardCharsets.UTF_8), type.equals("multipart/digest")));
            return Mime.BODY;
        }
        if (type.equals("message/rfc822") || type.equals("message/global")) return Mime.NESTED_HEADERS;
        return Mime.BODY;
    }

    /** Remembers the type and boundary of a Content-Type: header (Postfix's mime_state reads the original). */
    private void contentType(byte[] h, int nameLen) {
        String v = value(h, nameLen);
        int end = 0;
        while (end < v.length() && v.charAt(end) != ';' && !Character.isWhitespace(v.charAt(end))) end++;
        contentType = v.substring(0, end).toLowerCase(Locale.ROOT);
        Matcher m = BOUNDARY_PARAMETER.matcher(v);
        boundary = m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
    }

    private void addToPartHeader(byte[] raw) {
        if (partHeader.size() + raw.length > settings.headerSizeLimit()) {
            partHeaderTruncated = true; // Postfix truncates MIME headers at header_size_limit too
            return;
        }
        partHeader.write(raw, 0, raw.length);
    }

    /** The MIME header read so far, through mime_header_checks or nested_header_checks, out. */
    private void flushPartHeader() {
        if (partHeader.size() == 0) return;
        byte[] h = partHeader.toByteArray();
        partHeader.reset();
        if (partHeaderTruncated) {
            partHeaderTruncated = false;
            log.warn("{}: header longer than header_size_limit {} was truncated", envelope.queueId(),
                    settings.headerSizeLimit());
            if (h[h.length - 1] != LF) {
                h = Arrays.copyOf(h, h.length + 2);
                h[h.length - 2] = CR;
                h[h.length - 1] = LF;
            }
        }
        int nameLen = headerNameLength(h);
        String name = headerName(h, nameLen);
        if (name.equals("content-type")) contentType(h, nameLen);
        String text = headerText(new String(h, StandardCharsets.UTF_8));
        List<String> prepend = new ArrayList<>(0);
        String result = mime == Mime.PART_HEADERS ? filter.partHeader(text, prepend)
                : filter.nestedHeader(text, MIME_HEADERS.contains(name), prepend);
        for (String p : prepend) appendString(headerLines(p));
        if (result == null) return;
        if (result.equals(text)) {
            append(ByteString.fromArrayUnsafe(h));
        } else {
            appendString(headerLines(result));
        }
    }

    /** A body line (without its line break, {@code len} bytes of {@code raw}) through body_checks, out. */
    private void bodyOut(byte[] raw, int len) {
        boolean check = checkingBody();
        bodyOffset += len + 1;
        if (!check) {
            append(ByteString.fromArrayUnsafe(raw));
            return;
        }
        String text = new String(raw, 0, len, StandardCharsets.UTF_8);
        List<String> prepend = new ArrayList<>(0);
        String result = filter.bodyLine(text, prepend);
        for (String p : prepend) appendString(p + "\r\n");
        if (result == null) return;
        if (result.equals(text)) {
            append(ByteString.fromArrayUnsafe(raw));
        } else {
            appendString(result);
            append(ByteString.fromArrayUnsafe(raw, len, raw.length - len));
        }
    }

    private String value(byte[] h, int nameLen) {
        String v = new String(h, nameLen + 1, h.length - nameLen - 1, StandardCharsets.UTF_8);
        return FOLD.matcher(v).replaceAll(" ").strip();
    }

    private void endOfHeaders() {
        flushHeader();
        inHeaders = false;
        afterPrimary = afterHeaderBlock();
        String prefix = resent ? "Resent-" : "";
        if (envelope.addMissingHeaders()) {
            if (!(resent ? seenResentMessageId : seenMessageId)) {
                // With long queue IDs, Postfix's Message-Id is <QUEUEID@myhostname>.
                String id = "<" + envelope.queueId() + "@" + settings.myhostname() + ">";
                appendString(prefix + "Message-Id: " + id + "\r\n");
                log.info("{}: {}message-id={}", envelope.queueId(), resent ? "resent-" : "", id);
                if (!resent) {
                    seenMessageId = true;
                    messageId = id;
                }
            }
            if (!(resent ? seenResentDate : seenDate)) {
                appendString(prefix + "Date: " + MailDate.format(envelope.arrival(), settings.zone()) + "\r\n");
            }
            if (!(resent ? seenResentFrom : seenFrom)) {
                String from = envelope.sender().isEmpty() ? "MAILER-DAEMON" : envelope.sender();
                appendString(prefix + "From: " + from + "\r\n");
            }
        }
        if (!seenMessageId) log.info("{}: message-id=<>", envelope.queueId());
    }

    /**
     * Length of the field name if {@code l} starts with "name:" (RFC 5322 ftext: printable
     * US-ASCII except colon; Postfix also accepts blanks before the colon), else 0.
     */
    static int headerNameLength(byte[] l) {
        int i = 0;
        while (i < l.length && l[i] > 32 && l[i] < 127 && l[i] != ':') i++;
        if (i == 0) return 0;
        int j = i;
        while (j < l.length && (l[j] == ' ' || l[j] == '\t')) j++;
        return j < l.length && l[j] == ':' ? j : 0;
    }
}
