package org.smarthost.config.tables;

import java.nio.file.Path;

/** One table type ("hash", "cidr", ...): opens the name that follows "type:". */
@FunctionalInterface
interface TableType {

    /**
     * @param spec the whole "type:name", for log lines and {@link LookupTable#spec()}
     * @param name what follows "type:" (a file name, an inline table, a value)
     * @param base where relative file names start (the daemons' queue_directory, postmap's working directory)
     */
    LookupTable open(String spec, String name, Path base) throws TableOpenException;
}
