package org.smarthost.config.tables;

import java.util.Map;

/**
 * A fixed-key table that can list what it holds ("postmap -s", Postfix's dict_seq). Pattern
 * tables and static: cannot: they hold rules, not entries.
 */
public interface ListableTable extends LookupTable {

    /** Every key (as stored: folded unless built with "postmap -f") and its value. */
    Map<String, String> entries();
}
