package org.smarthost.config;

/**
 * One main.cf parameter known to smarthost.
 *
 * @param defaultValue the default as {@code postconf -d} prints it, {@code $name} references kept;
 *                     empty for host-dependent parameters (see {@link HostDefaults})
 * @param timeUnit     for {@link ParameterType#TIME}: the unit of a bare number (s, m, h, d or w), else 0
 * @param raw          the value is never {@code $}-expanded (Postfix expands it later, per message)
 * @param readOnly     set by the system; a main.cf assignment is ignored with a warning
 * @param hostDependent the default is computed at run time from this host
 */
public record Parameter(String name, ParameterType type, char timeUnit, String defaultValue,
                        boolean implemented, boolean raw, boolean readOnly, boolean hostDependent,
                        String description) {
}
