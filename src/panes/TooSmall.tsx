/** Shown instead of the panes when the terminal is below the minimum size. */
import { Text } from 'ink';

export interface TooSmallProps {
  readonly cols: number;
  readonly rows: number;
  readonly minCols: number;
  readonly minRows: number;
}

export function TooSmall({ cols, rows, minCols, minRows }: TooSmallProps) {
  return (
    <Text wrap="wrap">
      Terminal too small: {cols}×{rows}. berth needs at least {minCols}×{minRows}; enlarge the window (q quits).
    </Text>
  );
}
