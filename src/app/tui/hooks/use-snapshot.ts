/**
 * State that only changes (and so only re-renders) when the new value differs
 * from the old one as JSON: refreshing with unchanged engine data draws nothing.
 */
import { useCallback, useRef, useState } from 'react';

export function useSnapshot<T>(initial: T | (() => T)): [T, (next: T) => void] {
  const [value, setValue] = useState<T>(initial);
  const key = useRef<string | undefined>(undefined);
  if (key.current === undefined) key.current = JSON.stringify(value) ?? '';
  const set = useCallback((next: T) => {
    const k = JSON.stringify(next) ?? '';
    if (k === key.current) return;
    key.current = k;
    setValue(next);
  }, []);
  return [value, set];
}
