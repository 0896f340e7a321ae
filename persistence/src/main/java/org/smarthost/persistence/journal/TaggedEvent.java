package org.smarthost.persistence.journal;

import org.apache.pekko.persistence.PersistentRepr;

/** An event found through the tag index, with its global offset. */
public record TaggedEvent(long offset, PersistentRepr repr) {
}
