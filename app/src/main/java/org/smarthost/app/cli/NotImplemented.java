package org.smarthost.app.cli;

/** Programs smarthost names already but does not implement yet: say so, Postfix style. */
final class NotImplemented {

    private NotImplemented() {
    }

    static int run(String program) {
        System.err.println(program + ": fatal: not implemented yet in smarthost");
        return 1; // Postfix msg_fatal() status
    }
}
