package org.smarthost.actors.master;

import java.util.List;

/**
 * One master.cf service as the master needs it.
 *
 * @param name    service name, e.g. "smtp" or "127.0.0.1:2525"
 * @param type    inet, unix, unix-dgram, fifo or pass
 * @param command the daemon, e.g. "smtpd"
 * @param args    command arguments (the -o overrides already applied by whoever built the entry)
 * @param maxproc the process limit with "-" resolved to default_process_limit; 0 = no limit
 */
public record ServiceEntry(String name, String type, String command, List<String> args, int maxproc) {

    public ServiceEntry {
        args = List.copyOf(args);
    }

    /** Postfix names a service by name and type: "smtp/inet". */
    public String key() {
        return name + "/" + type;
    }
}
