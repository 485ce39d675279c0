/**
 * `--security-opt` as Docker spells it, reduced to what berth applies. An option
 * berth cannot honour (an AppArmor profile, SELinux labels, a seccomp profile
 * file) is refused, never ignored: a container must not run less confined than
 * its creator asked. Create checks the options with this parser and launch and
 * exec read them through it, so what was accepted is what is applied.
 */
import { invalidArgument } from '../errors.js';

export interface SecurityOptions {
  noNewPrivileges: boolean;
  seccomp: 'default' | 'unconfined';
  /** systempaths=unconfined: nothing of /proc or /sys masked or made read-only */
  unconfinedPaths: boolean;
}

/** Go's strconv.ParseBool, which Docker uses for the boolean options. */
const BOOLEANS: Record<string, boolean> = {
  1: true, t: true, T: true, TRUE: true, true: true, True: true,
  0: false, f: false, F: false, FALSE: false, false: false, False: false,
};

/** Throws invalid-argument, in one line naming the option, for anything berth would not apply as asked. */
export function parseSecurityOpts(options: readonly string[]): SecurityOptions {
  const parsed: SecurityOptions = { noNewPrivileges: false, seccomp: 'default', unconfinedPaths: false };
  for (const option of options) {
    if (option === 'no-new-privileges') {
      parsed.noNewPrivileges = true;
      continue;
    }
    if (option === 'disable') continue; // the API's spelling of label=disable: berth applies no labels
    // KEY=VALUE, or Docker's deprecated KEY:VALUE
    const separator = option.includes('=') ? option.indexOf('=') : option.indexOf(':');
    const key = separator < 0 ? option : option.slice(0, separator);
    const value = separator < 0 ? '' : option.slice(separator + 1);
    const invalid = (why?: string) => invalidArgument(`Invalid --security-opt: ${JSON.stringify(option)}${why ? `: ${why}` : ''}`);
    if (value === '') throw invalid();
    switch (key) {
      case 'no-new-privileges':
        if (!(value in BOOLEANS)) throw invalid();
        parsed.noNewPrivileges = BOOLEANS[value];
        break;
      case 'seccomp':
        if (value === 'unconfined') parsed.seccomp = 'unconfined';
        else if (value === 'builtin') parsed.seccomp = 'default';
        else throw invalid('berth has only its built-in seccomp profile (seccomp=builtin or seccomp=unconfined)');
        break;
      case 'apparmor':
        if (value !== 'unconfined') throw invalid('berth applies no AppArmor profile (only apparmor=unconfined)');
        break;
      case 'label':
        if (value !== 'disable') throw invalid('berth applies no SELinux labels (only label=disable)');
        break;
      case 'systempaths':
        if (value !== 'unconfined') throw invalid();
        parsed.unconfinedPaths = true;
        break;
      default:
        throw invalid();
    }
  }
  return parsed;
}
