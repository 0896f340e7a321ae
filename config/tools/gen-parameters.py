#!/usr/bin/python3
"""Regenerates parameters.tsv from a real `postconf -d` (Postfix 3.7) while keeping the
hand-written columns (type, flags, description) of rows that already exist.

Usage: gen-parameters.py OLD_TSV > NEW_TSV   (OLD_TSV may be /dev/null)
Names and defaults are facts from postconf; descriptions are ours."""
import os, re, subprocess, sys, tempfile

RAW = {"command_execution_directory", "default_rbl_reply", "forward_path", "luser_relay",
       "mailbox_command", "postscreen_expansion_filter", "postscreen_reject_footer",
       "smtpd_expansion_filter", "smtpd_reject_footer"}
READONLY = {"process_id", "process_name", "service_name"}
HOST = {"myhostname", "mydomain", "mynetworks", "process_id", "process_name"}

FAMILIES = [
    ("smtpd_tls_", "SMTP server TLS"), ("smtpd_sasl_", "SMTP server SASL"),
    ("smtpd_", "SMTP server (smtpd)"), ("smtp_tls_", "SMTP client TLS"),
    ("smtp_sasl_", "SMTP client SASL"), ("smtp_", "SMTP client (smtp)"),
    ("lmtp_tls_", "LMTP client TLS"), ("lmtp_sasl_", "LMTP client SASL"), ("lmtp_", "LMTP client (lmtp)"),
    ("postscreen_", "postscreen(8) zombie blocker"), ("tlsproxy_", "tlsproxy(8) TLS proxy"),
    ("tls_", "TLS library"), ("tlsmgr_", "tlsmgr(8) TLS cache manager"),
    ("qmgr_", "queue manager (qmgr)"), ("local_", "local(8) delivery agent"),
    ("virtual_", "virtual(8) delivery agent and virtual domains"), ("pipe_", "pipe(8) delivery agent"),
    ("milter_", "Milter (mail filter) protocol"), ("non_smtpd_milters", "Milter (mail filter) protocol"),
    ("cleanup_", "cleanup(8) server"), ("anvil_", "anvil(8) connection rate server"),
    ("address_verify_", "sender/recipient address verification"), ("verify_", "address verification service"),
    ("bounce_", "bounce messages"), ("delay_", "delayed-mail notices"), ("postlog", "postlogd(8) logging"),
    ("maillog_", "Postfix logging"), ("multi_instance_", "multi-instance management"),
    ("postmulti_", "multi-instance management"), ("proxy_", "proxymap(8) lookup proxy"),
    ("sendmail_", "sendmail(1) compatibility"), ("header_", "message header processing"),
    ("body_", "message body processing"), ("mime_", "MIME processing"), ("nested_", "MIME processing"),
    ("dnsblog_", "dnsblog(8) DNS list logger"), ("flush_", "flush(8) fast flush service"),
    ("fast_flush_", "flush(8) fast flush service"), ("scache_", "scache(8) connection cache"),
    ("smtputf8_", "SMTPUTF8 support"), ("enable_", "optional Postfix feature"),
    ("default_", "global delivery default"), ("transport_", "queue manager transport scheduling"),
    ("relay_", "relay transport"), ("error_", "error(8) delivery agent"), ("retry_", "retry transport"),
    ("mailbox_", "mailbox delivery"), ("alias_", "local aliases"), ("canonical_", "canonical address mapping"),
    ("sender_", "sender-dependent processing"), ("recipient_", "recipient address processing"),
    ("masquerade_", "address masquerading"), ("remote_header_", "header address rewriting"),
    ("internal_mail_filter", "internal mail filtering"), ("dovecot_", "Dovecot integration"),
    ("mydestination", "final-destination domains"), ("queue_", "mail queue"),
    ("command_", "external command execution"), ("lmdb_", "LMDB lookup tables"),
    ("sqlite_", "SQLite lookup tables"), ("berkeley_db_", "Berkeley DB lookup tables"),
    ("meta_", "configuration directory layout"), ("shlib_", "configuration directory layout"),
    ("daemon_", "Postfix daemon management"), ("master_", "master(8) service supervisor"),
    ("lmtp", "LMTP client"), ("unknown_", "SMTP server rejection codes"), ("unverified_", "address verification"),
    ("", "general Postfix"),
]

def family(name):
    for prefix, fam in FAMILIES:
        if name.startswith(prefix):
            return fam
    return "general Postfix"

def infer_type(name, default, defaults, depth=0):
    if name == "compatibility_level":
        return "string"
    if default in ("yes", "no"):
        return "bool"
    m = re.fullmatch(r"-?\d+([smhdw])", default)
    if m:
        return "time:" + m.group(1)
    if re.fullmatch(r"-?\d+", default):
        if re.search(r"size|minfree|_buffer_limit", name):
            return "size"
        return "int"
    m = re.fullmatch(r"\$\{?([a-z0-9_]+)\}?", default)
    if m and m.group(1) in defaults and depth < 5:
        return infer_type(m.group(1), defaults[m.group(1)], defaults, depth + 1)
    m = re.fullmatch(r"\$\{\{\$compatibility_level\} <level \{[0-9.]+\} \? \{(.*)\} : \{(.*)\}\}", default)
    if m:
        t = infer_type(name, m.group(1), defaults, depth + 1)
        if t != "string":
            return t
    m = re.fullmatch(r"\$\{stress\?\{?([^{}]*)\}?:\{?([^{}]*)\}?\}(.*)", default)
    if m:
        return infer_type(name, m.group(2) + m.group(3), defaults, depth + 1)
    if name == "compatibility_level":
        return "string"
    if re.search(r"_(maps|restrictions|domains|networks|classes|checks|milters|interfaces|protocols|keywords|filters|path|list|recipients|names|lookups)$", name) \
            or name in ("mydestination", "mynetworks", "inet_protocols", "alias_database", "proxy_read_maps",
                        "proxy_write_maps", "authorized_flush_users", "authorized_mailq_users",
                        "authorized_submit_users", "import_environment", "export_environment"):
        return "list"
    return "string"

def main():
    old = {}
    if len(sys.argv) > 1 and os.path.getsize(sys.argv[1]) > 0:
        for line in open(sys.argv[1], encoding="utf-8"):
            if line.startswith("#") or not line.strip():
                continue
            f = line.rstrip("\n").split("\t")
            old[f[0]] = f
    d = tempfile.mkdtemp()
    open(os.path.join(d, "main.cf"), "w").close()
    open(os.path.join(d, "master.cf"), "w").close()
    out = subprocess.run(["/usr/sbin/postconf", "-c", d, "-d"], capture_output=True, text=True, check=True).stdout
    defaults = {}
    for line in out.splitlines():
        name, _, value = line.partition(" =")
        defaults[name] = value[1:] if value.startswith(" ") else value
    print("# smarthost parameter registry: every Postfix 3.7 main.cf parameter.")
    print("# name<TAB>type<TAB>flags<TAB>default (as postconf -d prints it)<TAB>description")
    print("# flags: impl = implemented by smarthost, raw = never $-expanded, ro = read-only, host = default computed at run time")
    print("# To implement a parameter, add 'impl' to its flags (comma separated). Regenerate: config/tools/gen-parameters.py")
    for name in sorted(defaults):
        default = defaults[name]
        if name in old:
            _, typ, flags, _, desc = old[name]
        else:
            typ = infer_type(name, default, defaults)
            fl = []
            if name in RAW: fl.append("raw")
            if name in READONLY: fl.append("ro")
            if name in HOST: fl.append("host")
            flags = ",".join(fl) or "-"
            words = name.replace("_", " ")
            desc = "%s setting \"%s\" (not implemented by smarthost yet)" % (family(name), words)
        if "host" in flags.split(","):
            default = ""
        print("\t".join([name, typ, flags, default, desc]))

main()
