/** `R` on an image: name, command and -it/-d; Tab moves between fields, space toggles, Enter runs. */
import type { Theme } from '../app/tui/theme.js';
import type { Row } from '../app/tui/view-models/segments.js';
import { Frame } from './Frame.js';

export interface RunFormProps {
  readonly image: string;
  readonly name: string;
  readonly command: string;
  readonly interactive: boolean;
  /** 0 name, 1 command, 2 mode */
  readonly field: number;
  readonly width: number;
  readonly theme: Theme;
}

export function RunForm({ image, name, command, interactive, field, width, theme }: RunFormProps) {
  const mark = (i: number) => (i === field ? '▶ ' : '  ');
  const lines: Row[] = [
    [{ text: `image    ${image}`, style: 'dim' }],
    [{ text: `${mark(0)}name     `, style: 'header' }, { text: `${name}${field === 0 ? '█' : ''}` || '(random)' }],
    [{ text: `${mark(1)}command  `, style: 'header' }, { text: `${command}${field === 1 ? '█' : ''}` || '(image default)' }],
    [{ text: `${mark(2)}mode     `, style: 'header' }, { text: interactive ? '(•) -it attach  ( ) -d background' : '( ) -it attach  (•) -d background' }],
    [{ text: 'Tab next field · space toggles mode · Enter runs · Esc cancels', style: 'dim' }],
  ];
  return <Frame title={`Run ${image}`} width={width} height={lines.length + 2} focused lines={lines} theme={theme} />;
}
