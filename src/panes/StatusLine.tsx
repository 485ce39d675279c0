/** The bottom line: a prompt while one is open, else the last message, else key hints. */
import { Text } from 'ink';
import type { Theme } from '../app/tui/theme.js';
import { cell } from '../app/tui/view-models/segments.js';

export interface StatusLineProps {
  readonly width: number;
  /** an open prompt: label and what was typed so far */
  readonly prompt?: { label: string; value: string };
  readonly message: string;
  readonly error: boolean;
  readonly hints: string;
  readonly theme: Theme;
}

export function StatusLine({ width, prompt, message, error, hints, theme }: StatusLineProps) {
  if (prompt) {
    return (
      <Text wrap="truncate">
        <Text {...theme.accent}>{prompt.label}</Text>
        <Text>{cell(`${prompt.value}█`, Math.max(1, width - [...prompt.label].length))}</Text>
      </Text>
    );
  }
  if (message) {
    return (
      <Text wrap="truncate" {...(error ? theme.error : theme.plain)}>
        {cell(message, width)}
      </Text>
    );
  }
  return (
    <Text wrap="truncate" {...theme.dim}>
      {cell(hints, width)}
    </Text>
  );
}
