package org.smarthost.protocol.smtpd.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * What {@link SmtpServerDecoder} produces: command lines in command mode, message content in
 * DATA/BDAT mode. The shape follows netty codec-smtp's message types, seen from the server side.
 */
public sealed interface SmtpdInput {

    /**
     * One command line, without its line terminator.
     *
     * @param line    the line as received (decoded as UTF-8)
     * @param bareLf  the line ended in a bare LF instead of CRLF
     * @param badUtf8 the line is not valid UTF-8
     */
    record CommandLine(String line, boolean bareLf, boolean badUtf8) implements SmtpdInput {
    }

    /** A command line longer than line_length_limit; its bytes were skipped up to the newline. */
    record CommandTooLong(String head) implements SmtpdInput {
    }

    /**
     * Message content: dot-unstuffed (DATA), lines normalized to CRLF. The receiver of this
     * message owns {@code content} and must release it.
     */
    record Content(ByteBuf content) implements SmtpdInput, ReferenceCounted {
        @Override public int refCnt() { return content.refCnt(); }
        @Override public Content retain() { content.retain(); return this; }
        @Override public Content retain(int n) { content.retain(n); return this; }
        @Override public Content touch() { content.touch(); return this; }
        @Override public Content touch(Object hint) { content.touch(hint); return this; }
        @Override public boolean release() { return content.release(); }
        @Override public boolean release(int n) { return content.release(n); }
    }

    /**
     * End of DATA (the "." line) or of one BDAT chunk.
     *
     * @param bareLfSeen content had a line ending in a bare LF (used by smtpd_forbid_bare_newline)
     */
    record ContentEnd(boolean bareLfSeen) implements SmtpdInput {
    }
}
