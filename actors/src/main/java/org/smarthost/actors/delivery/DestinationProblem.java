package org.smarthost.actors.delivery;

import org.smarthost.persistence.CborSerializable;

/**
 * The delivery agent's verdict that the destination itself failed (no server reachable,
 * greeting or EHLO refused, lost connection, agent crash) as opposed to per-recipient
 * rejections. This, and only this, is negative concurrency feedback: a 550 "User unknown" says
 * the destination works fine.
 *
 * @param dsnStatus RFC 3463 status, e.g. "4.4.1"
 * @param reason    Postfix's text, e.g. "connect to mx[192.0.2.1]:25: Connection refused"
 */
public record DestinationProblem(String dsnStatus, String reason) implements CborSerializable {
}
