/** `R` on an image: name, command, ports, volumes, env and -it/-d; Tab moves between fields, space toggles, Enter runs. */
import type { Theme } from '../app/tui/theme.js';
import type { Row } from '../app/tui/view-models/segments.js';
import { Frame } from './Frame.js';

/** The form's fields in Tab order. */
export const RUN_FIELDS = ['name', 'command', 'ports', 'volumes', 'env', 'mode'] as const;

const PLACEHOLDERS: Record<Exclude<(typeof RUN_FIELDS)[number], 'mode'>, string> = {
  name: '(random)',
  command: '(image default)',
  ports: '(none) e.g. 8080:80 127.0.0.1::53/udp',
  volumes: '(none) e.g. data:/data /srv/www:/www:ro',
  env: '(none) e.g. A=1 B=two',
};

export interface RunFormProps {
  readonly image: string;
  readonly name: string;
  readonly command: string;
  readonly ports: string;
  readonly volumes: string;
  readonly env: string;
  readonly interactive: boolean;
  /** index into RUN_FIELDS */
  readonly field: number;
  readonly width: number;
  readonly theme: Theme;
}

export function RunForm(props: RunFormProps) {
  const { image, interactive, field, width, theme } = props;
  const lines: Row[] = [[{ text: `image    ${image}`, style: 'dim' }]];
  RUN_FIELDS.forEach((key, i) => {
    const label = [{ text: `${i === field ? '▶ ' : '  '}${key.padEnd(9)}`, style: 'header' as const }];
    if (key === 'mode') {
      lines.push([...label, { text: interactive ? '(•) -it attach  ( ) -d background' : '( ) -it attach  (•) -d background' }]);
      return;
    }
    const value = props[key];
    lines.push([...label, value || i === field ? { text: `${value}${i === field ? '█' : ''}` } : { text: PLACEHOLDERS[key], style: 'dim' }]);
  });
  lines.push([{ text: 'Tab next field · space toggles mode · Enter runs · Esc cancels', style: 'dim' }]);
  return <Frame title={`Run ${image}`} width={width} height={lines.length + 2} focused lines={lines} theme={theme} />;
}
