/** Names berth writes into a container's /etc/hosts. */
import { invalidArgument } from '../errors.js';

/**
 * A name berth writes into an /etc/hosts (the container's own, and its peers' for a hostname or an
 * alias on a user network): whitespace, a control character or '#' would end the name and start
 * another entry or a comment, so `x\n10.0.0.9 db` could point a neighbour's `db` elsewhere.
 */
export function checkHostsName(name: string, what: string): void {
  if (/[\s#\x00-\x1f\x7f]/.test(name)) throw invalidArgument(`${what}: invalid host name ${JSON.stringify(name)}`);
}
