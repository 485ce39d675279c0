/**
 * Renders engine progress events: a bar per item on a terminal, plain lines
 * (only finished items and status messages) otherwise, so logs stay readable.
 */
import type { ProgressEvent, ProgressListener } from '../../engine/events.js';
import { humanSize } from './format.js';

export function progressRenderer(stream: NodeJS.WriteStream): { listener: ProgressListener; finish(): void } {
  if (!stream.isTTY) {
    return {
      listener: (event) => {
        if (event.type === 'done') stream.write(`${event.id}: ${event.message}\n`);
        else if (event.type === 'status') stream.write(`${event.message}\n`);
      },
      finish: () => {},
    };
  }
  const lines: string[] = [];
  const indexOf = new Map<string, number>();
  let drawn = 0;
  let lastDraw = 0;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const line of lines) text += `\r\x1b[2K${line}\n`;
    drawn = lines.length;
    stream.write(text);
  };
  const setLine = (id: string, line: string) => {
    if (!indexOf.has(id)) {
      indexOf.set(id, lines.length);
      lines.push(line);
    } else lines[indexOf.get(id)!] = line;
  };
  const listener = (event: ProgressEvent) => {
    if (event.type === 'progress') {
      setLine(`${event.operation}:${event.id}`, `${event.id}: ${bar(event.current, event.total)}`);
      draw(false);
    } else if (event.type === 'done') {
      setLine(`${event.operation}:${event.id}`, `${event.id}: ${event.message}`);
      draw(true);
    } else {
      setLine(`status:${lines.length}`, event.message);
      draw(true);
    }
  };
  return { listener, finish: () => draw(true) };
}

function bar(current: number, total: number | undefined): string {
  if (!total) return `${humanSize(current)}`;
  const width = 40;
  const filled = Math.min(width, Math.round((current / total) * width));
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}] ${humanSize(current)}/${humanSize(total)}`;
}
