package org.smarthost.config.tables;

/** One table type ("hash", "cidr", ...): opens the name that follows "type:". */
@FunctionalInterface
interface TableType {

    /**
     * @param spec    the whole "type:name", for log lines and {@link LookupTable#spec()}
     * @param name    what follows "type:" (a file name, an inline table, a value)
     * @param context where relative file names start, where warnings go, key folding
     */
    LookupTable open(String spec, String name, TableContext context) throws TableOpenException;
}
