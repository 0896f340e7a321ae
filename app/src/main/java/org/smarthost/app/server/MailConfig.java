package org.smarthost.app.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.actors.master.ServiceEntry;
import org.smarthost.config.MasterCf;
import org.smarthost.config.MasterService;

/**
 * main.cf and master.cf as the executable needs them: where state and logs live, which
 * services to run, and what {@code postfix check} should complain about.
 */
public final class MailConfig {

    private final Config config;

    private MailConfig(Config config) {
        this.config = config;
    }

    /** {@code -c DIR} wins over MAIL_CONFIG, which wins over /etc/postfix, as in Postfix. */
    public static Path resolveConfigDirectory(String dashC) {
        Path dir = dashC != null && !dashC.isEmpty() ? Path.of(dashC) : Config.defaultConfigDirectory();
        return dir.toAbsolutePath().normalize();
    }

    public static MailConfig load(Path configDirectory) {
        if (!Files.isRegularFile(configDirectory.resolve("main.cf"))) {
            throw new ConfigException("open " + configDirectory.resolve("main.cf") + ": No such file or directory");
        }
        return new MailConfig(Config.load(configDirectory));
    }

    public Config config() {
        return config;
    }

    public String get(String name) {
        return config.get(name);
    }

    public Path configDirectory() {
        return config.configDirectory();
    }

    public Path queueDirectory() {
        return directory("queue_directory");
    }

    public Path dataDirectory() {
        return directory("data_directory");
    }

    /** Where the journal and message bodies live. */
    public Path storeDirectory() {
        return queueDirectory().resolve("db");
    }

    /** maillog_file, normalized; empty when logging to syslog (here: stdout). */
    public String maillogFile() {
        String file = config.get("maillog_file").strip();
        return file.isEmpty() || file.startsWith("/dev/") ? file : Path.of(file).toAbsolutePath().normalize().toString();
    }

    public String syslogName() {
        return config.get("syslog_name");
    }

    public String myhostname() {
        return config.get("myhostname");
    }

    /** Postfix's mail_version, for the master's "daemon started -- version X" lines. */
    public String mailVersion() {
        return config.get("mail_version");
    }

    private Path directory(String name) {
        String value = config.get(name).strip();
        if (value.isEmpty()) throw new ConfigException("parameter " + name + ": empty value");
        return Path.of(value).toAbsolutePath().normalize();
    }

    /** Creates the state directories (Postfix's post-install create-missing). */
    public void createDirectories() throws IOException {
        Path queue = queueDirectory();
        Files.createDirectories(queue.resolve("pid"));
        Path privateDir = queue.resolve("private");
        Files.createDirectories(privateDir);
        Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(dataDirectory());
        String maillog = maillogFile();
        if (!maillog.isEmpty() && !maillog.startsWith("/dev/")) {
            Path parent = Path.of(maillog).getParent();
            if (parent != null) Files.createDirectories(parent);
        }
    }

    /** Postfix's check-warn for the directories smarthost writes. */
    public List<String> directoryWarnings() {
        List<String> warnings = new ArrayList<>();
        for (Path dir : List.of(queueDirectory(), queueDirectory().resolve("pid"), dataDirectory())) {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
                if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                    warnings.add("group or other writable: " + dir);
                }
            } catch (IOException | UnsupportedOperationException e) {
                // missing directories are check-fatal's business
            }
        }
        Path privateDir = queueDirectory().resolve("private");
        try {
            if (!Files.getPosixFilePermissions(privateDir).equals(PosixFilePermissions.fromString("rwx------"))) {
                warnings.add("not mode 0700: " + privateDir + " (anyone who can enter it controls the mail system)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // created at start
        }
        return warnings;
    }

    /** main.cf parameters that are set but that smarthost does not act on yet. */
    public List<String> unimplementedParameters() {
        List<String> names = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(config.mainValues().keySet())) {
            if (name.equals("config_directory")) continue;
            if (config.registry().find(name).map(p -> !p.implemented()).orElse(false)) names.add(name);
        }
        return names;
    }

    /** master.cf entries, in file order. */
    public List<MasterService> masterServices() {
        return MasterCf.read(configDirectory().resolve("master.cf")).services();
    }

    /** master.cf parse warnings, worded as Postfix words them. */
    public List<String> masterCfWarnings() {
        return MasterCf.read(configDirectory().resolve("master.cf")).warnings();
    }

    /** master.cf entries as the master actor runs them, maxproc "-" resolved to default_process_limit. */
    public List<ServiceEntry> services() {
        int defaultLimit = config.getInt("default_process_limit");
        List<ServiceEntry> entries = new ArrayList<>();
        for (MasterService s : masterServices()) {
            entries.add(new ServiceEntry(s.name(), s.type(), s.command(), s.args(), s.processLimit().orElse(defaultLimit)));
        }
        return entries;
    }
}
