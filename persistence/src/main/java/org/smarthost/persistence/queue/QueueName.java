package org.smarthost.persistence.queue;

import java.util.Locale;

/**
 * Postfix's queues. Here they are states of a message, not directories: a message is in
 * exactly one of them.
 */
public enum QueueName {
    /** Being received: body still being written, no MessageReceived yet. */
    INCOMING,
    /** Eligible for delivery now (Postfix's active queue; postqueue marks it with '*'). */
    ACTIVE,
    /** Waiting for its next attempt time after a temporary failure. */
    DEFERRED,
    /** On hold until released by the administrator (postqueue marks it with '!'). */
    HOLD,
    /** Unusable; kept for inspection. */
    CORRUPT,
    /** Finished: completed or deleted. Not shown by postqueue. */
    DONE;

    /** The lower-case name Postfix uses ("active", "deferred", ...). */
    public String postfixName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static QueueName fromPostfixName(String name) {
        for (QueueName q : values()) {
            if (q.postfixName().equals(name)) return q;
        }
        throw new IllegalArgumentException("invalid queue name: " + name);
    }
}
