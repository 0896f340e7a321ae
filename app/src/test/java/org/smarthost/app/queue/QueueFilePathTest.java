package org.smarthost.app.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueueFilePathTest {

    private static final QueueFilePath DEFAULTS = new QueueFilePath(List.of("deferred", "defer"), 1);

    /** Paths Postfix 3.7.11's postcat printed for these IDs (enable_long_queue_ids = yes and no). */
    @Test
    void asPostfixNamesQueueFiles() {
        assertEquals("deferred/7/E/4jb17W3hFszJy97",
                new QueueFilePath(List.of("deferred", "defer"), 2).of("deferred", "4jb17W3hFszJy97"));
        assertEquals("deferred/0/028A8220174", DEFAULTS.of("deferred", "028A8220174"));
    }

    @Test
    void onlyTheHashedQueuesGetAForest() {
        assertEquals("active/4jb17W3hFszJy97", DEFAULTS.of("active", "4jb17W3hFszJy97"));
        assertEquals("hold/4jb17W3hFszJy97", DEFAULTS.of("hold", "4jb17W3hFszJy97"));
        assertEquals("deferred/7/4jb17W3hFszJy97", DEFAULTS.of("deferred", "4jb17W3hFszJy97"));
    }

    /** Deeper than the five hex digits of the microseconds: Postfix's dir_forest pads with '_'. */
    @Test
    void levelsPastTheHashedStringAreUnderscores() {
        assertEquals("deferred/7/E/E/D/1/_/4jb17W3hFszJy97",
                new QueueFilePath(List.of("deferred"), 6).of("deferred", "4jb17W3hFszJy97"));
    }
}
