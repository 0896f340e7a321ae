package org.smarthost.config.tables;

/** What every table has: its "type:name" and whether its keys are patterns. */
abstract class NamedTable implements LookupTable {

    private final String spec;
    private final boolean pattern;

    NamedTable(String spec, boolean pattern) {
        this.spec = spec;
        this.pattern = pattern;
    }

    @Override
    public final String spec() {
        return spec;
    }

    @Override
    public final boolean isPattern() {
        return pattern;
    }
}
