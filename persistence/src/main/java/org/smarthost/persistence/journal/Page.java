package org.smarthost.persistence.journal;

import java.util.List;

/**
 * A page of a query: the items, and the last position scanned (which may be beyond the last
 * item when deleted or corrupt records were skipped), so the next page starts after it.
 */
public record Page<T>(List<T> items, long scannedTo) {
}
