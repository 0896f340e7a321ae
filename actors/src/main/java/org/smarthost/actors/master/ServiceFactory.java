package org.smarthost.actors.master;

/**
 * Turns master.cf entries running one command (e.g. "smtpd") into something the master can
 * start. The master looks factories up by command name, so other daemons (qmqpd, postscreen,
 * lmtp servers) plug in by registering one more factory.
 */
@FunctionalInterface
public interface ServiceFactory {

    /**
     * Validates the entry and builds what to run, without starting it.
     *
     * @throws Exception with a Postfix-style message when the entry cannot work
     *                   (e.g. "bad address: ...")
     */
    ServiceLauncher prepare(ServiceEntry entry) throws Exception;
}
