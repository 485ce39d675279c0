/**
 * KEY=value from the caller's environment as the user set it. bin/berth moves
 * the caller's NODE_* variables aside before Node starts (they would change
 * how berth itself runs): NODE_EXTRA_CA_CERTS to BERTH_EXTRA_CA_CERTS, every
 * other one to BERTH_CALLER_<name>.
 */
function fromHost(key: string): string | undefined {
  let value = process.env[key];
  if (value === undefined && key.startsWith('NODE_')) {
    value = key === 'NODE_EXTRA_CA_CERTS' ? process.env.BERTH_EXTRA_CA_CERTS : process.env[`BERTH_CALLER_${key}`];
  }
  return value === undefined ? undefined : `${key}=${value}`;
}

/** Docker's env merge: later KEY=value replaces an earlier KEY; a bare KEY takes the host's value if set. */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const out = [...base];
  for (const raw of overrides) {
    const entry = raw.includes('=') ? raw : fromHost(raw);
    if (entry === undefined) continue;
    const key = entry.slice(0, entry.indexOf('='));
    const i = out.findIndex((e) => e.startsWith(`${key}=`));
    if (i >= 0) out[i] = entry;
    else out.push(entry);
  }
  return out;
}
