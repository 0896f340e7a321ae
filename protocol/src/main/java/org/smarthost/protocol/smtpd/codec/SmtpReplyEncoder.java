package org.smarthost.protocol.smtpd.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.smarthost.protocol.smtpd.SmtpReply;

/**
 * Writes {@link SmtpReply} as RFC 5321 reply lines: "250-first", ..., "250 last", each text
 * prefixed with the enhanced status code when the reply has one (RFC 2034).
 */
@ChannelHandler.Sharable
public final class SmtpReplyEncoder extends MessageToByteEncoder<SmtpReply> {

    public static final SmtpReplyEncoder INSTANCE = new SmtpReplyEncoder();

    private SmtpReplyEncoder() {
        super(SmtpReply.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, SmtpReply reply, ByteBuf out) {
        out.writeBytes(format(reply).getBytes(StandardCharsets.UTF_8));
    }

    public static String format(SmtpReply reply) {
        StringBuilder sb = new StringBuilder();
        List<String> lines = reply.lines().isEmpty() ? List.of("") : reply.lines();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(reply.code()).append(i == lines.size() - 1 ? ' ' : '-');
            if (!reply.enhanced().isEmpty()) sb.append(reply.enhanced()).append(' ');
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }
}
