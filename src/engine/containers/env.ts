/** Docker's env merge: later KEY=value replaces an earlier KEY; a bare KEY takes the host's value if set. */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const out = [...base];
  for (const raw of overrides) {
    const entry = raw.includes('=') ? raw : process.env[raw] !== undefined ? `${raw}=${process.env[raw]}` : undefined;
    if (entry === undefined) continue;
    const key = entry.slice(0, entry.indexOf('='));
    const i = out.findIndex((e) => e.startsWith(`${key}=`));
    if (i >= 0) out[i] = entry;
    else out.push(entry);
  }
  return out;
}
