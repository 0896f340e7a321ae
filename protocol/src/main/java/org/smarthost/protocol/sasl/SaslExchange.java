package org.smarthost.protocol.sasl;

import java.util.concurrent.CompletionStage;

/**
 * One SASL authentication exchange (one AUTH command), driven by smtpd: the first step sends the
 * AUTH request, each later step answers the server's {@link SaslStep.Challenge}. A stage never
 * completes exceptionally: every failure is a {@link SaslStep.Fail} or {@link SaslStep.TempFail}.
 */
public interface SaslExchange {

    /**
     * The next step. The first call takes the AUTH command's initial response (base64, "=" for an
     * empty one, or null for none: pass {@code request.initialResponse()}); later calls take the
     * client's base64 answer to the last challenge. "*" (the client gives up) ends the exchange
     * with a Fail "Authentication aborted". Calling step while a step is outstanding, or after
     * the exchange ended, fails the returned stage with an IllegalStateException.
     */
    CompletionStage<SaslStep> step(String base64Response);

    /**
     * Abandons the exchange (the client gave up or went away between steps): the server forgets
     * the request, an outstanding step ends with a Fail "Authentication aborted". Idempotent. Call
     * it whenever an exchange is left after a Challenge, or the request stays registered on the
     * connection shared by all sessions until that connection ends.
     */
    void abort();
}
