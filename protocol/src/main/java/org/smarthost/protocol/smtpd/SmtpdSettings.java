package org.smarthost.protocol.smtpd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything smtpd reads from main.cf/master.cf, as plain values, in four groups. The app builds
 * this from the parsed configuration ($name expansion already done), so this module does not
 * depend on the config module's API. Field names follow the main.cf parameter names.
 *
 * @param identity     who the server says it is
 * @param limits       sizes, counts and timeouts
 * @param access       who may relay and what the restriction lists say
 * @param checks       protocol strictness and the EHLO offer
 * @param processLimit master.cf maxproc for this service (default_process_limit); 0 = no limit
 * @param tls          STARTTLS and wrapper mode
 * @param sasl         AUTH
 * @param logName      the program name smtpd logs as: "postfix/smtpd", or with the service's
 *                     {@code -o syslog_name=postfix/submission} "postfix/submission/smtpd"
 * @param accessMaps   what the access(5) restrictions (check_client_access, ...) need
 */
public record SmtpdSettings(Identity identity, Limits limits, Access access, Checks checks, int processLimit,
                            SmtpdTls tls, SmtpdSasl sasl, String logName, AccessMaps accessMaps) {

    /** Postfix's smtpd logs as "postfix/smtpd" unless the service sets syslog_name. */
    public static final String DEFAULT_LOG_NAME = "postfix/smtpd";

    public SmtpdSettings {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(checks, "checks");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(sasl, "sasl");
        Objects.requireNonNull(logName, "logName");
        Objects.requireNonNull(accessMaps, "accessMaps");
    }

    public SmtpdSettings(Identity identity, Limits limits, Access access, Checks checks, int processLimit,
                         SmtpdTls tls, SmtpdSasl sasl, String logName) {
        this(identity, limits, access, checks, processLimit, tls, sasl, logName, AccessMaps.DEFAULTS);
    }

    public SmtpdSettings(Identity identity, Limits limits, Access access, Checks checks, int processLimit,
                         SmtpdTls tls, SmtpdSasl sasl) {
        this(identity, limits, access, checks, processLimit, tls, sasl, DEFAULT_LOG_NAME);
    }

    /** Without TLS or AUTH (smtpd_tls_security_level empty, smtpd_sasl_auth_enable = no: Postfix's default). */
    public SmtpdSettings(Identity identity, Limits limits, Access access, Checks checks, int processLimit) {
        this(identity, limits, access, checks, processLimit, SmtpdTls.NONE, SmtpdSasl.NONE, DEFAULT_LOG_NAME);
    }

    /**
     * @param myhostname  myhostname
     * @param smtpdBanner smtpd_banner, already expanded (text after "220 ")
     * @param mailName    mail_name
     */
    public record Identity(String myhostname, String smtpdBanner, String mailName) {
        public Identity {
            Objects.requireNonNull(myhostname, "myhostname");
            Objects.requireNonNull(smtpdBanner, "smtpd_banner");
        }
    }

    /**
     * @param messageSizeLimit             message_size_limit in bytes (0 = no limit)
     * @param lineLengthLimit              line_length_limit
     * @param smtpdRecipientLimit          smtpd_recipient_limit (0 = no limit)
     * @param smtpdRecipientOvershootLimit smtpd_recipient_overshoot_limit
     * @param smtpdTimeout                 smtpd_timeout
     * @param smtpdHardErrorLimit          smtpd_hard_error_limit
     * @param smtpdSoftErrorLimit          smtpd_soft_error_limit
     * @param smtpdErrorSleepTime          smtpd_error_sleep_time
     * @param smtpdJunkCommandLimit        smtpd_junk_command_limit
     */
    public record Limits(long messageSizeLimit, int lineLengthLimit, int smtpdRecipientLimit,
                         int smtpdRecipientOvershootLimit, Duration smtpdTimeout, int smtpdHardErrorLimit,
                         int smtpdSoftErrorLimit, Duration smtpdErrorSleepTime, int smtpdJunkCommandLimit) {
        public Limits {
            Objects.requireNonNull(smtpdTimeout, "smtpd_timeout");
            Objects.requireNonNull(smtpdErrorSleepTime, "smtpd_error_sleep_time");
            if (lineLengthLimit < 1) throw new IllegalArgumentException("line_length_limit must be >= 1");
        }
    }

    /**
     * @param mynetworks                    mynetworks, as CIDR patterns ("127.0.0.0/8", "[::1]/128")
     * @param mydestination                 mydestination domain list
     * @param relayDomains                  relay_domains domain list
     * @param parentDomainMatchesSubdomains parent_domain_matches_subdomains (parameter names)
     * @param smtpdClientRestrictions       smtpd_client_restrictions
     * @param smtpdHeloRestrictions         smtpd_helo_restrictions
     * @param smtpdSenderRestrictions       smtpd_sender_restrictions
     * @param smtpdRelayRestrictions        smtpd_relay_restrictions
     * @param smtpdRecipientRestrictions    smtpd_recipient_restrictions
     * @param relayDomainsRejectCode        relay_domains_reject_code
     * @param rejectCode                    reject_code
     * @param deferCode                     defer_code
     * @param nonFqdnRejectCode             non_fqdn_reject_code
     * @param multiRecipientBounceRejectCode multi_recipient_bounce_reject_code
     */
    public record Access(List<String> mynetworks, List<String> mydestination, List<String> relayDomains,
                         List<String> parentDomainMatchesSubdomains, List<String> smtpdClientRestrictions,
                         List<String> smtpdHeloRestrictions, List<String> smtpdSenderRestrictions,
                         List<String> smtpdRelayRestrictions, List<String> smtpdRecipientRestrictions,
                         List<String> smtpdDataRestrictions,
                         int relayDomainsRejectCode, int rejectCode, int deferCode, int nonFqdnRejectCode,
                         int multiRecipientBounceRejectCode) {
        public Access {
            mynetworks = List.copyOf(mynetworks);
            mydestination = List.copyOf(mydestination);
            relayDomains = List.copyOf(relayDomains);
            parentDomainMatchesSubdomains = List.copyOf(parentDomainMatchesSubdomains);
            smtpdClientRestrictions = List.copyOf(smtpdClientRestrictions);
            smtpdHeloRestrictions = List.copyOf(smtpdHeloRestrictions);
            smtpdSenderRestrictions = List.copyOf(smtpdSenderRestrictions);
            smtpdRelayRestrictions = List.copyOf(smtpdRelayRestrictions);
            smtpdRecipientRestrictions = List.copyOf(smtpdRecipientRestrictions);
            smtpdDataRestrictions = List.copyOf(smtpdDataRestrictions);
        }
    }

    /**
     * The access(5) restrictions' settings.
     *
     * @param queueDirectory           queue_directory: where relative lookup table names start, as
     *                                 Postfix's daemons run there
     * @param accessMapRejectCode      access_map_reject_code (REJECT)
     * @param accessMapDeferCode       access_map_defer_code (DEFER, DEFER_IF_PERMIT, DEFER_IF_REJECT)
     * @param smtpdNullAccessLookupKey smtpd_null_access_lookup_key: the key for the null sender
     * @param recipientDelimiter       recipient_delimiter: each character separates an address extension
     * @param smtpdRestrictionClasses  smtpd_restriction_classes: each class name with its list, in order
     * @param smtpdSenderLoginMaps     smtpd_sender_login_maps: its "type:table" list ("" for none)
     * @param myorigin                 myorigin: sender login lookups try bare local-parts of its addresses
     */
    public record AccessMaps(Path queueDirectory, int accessMapRejectCode, int accessMapDeferCode,
                             String smtpdNullAccessLookupKey, String recipientDelimiter,
                             Map<String, List<String>> smtpdRestrictionClasses,
                             String smtpdSenderLoginMaps, String myorigin) {

        /** Postfix's defaults; table names relative to the working directory. */
        public static final AccessMaps DEFAULTS = new AccessMaps(Path.of(""), 554, 450, "<>", "", Map.of());

        /** Without smtpd_sender_login_maps. */
        public AccessMaps(Path queueDirectory, int accessMapRejectCode, int accessMapDeferCode,
                          String smtpdNullAccessLookupKey, String recipientDelimiter,
                          Map<String, List<String>> smtpdRestrictionClasses) {
            this(queueDirectory, accessMapRejectCode, accessMapDeferCode, smtpdNullAccessLookupKey, recipientDelimiter,
                    smtpdRestrictionClasses, "", "");
        }

        public AccessMaps {
            if (smtpdSenderLoginMaps == null) smtpdSenderLoginMaps = "";
            if (myorigin == null) myorigin = "";
            Objects.requireNonNull(queueDirectory, "queue_directory");
            Objects.requireNonNull(smtpdNullAccessLookupKey, "smtpd_null_access_lookup_key");
            Objects.requireNonNull(recipientDelimiter, "recipient_delimiter");
            Map<String, List<String>> classes = new LinkedHashMap<>();
            smtpdRestrictionClasses.forEach((k, v) -> classes.put(k, List.copyOf(v)));
            smtpdRestrictionClasses = java.util.Collections.unmodifiableMap(classes);
        }
    }

    /**
     * @param disableVrfyCommand               disable_vrfy_command
     * @param smtpdForbidBareNewline           smtpd_forbid_bare_newline (normalize, yes, note, reject, no)
     * @param smtpdForbidBareNewlineExclusions smtpd_forbid_bare_newline_exclusions, as CIDR patterns
     * @param smtpdForbidBareNewlineRejectCode smtpd_forbid_bare_newline_reject_code
     * @param smtpdForbidUnauthPipelining      smtpd_forbid_unauth_pipelining
     * @param smtpdDiscardEhloKeywords         smtpd_discard_ehlo_keywords
     * @param smtputf8Enable                   smtputf8_enable
     * @param smtpdHeloRequired                smtpd_helo_required
     * @param strictRfc821Envelopes            strict_rfc821_envelopes
     */
    public record Checks(boolean disableVrfyCommand, String smtpdForbidBareNewline,
                         List<String> smtpdForbidBareNewlineExclusions, int smtpdForbidBareNewlineRejectCode,
                         boolean smtpdForbidUnauthPipelining, List<String> smtpdDiscardEhloKeywords,
                         boolean smtputf8Enable, boolean smtpdHeloRequired, boolean strictRfc821Envelopes) {
        public Checks {
            if (!List.of("normalize", "yes", "note", "reject", "no").contains(smtpdForbidBareNewline))
                throw new IllegalArgumentException("invalid smtpd_forbid_bare_newline value: \"" + smtpdForbidBareNewline + "\"");
            smtpdForbidBareNewlineExclusions = List.copyOf(smtpdForbidBareNewlineExclusions);
            smtpdDiscardEhloKeywords = List.copyOf(smtpdDiscardEhloKeywords);
        }
    }

    /**
     * Postfix 3.9 defaults (compatibility_level 3.6+), for tests and as the app's fallback.
     * mynetworks is what mynetworks_style=host yields for loopback only, because we never
     * look at other interfaces.
     */
    public static SmtpdSettings defaults(String myhostname) {
        String mydomain = myhostname.indexOf('.') > 0 ? myhostname.substring(myhostname.indexOf('.') + 1) : "localdomain";
        List<String> mynetworks = List.of("127.0.0.0/8", "[::ffff:127.0.0.0]/104", "[::1]/128");
        return new SmtpdSettings(
                new Identity(myhostname, myhostname + " ESMTP Postfix", "Postfix"),
                new Limits(10_240_000L, 2048, 1000, 1000, Duration.ofSeconds(300), 20, 10, Duration.ofSeconds(1), 100),
                new Access(mynetworks,
                        List.of(myhostname, "localhost." + mydomain, "localhost"),
                        List.of(),
                        List.of("debug_peer_list", "fast_flush_domains", "mynetworks", "permit_mx_backup_networks",
                                "qmqpd_authorized_clients", "relay_domains", "smtpd_access_maps"),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of("permit_mynetworks", "permit_sasl_authenticated", "defer_unauth_destination"),
                        List.of(),
                        List.of(),
                        554, 554, 450, 504, 550),
                new Checks(false, "normalize", mynetworks, 550, true, List.of(), true, false, false),
                100);
    }

    public SmtpdSettings with(Limits l) {
        return new SmtpdSettings(identity, l, access, checks, processLimit, tls, sasl, logName, accessMaps);
    }

    public SmtpdSettings with(Access a) {
        return new SmtpdSettings(identity, limits, a, checks, processLimit, tls, sasl, logName, accessMaps);
    }

    public SmtpdSettings with(Checks c) {
        return new SmtpdSettings(identity, limits, access, c, processLimit, tls, sasl, logName, accessMaps);
    }

    public SmtpdSettings with(SmtpdTls t) {
        return new SmtpdSettings(identity, limits, access, checks, processLimit, t, sasl, logName, accessMaps);
    }

    public SmtpdSettings with(SmtpdSasl a) {
        return new SmtpdSettings(identity, limits, access, checks, processLimit, tls, a, logName, accessMaps);
    }

    public SmtpdSettings with(AccessMaps m) {
        return new SmtpdSettings(identity, limits, access, checks, processLimit, tls, sasl, logName, m);
    }

    public SmtpdSettings withLogName(String name) {
        return new SmtpdSettings(identity, limits, access, checks, processLimit, tls, sasl, name, accessMaps);
    }

    public SmtpdSettings withProcessLimit(int n) {
        return new SmtpdSettings(identity, limits, access, checks, n, tls, sasl, logName, accessMaps);
    }
}
