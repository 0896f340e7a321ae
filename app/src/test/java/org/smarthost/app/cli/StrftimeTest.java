package org.smarthost.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class StrftimeTest {

    @Test
    void formatsPostfixsDefaultRotateSuffix() {
        ZonedDateTime t = ZonedDateTime.of(2026, 11, 5, 7, 2, 3, 0, ZoneOffset.UTC);
        assertEquals("20261105-070203", Strftime.format("%Y%m%d-%H%M%S", t));
        assertEquals("Nov- 5-100%", Strftime.format("%b-%e-100%%", t));
    }
}
