package org.smarthost.config.tables;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@link TableLog} that keeps what it is told, for assertions. */
final class CollectingLog implements TableLog {

    final List<String> warnings = new ArrayList<>();
    final List<String> infos = new ArrayList<>();

    @Override
    public synchronized void warning(String text) {
        warnings.add(text);
    }

    @Override
    public synchronized void info(String text) {
        infos.add(text);
    }

    TableContext context(Path base) {
        return TableContext.of(base, this);
    }
}
