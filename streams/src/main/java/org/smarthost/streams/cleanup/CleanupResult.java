package org.smarthost.streams.cleanup;

/**
 * What cleanup learned from a message it accepted.
 *
 * @param messageId  the Message-ID (with angle brackets) found or added, or null
 * @param size       bytes written, i.e. the queued message size
 * @param hopCount   Received: headers counted, including the one added here
 * @param discard    a DISCARD action matched: answer 250 but do not queue the message
 * @param holdReason a HOLD action matched: the message goes to the hold queue with this text
 *                   ("" when the action had none); null when no HOLD matched
 */
public record CleanupResult(String messageId, long size, int hopCount, boolean discard, String holdReason) {

    public CleanupResult(String messageId, long size, int hopCount) {
        this(messageId, size, hopCount, false, null);
    }

    public boolean hold() {
        return holdReason != null;
    }
}
