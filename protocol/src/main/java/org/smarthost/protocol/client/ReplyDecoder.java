package org.smarthost.protocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Aggregates reply lines (already split by a LineBasedFrameDecoder) into {@link ServerReply}s:
 * "250-..." lines continue, "250 ..." (or a bare "250") ends a reply. Lines without a leading
 * three-digit code are dropped, as Postfix's smtp_chat ignores garbage.
 */
final class ReplyDecoder extends MessageToMessageDecoder<ByteBuf> {

    private final List<String> lines = new ArrayList<>();

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        // UTF-8 so that SMTPUTF8 servers' texts survive; Postfix passes the bytes through too.
        String line = frame.toString(StandardCharsets.UTF_8);
        if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                || !Character.isDigit(line.charAt(2))) {
            return;
        }
        boolean more = line.length() > 3 && line.charAt(3) == '-';
        lines.add(line.length() > 4 ? line.substring(4) : "");
        if (!more) {
            out.add(new ServerReply(Integer.parseInt(line.substring(0, 3)), lines));
            lines.clear();
        }
    }
}
