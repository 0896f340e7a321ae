package org.smarthost.persistence.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoreChangeTest {

    @Test
    void unionOfTheParts() {
        StoreChange a = new StoreChange(Set.of("message|A"), Set.of("queue"), false);
        StoreChange b = new StoreChange(Set.of("message|B", "message|A"), Set.of(), true);
        assertEquals(new StoreChange(Set.of("message|A", "message|B"), Set.of("queue"), true),
                StoreChange.union(Arrays.asList(a, null, StoreChange.NONE, b)));
    }

    @Test
    void nothingChangedIsNone() {
        assertSame(StoreChange.NONE, StoreChange.union(Arrays.asList(null, StoreChange.NONE)));
        assertSame(StoreChange.NONE, StoreChange.union(List.of()));
    }
}
