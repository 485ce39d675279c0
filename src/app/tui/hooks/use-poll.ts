/**
 * Calls `fn` now and then every `ms` while `isActive`; `ms <= 0` calls it once.
 * The latest `fn` is always the one called, so callers need not memoise it.
 */
import { useEffect, useRef } from 'react';

export function usePoll(fn: () => void, ms: number, isActive = true, deps: readonly unknown[] = []): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    if (!isActive) return;
    latest.current();
    if (ms <= 0) return;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ms, isActive, ...deps]);
}
