package org.smarthost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class InetTextTest {

    @Test
    void clientAddressesAsInetNtopPrintsThem() throws Exception {
        assertEquals("192.0.2.1", InetText.ntop(InetAddress.getByName("192.0.2.1")));
        assertEquals("::1", InetText.ntop(InetAddress.getByName("::1")));
        assertEquals("2001:db8::1", InetText.ntop(InetAddress.getByName("2001:0DB8:0:0:0:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", InetText.ntop(InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
        assertEquals("2001:0:0:1::1", InetText.ntop(InetAddress.getByName("2001:0:0:1:0:0:0:1")));
        assertEquals("192.0.2.1", InetText.ntop(InetAddress.getByName("::ffff:192.0.2.1")));
    }
}
