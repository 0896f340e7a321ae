package org.smarthost.protocol.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SaslSecurityOptionsTest {

    @Test void parsesPostfixLists() {
        assertEquals(SaslSecurityOptions.NONE, SaslSecurityOptions.parse(""));
        assertEquals(SaslSecurityOptions.NONE, SaslSecurityOptions.parse("  , "));
        assertEquals(SaslSecurityOptions.DEFAULT, SaslSecurityOptions.parse("noanonymous"));
        assertEquals(new SaslSecurityOptions(true, false, false, true, false, false),
                SaslSecurityOptions.parse("noplaintext, noanonymous"));
        assertEquals(new SaslSecurityOptions(true, true, true, true, true, true),
                SaslSecurityOptions.parse(" NoPlainText,noactive\tnodictionary\nnoanonymous forward_secrecy,,mutual_auth "));
    }

    @Test void unknownOptionsAreRejectedWithPostfixsText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SaslSecurityOptions.parse("noanonymous, noplain"));
        assertEquals("unknown SASL security options value \"noplain\" in \"noanonymous, noplain\"", e.getMessage());
        // Dovecot's spelling of a property is not a Postfix option
        assertThrows(IllegalArgumentException.class, () -> SaslSecurityOptions.parse("forward-secrecy"));
    }

    @Test void toStringIsMainCfSyntax() {
        assertEquals("", SaslSecurityOptions.NONE.toString());
        assertEquals("noplaintext, noanonymous, mutual_auth",
                SaslSecurityOptions.parse("mutual_auth noanonymous noplaintext").toString());
        SaslSecurityOptions all = SaslSecurityOptions.parse("noplaintext noactive nodictionary noanonymous forward_secrecy mutual_auth");
        assertEquals(all, SaslSecurityOptions.parse(all.toString()));
    }

    @Test void admitsAsPostfixFiltersDovecotMechanisms() {
        SaslSecurityOptions noplaintext = SaslSecurityOptions.parse("noplaintext");
        assertFalse(noplaintext.admits(true, false, false, false, false, false));
        assertTrue(noplaintext.admits(false, true, true, false, false, false));
        SaslSecurityOptions mutual = SaslSecurityOptions.parse("mutual_auth");
        assertFalse(mutual.admits(false, false, false, false, false, false));
        assertTrue(mutual.admits(false, true, true, false, false, true));
        assertTrue(SaslSecurityOptions.NONE.admits(true, true, true, true, false, false));
    }
}
