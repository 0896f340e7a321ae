package org.smarthost.protocol.smtpd;

/**
 * MAIL FROM and its ESMTP parameters.
 *
 * @param address   reverse path without brackets; "" for the null sender
 * @param size      SIZE= value or -1
 * @param body      BODY= value ("7BIT", "8BITMIME", "BINARYMIME") or null
 * @param ret       DSN RET= ("FULL"/"HDRS") or null
 * @param envid     DSN ENVID= (xtext-decoded) or null
 * @param smtputf8  SMTPUTF8 given
 */
public record MailFrom(String address, long size, String body, String ret, String envid, boolean smtputf8) {
}
