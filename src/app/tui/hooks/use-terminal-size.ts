/** The terminal's size, following resizes; `fixed` (tests) overrides it. */
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export function useTerminalSize(fixed?: { cols: number; rows: number }): { cols: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => fixed ?? { cols: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) {
      setSize((s) => (s.cols === fixed.cols && s.rows === fixed.rows ? s : fixed));
      return;
    }
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed?.cols, fixed?.rows]);
  return size;
}
