package org.smarthost.config.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParentDomainsTest {

    @Test
    void walksParentsInBothStyles() {
        assertEquals(List.of("mail.example.com", ".example.com", ".com"), ParentDomains.of("mail.example.com", false));
        assertEquals(List.of("mail.example.com", "example.com", "com"), ParentDomains.of("mail.example.com", true));
        assertEquals(List.of("localhost"), ParentDomains.of("localhost", false));
        assertEquals(List.of(), ParentDomains.of("", true));
    }
}
