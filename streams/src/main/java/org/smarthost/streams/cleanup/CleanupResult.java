package org.smarthost.streams.cleanup;

/**
 * What cleanup learned from a message it accepted.
 *
 * @param messageId the Message-ID (with angle brackets) found or added, or null
 * @param size      bytes written, i.e. the queued message size
 * @param hopCount  Received: headers counted, including the one added here
 */
public record CleanupResult(String messageId, long size, int hopCount) {
}
