package org.smarthost.streams.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CheckActionTest {

    @Test
    void theCommandIsTheFirstWordInAnyCase() {
        CheckAction a = CheckAction.parse("reject  \tno spam here ");
        assertEquals(CheckAction.Kind.REJECT, a.kind());
        assertEquals("reject", a.command());
        assertEquals("no spam here ", a.text());
        assertEquals(CheckAction.Kind.IGNORE, CheckAction.parse("IGNORE").kind());
        assertEquals("", CheckAction.parse("IGNORE").text());
        assertEquals(CheckAction.Kind.PREPEND, CheckAction.parse("Prepend X-Seen: yes").kind());
        assertEquals("X-Seen: yes", CheckAction.parse("Prepend X-Seen: yes").text());
        assertEquals(CheckAction.Kind.DUNNO, CheckAction.parse("dunno").kind());
        assertEquals(CheckAction.Kind.OK, CheckAction.parse("OK").kind());
        assertEquals(CheckAction.Kind.HOLD, CheckAction.parse("HOLD\tlook at it").kind());
    }

    @Test
    void unknownWordsAreUnknown() {
        assertEquals(CheckAction.Kind.UNKNOWN, CheckAction.parse("REJECTED text").kind());
        assertEquals(CheckAction.Kind.UNKNOWN, CheckAction.parse("").kind());
        assertEquals(CheckAction.Kind.UNKNOWN, CheckAction.parse("550 go away").kind());
        assertEquals(CheckAction.Kind.UNKNOWN, CheckAction.parse("DELAY 1h").kind());
    }

    @Test
    void rejectTextMayCarryItsOwnStatusCode() {
        assertEquals("5.7.1 spam", ContentFilter.dsnPrepend("5.7.1", "spam"));
        assertEquals("5.7.0 go away", ContentFilter.dsnPrepend("5.7.1", "5.7.0  go away"));
        assertEquals("4.7.1 later", ContentFilter.dsnPrepend("5.7.1", "4.7.1 later"));
        assertEquals("5.7.1 5.7.x text", ContentFilter.dsnPrepend("5.7.1", "5.7.x text"));
    }

    @Test
    void prependAndReplaceNeedAHeader() {
        assertTrue(ContentFilter.isHeader("X-Seen: yes"));
        assertTrue(ContentFilter.isHeader("X-Seen : yes"));
        assertFalse(ContentFilter.isHeader("not a header"));
        assertFalse(ContentFilter.isHeader(": value"));
    }

    @Test
    void controlCharactersAreLoggedAsQuestionMarks() {
        assertEquals("Subject: a??b", ContentFilter.printable("Subject: a\n\tb"));
    }
}
