/**
 * The TUI's root: reads the engine through a TuiClient on an idle interval,
 * turns snapshots into view-model rows, routes keys through the keymap table
 * and lays the panes out for the terminal size. Panes only draw props.
 *
 * Attach, exec and terminal-hungry `:` commands are not done here: they are
 * handed to the runner (`onHandoff`), which unmounts Ink, gives the container
 * the terminal and mounts the TUI again with the saved UiState.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Box, useInput } from 'ink';
import type { ContainerSample, ContainerSnapshot, ContainerUsage, ImageLayers, ImageSnapshot, LogLine, TuiClient } from './client.js';
import type { Settings } from './settings.js';
import { buildKeymap, keyName, resolveKey, type Action, type Scope } from './keymap.js';
import { makeTheme, type Theme } from './theme.js';
import { effectiveTheme } from './settings.js';
import { usePoll } from './hooks/use-poll.js';
import { useSnapshot } from './hooks/use-snapshot.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { cycleFocus, cycleTab, focusPane, INITIAL_STATE, TABS, type Overlay, type UiState } from './state.js';
import { computeLayout, MIN_COLS, MIN_ROWS, type PaneId } from './view-models/layout.js';
import { containerRows, cpuSince, SORT_KEYS, type Usage } from './view-models/containers.js';
import { imageRows } from './view-models/images.js';
import { efficiencyLine, fileTree, fileTreeLine, layerRows } from './view-models/layers.js';
import { processRows } from './view-models/processes.js';
import { statsLines, statsView } from './view-models/stats.js';
import { logLines, logRow, matchingLines } from './view-models/logs.js';
import { clampIndex, moveSelection, scrollOffset, type Move } from './view-models/list.js';
import type { Row } from './view-models/segments.js';
import { needsTerminal } from './command-line.js';
import { shellWords } from './shell-words.js';
import { ContainersPane } from '../../panes/ContainersPane.js';
import { ImagesPane } from '../../panes/ImagesPane.js';
import { LayersPane } from '../../panes/LayersPane.js';
import { ProcessesPane } from '../../panes/ProcessesPane.js';
import { DetailPane, detailOffset } from '../../panes/DetailPane.js';
import { StatusLine } from '../../panes/StatusLine.js';
import { HelpOverlay } from '../../panes/HelpOverlay.js';
import { RUN_FIELDS, RunForm } from '../../panes/RunForm.js';
import { OutputOverlay } from '../../panes/OutputOverlay.js';
import { TooSmall } from '../../panes/TooSmall.js';

/** What the runner does with the terminal on the TUI's behalf. */
export type Handoff =
  | { kind: 'attach'; id: string; name: string }
  | { kind: 'exec'; id: string; name: string; cmd: string[] }
  | { kind: 'command'; argv: string[] };

export interface AppProps {
  readonly client: TuiClient;
  readonly settings: Settings;
  /** state to resume from (after an attach) */
  readonly initialState?: UiState;
  /** fixed size (tests); otherwise the terminal's, following resizes */
  readonly size?: { cols: number; rows: number };
  readonly onHandoff?: (handoff: Handoff, state: UiState) => void;
  readonly onQuit?: (state: UiState) => void;
  /** how often logs are read while shown, ms (default: the smaller of 500 and the refresh interval) */
  readonly logPollMs?: number;
}

const MAX_SAMPLES = 120;
const HINTS = '? help · Tab/1-4 panes · / filter · : command · a attach · e exec · R run · q quit';

export function App({ client, settings, initialState, size: fixedSize, onHandoff, onQuit, logPollMs }: AppProps) {
  const keymap = useMemo(() => buildKeymap(settings.keybindings), [settings.keybindings]);
  const theme: Theme = useMemo(() => makeTheme(effectiveTheme(settings)), [settings]);
  const size = useTerminalSize(fixedSize);
  const [ui, setUi] = useState<UiState>(initialState ?? INITIAL_STATE);
  const uiRef = useRef(ui);
  // uiRef runs ahead of renders so several keys arriving in one chunk see each other's effect
  const update = useCallback((fn: (s: UiState) => UiState) => {
    uiRef.current = fn(uiRef.current);
    setUi(uiRef.current);
  }, []);
  const say = useCallback((text: string, error = false) => update((s) => ({ ...s, status: { text, error } })), [update]);

  // ---- engine data, re-read on the idle interval; unchanged data renders nothing ----
  // One state, so a refresh that changes several parts draws one frame: outside Ink's key
  // handlers each state update is rendered (and drawn) on its own.
  const [engineData, setEngineData] = useSnapshot<{ containers: ContainerSnapshot[]; images: ImageSnapshot[]; usage: Record<string, Usage> }>(() => ({
    containers: safe(() => client.containers(), []),
    images: safe(() => client.images(), []),
    usage: {},
  }));
  const { containers, images, usage } = engineData;
  /** how many rows the containers pane shows (set while drawing) */
  const containerRoom = useRef(0);
  const samples = useRef(new Map<string, ContainerSample[]>());
  /** each running container's last CPU and memory reading, for its CPU % at the next */
  const lastUsage = useRef(new Map<string, ContainerUsage>());
  const [statsVersion, setStatsVersion] = useState(0);

  // Selections are derived from (UiState, data) by these two, both for drawing and in key handlers,
  // where they read uiRef: keys arriving between renders act on the state they have made.
  const data = useRef({ containers, usage, images });
  data.current = { containers, usage, images };
  const containerView = (s: UiState) => {
    const rows = containerRows(data.current.containers, new Map(Object.entries(data.current.usage)), { filter: s.containerFilter, sort: s.sort });
    const index = clampIndex(Math.max(0, rows.findIndex((r) => r.id === s.containerId)), rows.length);
    const selected = data.current.containers.find((c) => c.id === rows[index]?.id);
    const active = selected?.state === 'running' || selected?.state === 'paused' || selected?.state === 'restarting';
    return { rows, index, container: selected, running: active };
  };
  const imageView = (s: UiState) => {
    const rows = imageRows(data.current.images, { filter: s.imageFilter });
    const byTag = rows.findIndex((r) => r.id === s.imageId && `${r.repository}:${r.tag}` === s.imageTag);
    const byId = rows.findIndex((r) => r.id === s.imageId);
    const index = clampIndex(Math.max(0, byTag >= 0 ? byTag : byId), rows.length);
    return { rows, index, image: rows[index] };
  };
  const { rows: cRows, index: cIndex, container, running } = containerView(ui);
  const { rows: iRows, index: imageIndex, image } = imageView(ui);
  const showContainerDetail = ui.detailFor === 'container';

  const refresh = useCallback(() => {
    const fresh = safe(() => client.containers(), undefined) ?? data.current.containers;
    const imgs = safe(() => client.images(), undefined) ?? data.current.images;
    // What changes off screen is not worth a frame: each costs a full Ink render (~10 ms). So the
    // rows the containers pane shows and the selected container are refreshed in full; the others
    // keep their STATUS text ("Up 3 minutes") unless their state changed, and their usage is not
    // read (a cgroup read is ~0.5 ms a container) unless the list is sorted by it. A row scrolled
    // into view shows those until the next refresh, its CPU % averaged since its last reading.
    const s = uiRef.current;
    const rows = containerRows(fresh, new Map(Object.entries(data.current.usage)), { filter: s.containerFilter, sort: s.sort });
    const index = clampIndex(Math.max(0, rows.findIndex((r) => r.id === s.containerId)), rows.length);
    const offset = scrollOffset(index, rows.length, containerRoom.current);
    const shown = new Set([...rows.slice(offset, offset + containerRoom.current), rows[index]].filter((r) => r !== undefined).map((r) => r.id));
    const readAll = s.sort === 'cpu' || s.sort === 'memory';
    const before = new Map(data.current.containers.map((c) => [c.id, c]));
    const now = fresh.map((c) => {
      const was = before.get(c.id);
      return shown.has(c.id) || !was || was.state !== c.state || was.status === c.status ? c : { ...c, status: was.status };
    });
    // The selected container's full stats feed the Stats tab's charts; the other rows need only
    // CPU and memory, two or three cgroup files instead of eight and a row of the store.
    const selectedId = rows[index]?.id;
    for (const id of samples.current.keys()) if (id !== selectedId) samples.current.delete(id);
    const listed = new Set(now.map((c) => c.id));
    for (const id of lastUsage.current.keys()) if (!listed.has(id)) lastUsage.current.delete(id);
    const next: Record<string, Usage> = {};
    for (const c of now) {
      if (c.state !== 'running' && c.state !== 'paused') {
        lastUsage.current.delete(c.id);
        continue;
      }
      if (!readAll && !shown.has(c.id)) {
        if (data.current.usage[c.id]) next[c.id] = data.current.usage[c.id];
        continue;
      }
      let usage: ContainerUsage | undefined;
      if (c.id === selectedId) {
        const sample = safe(() => client.stats(c.id), undefined);
        if (sample) {
          const history = samples.current.get(c.id) ?? [];
          history.push(sample);
          if (history.length > MAX_SAMPLES) history.shift();
          samples.current.set(c.id, history);
          usage = sample;
        }
      } else {
        usage = safe(() => client.usage(c.id), undefined);
      }
      if (!usage) continue;
      const previous = lastUsage.current.get(c.id);
      lastUsage.current.set(c.id, usage);
      next[c.id] = { cpu: Math.round(cpuSince(previous, usage) * 10) / 10, memory: Math.round(usage.memoryUsage / 1e5) * 1e5 };
    }
    setEngineData({ containers: now, images: imgs, usage: next });
    if (uiRef.current.tab === 'stats' && uiRef.current.detailFor === 'container') setStatsVersion((v) => v + 1);
  }, [client, setEngineData]);
  usePoll(refresh, settings.refreshMs);

  // ---- processes of the selected container ----
  // Read only for a running container; the notes are derived while drawing, so moving the
  // selection over stopped containers draws one frame per key, not a second one from the poll.
  const [polled, setProcesses] = useSnapshot<{ id: string; rows: ReturnType<typeof processRows>; note: string } | undefined>(undefined);
  usePoll(
    () => {
      if (!container || !running) return;
      try {
        setProcesses({ id: container.id, rows: processRows(client.top(container.id)), note: '' });
      } catch (err) {
        setProcesses({ id: container.id, rows: [], note: errorText(err) });
      }
    },
    settings.refreshMs,
    running,
    [container?.id, container?.state],
  );
  const processes = !container
    ? { rows: [], note: 'no container selected' }
    : !running
      ? { rows: [], note: `${container.name} is not running` }
      : polled?.id === container.id
        ? polled
        : { rows: [], note: 'reading processes…' };

  // ---- layers of the selected image (latest selection wins) ----
  const [layers, setLayers] = useState<{ imageId: string; data?: ImageLayers; error?: string }>();
  useEffect(() => {
    if (!image) return setLayers(undefined);
    let current = true;
    setLayers((l) => (l?.imageId === image.id ? l : { imageId: image.id }));
    client.layers(image.id).then(
      (data) => current && setLayers({ imageId: image.id, data }),
      (err) => current && setLayers({ imageId: image.id, error: errorText(err) }),
    );
    return () => {
      current = false;
    };
  }, [client, image?.id]);
  const lRows = useMemo(() => layerRows(layers?.data), [layers?.data]);
  const lIndex = clampIndex(ui.layerIndex, lRows.length);

  // ---- logs of the selected container, followed while the Logs tab shows (latest stream wins) ----
  const [logs, setLogs] = useState<{ id: string; lines: LogLine[] }>();
  // Where the next read starts, and in whose log: the poll's interval can fire with a new selection
  // before that render's effects have run, so an offset is only used for the container it was read from.
  const logOffset = useRef({ id: '', offset: 0 });
  const logsShown = showContainerDetail && ui.tab === 'logs' && container !== undefined;
  useEffect(() => {
    // another container's lines go; with none shown, nothing to render
    setLogs((l) => (l && l.id !== container?.id ? undefined : l));
  }, [container?.id]);
  usePoll(
    () => {
      if (!container) return;
      const id = container.id;
      const from = logOffset.current.id === id ? logOffset.current.offset : 0;
      const got = safe(() => client.logs(id, from), undefined);
      if (!got) return;
      logOffset.current = { id, offset: got.offset };
      // read from the start, they are all its lines
      if (got.lines.length > 0) setLogs((l) => ({ id, lines: [...(from > 0 && l?.id === id ? l.lines : []), ...got.lines].slice(-5000) }));
    },
    logPollMs ?? Math.min(500, settings.refreshMs > 0 ? settings.refreshMs : 500),
    logsShown,
    [container?.id],
  );

  // ---- inspect and diff, read when their tab shows ----
  const inspectText = useMemo(() => {
    if (!container || !showContainerDetail || ui.tab !== 'inspect') return '';
    return safe(() => JSON.stringify(client.inspect(container.id), null, 2), 'cannot inspect');
  }, [client, container, showContainerDetail, ui.tab]);
  const [diff, setDiff] = useState<{ id: string; lines: Row[] }>();
  useEffect(() => {
    if (!container || !showContainerDetail || ui.tab !== 'diff') return;
    let current = true;
    client.diff(container.id).then(
      (changes) =>
        current &&
        setDiff({
          id: container.id,
          lines: changes.length
            ? changes.map((c): Row => [{ text: `${c.kind} `, style: c.kind === 'A' ? 'added' : c.kind === 'D' ? 'deleted' : 'modified' }, { text: c.path }])
            : [[{ text: 'no changes', style: 'dim' }]],
        }),
      (err) => current && setDiff({ id: container.id, lines: [[{ text: errorText(err), style: 'error' }]] }),
    );
    return () => {
      current = false;
    };
  }, [client, container, showContainerDetail, ui.tab]);

  // ---- layout and the detail pane's content ----
  const layout = computeLayout(size.cols, size.rows, ui.focus);
  // as ListPane lays it out: frame rows off, then the header when at least 3 rows remain
  const containerInner = Math.max(0, layout.panes.containers.height - 2);
  containerRoom.current = containerInner >= 3 ? containerInner - 1 : containerInner;
  const detailLines = useMemo((): { title: string; tabs?: string[]; fixed: Row[]; lines: Row[] } => {
    if (!showContainerDetail) {
      const layer = layers?.data?.analysis.layers[lIndex];
      const lines = layer ? fileTree(layer.changes).map((l) => fileTreeLine(l, layout.panes.detail.width - 2)) : [];
      return {
        title: layer ? `Layer ${lIndex + 1} contents` : 'Layer contents',
        fixed: [efficiencyLine(layers?.data), [{ text: 'A added · M modified · D removed', style: 'dim' }]],
        lines: layers?.error ? [[{ text: layers.error, style: 'error' }]] : lines.length ? lines : [[{ text: layers?.data ? 'empty layer' : 'reading layers…', style: 'dim' }]],
      };
    }
    const title = container ? `${container.name}` : 'no container';
    const tabs = [...TABS];
    if (!container) return { title, tabs, fixed: [], lines: [] };
    switch (ui.tab) {
      case 'logs': {
        const lines = logLines(logs?.id === container.id ? logs.lines : []);
        const matches = matchingLines(lines, ui.logSearch);
        const fixed: Row[] = ui.logSearch ? [[{ text: `/${ui.logSearch}: ${matches.length} matching line${matches.length === 1 ? '' : 's'} (n: older match)`, style: 'dim' }]] : [];
        return { title, tabs, fixed, lines: lines.length ? lines.map((l) => logRow(l, ui.logSearch)) : [[{ text: 'no output yet', style: 'dim' }]] };
      }
      case 'inspect':
        return { title, tabs, fixed: [], lines: inspectText.split('\n').map((l) => jsonRow(l)) };
      case 'stats':
        return { title, tabs, fixed: [], lines: statsLines(statsView(samples.current.get(container.id) ?? []), layout.panes.detail.width - 2, layout.panes.detail.height - 3) };
      case 'diff':
        return { title, tabs, fixed: [], lines: diff?.id === container.id ? diff.lines : [[{ text: 'reading changes…', style: 'dim' }]] };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [showContainerDetail, layers, lIndex, container, ui.tab, ui.logSearch, logs, inspectText, diff, statsVersion, layout.panes.detail.width, layout.panes.detail.height]);

  // ---- keys ----
  const pageOf = (pane: PaneId) => Math.max(1, layout.panes[pane].height - 3);
  const detailRoom = Math.max(1, layout.panes.detail.height - 2 - (detailLines.tabs ? 1 : 0) - detailLines.fixed.length);

  const runAction = (label: string, fn: () => Promise<unknown>) => {
    say(`${label}…`);
    fn().then(
      () => {
        say(`${label}: done`);
        refresh();
      },
      (err) => say(`${label}: ${errorText(err)}`, true),
    );
  };

  const handoff = (h: Handoff) => {
    if (onHandoff) onHandoff(h, uiRef.current);
    else say('attach/exec needs a terminal', true);
  };

  const submitPrompt = (o: Extract<Overlay, { kind: 'prompt' }>) => {
    const value = o.value;
    update((s) => ({ ...s, overlay: null }));
    switch (o.purpose) {
      case 'filter':
        if (uiRef.current.focus === 'images') update((s) => ({ ...s, imageFilter: value }));
        else update((s) => ({ ...s, containerFilter: value }));
        return;
      case 'search':
        update((s) => ({ ...s, logSearch: value, detailScroll: undefined }));
        return;
      case 'exec': {
        if (!o.target) return;
        const cmd = safe(() => shellWords(value || '/bin/sh'), ['/bin/sh']);
        handoff({ kind: 'exec', id: o.target, name: container?.name ?? o.target, cmd });
        return;
      }
      case 'commit':
        if (o.target) runAction(`commit ${container?.name ?? ''} as ${value || '(untagged)'}`, () => client.commit(o.target!, value));
        return;
      case 'tag':
        if (o.target && value) runAction(`tag ${value}`, () => client.tag(o.target!, value));
        return;
      case 'command': {
        let argv: string[];
        try {
          argv = shellWords(value.replace(/^berth\s+/, ''));
        } catch (err) {
          say(errorText(err), true);
          return;
        }
        if (argv.length === 0) return;
        if (needsTerminal(argv)) return handoff({ kind: 'command', argv });
        say(`berth ${argv.join(' ')}…`);
        client.command(value.replace(/^berth\s+/, '')).then(({ code, output }) => {
          const text = output.trimEnd();
          if (text.includes('\n')) update((s) => ({ ...s, overlay: { kind: 'output', title: `berth ${argv.join(' ')} (exit ${code})`, text }, status: { text: '', error: false } }));
          else say(text || `berth ${argv[0]}: exit ${code}`, code !== 0);
          refresh();
        });
        return;
      }
    }
  };

  const editText = (value: string, input: string, name: string): string | undefined => {
    if (name === 'backspace' || name === 'delete') return value.slice(0, -1);
    if (name === 'ctrl-u') return '';
    if (input && !name.startsWith('ctrl-') && name.length === input.length && !/[\x00-\x1f]/.test(input)) return value + input;
    return undefined;
  };

  const handleOverlay = (o: Overlay, input: string, name: string) => {
    switch (o.kind) {
      case 'help':
      case 'output':
        update((s) => ({ ...s, overlay: null }));
        return;
      case 'confirm':
        if (name === 'y' || name === 'Y' || name === 'enter') {
          update((s) => ({ ...s, overlay: null }));
          if (o.what === 'container') runAction(`delete ${o.message}`, () => client.removeContainer(o.target));
          else runAction(`delete ${o.message}`, () => client.removeImage(o.target));
        } else update((s) => ({ ...s, overlay: null, status: { text: 'cancelled', error: false } }));
        return;
      case 'prompt': {
        if (name === 'escape') return update((s) => ({ ...s, overlay: null }));
        if (name === 'enter') return submitPrompt(o);
        const value = editText(o.value, input, name);
        if (value !== undefined) update((s) => ({ ...s, overlay: { ...o, value } }));
        return;
      }
      case 'run': {
        if (name === 'escape') return update((s) => ({ ...s, overlay: null }));
        if (name === 'tab' || name === 'down') return update((s) => ({ ...s, overlay: { ...o, field: (o.field + 1) % RUN_FIELDS.length } }));
        if (name === 'shift-tab' || name === 'up') return update((s) => ({ ...s, overlay: { ...o, field: (o.field + RUN_FIELDS.length - 1) % RUN_FIELDS.length } }));
        if (name === 'enter') {
          update((s) => ({ ...s, overlay: null }));
          say(`run ${o.image}…`);
          client.run({ image: o.image, name: o.name, command: o.command, ports: o.ports, volumes: o.volumes, env: o.env, interactive: o.interactive }).then(
            (id) => {
              refresh();
              update((s) => ({ ...focusPane(s, 'containers'), containerId: id, status: { text: `started ${o.name || id.slice(0, 12)}`, error: false } }));
              if (o.interactive) handoff({ kind: 'attach', id, name: o.name || id.slice(0, 12) });
            },
            (err) => say(`run ${o.image}: ${errorText(err)}`, true),
          );
          return;
        }
        const key = RUN_FIELDS[o.field];
        if (key === 'mode') {
          if (input === ' ' || name === 'left' || name === 'right') update((s) => ({ ...s, overlay: { ...o, interactive: !o.interactive } }));
          return;
        }
        const value = editText(o[key], input, name);
        if (value !== undefined) update((s) => ({ ...s, overlay: { ...o, [key]: value } }));
        return;
      }
    }
  };

  const scopesFor = (s: UiState): Scope[] => {
    const containerish = s.detailFor === 'container' && (s.focus === 'processes' || s.focus === 'detail');
    switch (s.focus) {
      case 'containers':
        return ['containers', 'list', 'global'];
      case 'images':
        return ['images', 'list', 'global'];
      case 'detail':
        return [...(s.detailFor === 'container' && s.tab === 'logs' ? (['logs'] as Scope[]) : []), ...(containerish ? (['containers'] as Scope[]) : []), 'detail', 'list', 'global'];
      default:
        return [...(containerish ? (['containers'] as Scope[]) : []), 'list', 'global'];
    }
  };

  const move = (m: Move) => {
    const s = uiRef.current;
    switch (s.focus) {
      case 'containers': {
        const cv = containerView(s);
        const i = moveSelection(cv.index, cv.rows.length, m, pageOf('containers'));
        return update((x) => ({ ...x, containerId: cv.rows[i]?.id, processIndex: 0, detailScroll: undefined }));
      }
      case 'images': {
        const iv = imageView(s);
        const i = moveSelection(iv.index, iv.rows.length, m, pageOf('images'));
        const row = iv.rows[i];
        return update((x) => ({ ...x, imageId: row?.id, imageTag: row ? `${row.repository}:${row.tag}` : undefined, layerIndex: 0, detailScroll: 0 }));
      }
      case 'layers':
        return update((x) => ({ ...x, layerIndex: moveSelection(lIndex, lRows.length, m, pageOf('layers')), detailScroll: 0 }));
      case 'processes':
        return update((x) => ({ ...x, processIndex: moveSelection(x.processIndex, processes.rows.length, m, pageOf('processes')) }));
      case 'detail': {
        const count = detailLines.fixed.length + detailLines.lines.length;
        const offset = detailOffset(s.detailScroll, detailLines.lines.length, detailRoom);
        const last = Math.max(0, detailLines.lines.length - detailRoom);
        const next = m === 'top' ? 0 : m === 'bottom' ? last : moveSelection(offset, last + 1, m, detailRoom);
        void count;
        // at the end the pane follows new output again
        return update((x) => ({ ...x, detailScroll: next >= last ? undefined : next }));
      }
    }
  };

  const act = (action: Action) => {
    const s = uiRef.current;
    const { container: target, running } = containerView(s);
    const { image } = imageView(s);
    switch (action) {
      case 'up':
      case 'down':
      case 'top':
      case 'bottom':
      case 'pageUp':
      case 'pageDown':
        return move(action);
      case 'nextPane':
        return update((x) => cycleFocus(x, 1));
      case 'prevPane':
        return update((x) => cycleFocus(x, -1));
      case 'pane1':
      case 'pane2':
      case 'pane3':
      case 'pane4':
        return update((x) => focusPane(x, (['containers', 'images', 'layers', 'processes'] as const)[Number(action.slice(4)) - 1]));
      case 'nextTab':
        return update((x) => cycleTab(x, 1));
      case 'prevTab':
        return update((x) => cycleTab(x, -1));
      case 'help':
        return update((x) => ({ ...x, overlay: { kind: 'help' } }));
      case 'quit':
        return onQuit?.(s);
      case 'command':
        return update((x) => ({ ...x, overlay: { kind: 'prompt', purpose: 'command', label: ':', value: '' } }));
      case 'filter':
        return update((x) => ({
          ...x,
          overlay: { kind: 'prompt', purpose: 'filter', label: 'filter: ', value: x.focus === 'images' ? x.imageFilter : x.containerFilter },
        }));
      case 'search':
        return update((x) => ({ ...x, overlay: { kind: 'prompt', purpose: 'search', label: 'search logs: ', value: x.logSearch } }));
      case 'nextMatch': {
        const lines = logLines(logs?.lines ?? []);
        const matches = matchingLines(lines, s.logSearch);
        if (matches.length === 0) return say(s.logSearch ? `no match for ${s.logSearch}` : 'no search: press / first', !!s.logSearch);
        const offset = detailOffset(s.detailScroll, lines.length, detailRoom);
        const older = matches.filter((i) => i < offset).at(-1) ?? matches.at(-1)!;
        return update((x) => ({ ...x, detailScroll: Math.max(0, older - Math.floor(detailRoom / 2)) }));
      }
      case 'sort':
        return update((x) => ({ ...x, sort: SORT_KEYS[(SORT_KEYS.indexOf(x.sort) + 1) % SORT_KEYS.length], status: { text: `sorted by ${SORT_KEYS[(SORT_KEYS.indexOf(x.sort) + 1) % SORT_KEYS.length]}`, error: false } }));
      case 'logs':
        return update((x) => ({ ...focusPane({ ...x, detailFor: 'container' }, 'detail'), detailFor: 'container', tab: 'logs', detailScroll: undefined }));
      case 'delete':
        if (s.focus === 'images' && image) {
          return update((x) => ({ ...x, overlay: { kind: 'confirm', what: 'image', target: `${image.repository}:${image.tag}` === '<none>:<none>' ? image.id : `${image.repository}:${image.tag}`, message: `image ${image.repository}:${image.tag}` } }));
        }
        if (target && (s.focus === 'containers' || s.detailFor === 'container')) {
          return update((x) => ({ ...x, overlay: { kind: 'confirm', what: 'container', target: target.id, message: `container ${target.name}${running ? ' (running: it will be killed)' : ''}` } }));
        }
        return;
      case 'run':
        if (!image) return say('no image selected', true);
        return update((x) => ({ ...x, overlay: { kind: 'run', image: image.tag === '<none>' ? image.shortId : `${image.repository}:${image.tag}`, name: '', command: '', ports: '', volumes: '', env: '', interactive: true, field: 0 } }));
      case 'tag':
        if (!image) return;
        return update((x) => ({ ...x, overlay: { kind: 'prompt', purpose: 'tag', label: `tag ${image.shortId} as: `, value: '', target: image.id } }));
      default:
        break;
    }
    // container verbs
    if (!target) return say('no container selected', true);
    switch (action) {
      case 'attach':
        if (!running) return say(`${target.name} is not running; r starts it`, true);
        return handoff({ kind: 'attach', id: target.id, name: target.name });
      case 'exec':
        if (target.state !== 'running') return say(`${target.name} is not running`, true);
        return update((x) => ({ ...x, overlay: { kind: 'prompt', purpose: 'exec', label: `exec in ${target.name}: `, value: '/bin/sh', target: target.id } }));
      case 'stop':
        return runAction(`stop ${target.name}`, () => client.stop(target.id));
      case 'restart':
        return runAction(`${running ? 'restart' : 'start'} ${target.name}`, () => client.restart(target.id));
      case 'pause':
        return runAction(`${target.state === 'paused' ? 'unpause' : 'pause'} ${target.name}`, () => client.togglePause(target.id));
      case 'kill':
        return runAction(`kill ${target.name}`, () => client.kill(target.id));
      case 'commit':
        return update((x) => ({ ...x, overlay: { kind: 'prompt', purpose: 'commit', label: `commit ${target.name} as: `, value: '', target: target.id } }));
      default:
        return;
    }
  };

  // Ink subscribes input handlers in a passive effect, which can run after a frame shows; reading the
  // handler through a ref set during render means a key always acts on what is on screen.
  const onInput = useRef<(input: string, name: string) => void>(() => {});
  onInput.current = onKey;
  // Keys typed fast (or sent by tmux send-keys) can arrive as one chunk: outside a text field they are
  // taken one per render, so "1a" attaches to what pane 1 selects.
  const queue = useRef<string[]>([]);
  const [queued, setQueued] = useState(0);
  useLayoutEffect(() => {
    const next = queue.current.shift();
    if (next === undefined) return;
    onInput.current(next, next);
    setQueued((n) => n + 1);
  }, [queued]);
  useInput((input, key) => {
    const name = keyName(input, key);
    const plain = !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab && !key.backspace && !key.delete;
    const typing = uiRef.current.overlay?.kind === 'prompt' || uiRef.current.overlay?.kind === 'run';
    if (plain && !typing && [...input].length > 1 && !/[\x00-\x1f]/.test(input)) {
      queue.current.push(...input);
      setQueued((n) => n + 1);
      return;
    }
    onInput.current(input, name);
  });

  function onKey(input: string, name: string) {
    const s = uiRef.current;
    if (s.overlay) return handleOverlay(s.overlay, input, name);
    if (layout.mode === 'too-small') {
      if (resolveKey(keymap, ['global'], name) === 'quit') onQuit?.(s);
      return;
    }
    if (name === 'escape') {
      // escape clears what narrows the view: the focused pane's filter, the log search, a message
      return update((x) => ({
        ...x,
        containerFilter: x.focus === 'containers' ? '' : x.containerFilter,
        imageFilter: x.focus === 'images' ? '' : x.imageFilter,
        logSearch: x.focus === 'detail' ? '' : x.logSearch,
        status: { text: '', error: false },
      }));
    }
    const action = resolveKey(keymap, scopesFor(s), name);
    if (action) {
      if (s.status.text && !s.status.error) update((x) => ({ ...x, status: { text: '', error: false } }));
      act(action);
    }
  }

  // ---- drawing ----
  if (layout.mode === 'too-small') return <TooSmall cols={size.cols} rows={size.rows} minCols={MIN_COLS} minRows={MIN_ROWS} />;
  const p = layout.panes;
  const overlay = ui.overlay;
  const prompt = overlay?.kind === 'prompt' ? { label: overlay.label, value: overlay.value } : overlay?.kind === 'confirm' ? { label: `delete ${overlay.message}? (y/n) `, value: '' } : undefined;
  const panes = (
    <>
      <ContainersPane rows={cRows} selected={cIndex} width={p.containers.width} height={p.containers.height} focused={ui.focus === 'containers'} filter={ui.containerFilter} sort={ui.sort} theme={theme} />
      <ImagesPane rows={iRows} selected={imageIndex} width={p.images.width} height={p.images.height} focused={ui.focus === 'images'} filter={ui.imageFilter} theme={theme} />
      <LayersPane rows={lRows} selected={lIndex} width={p.layers.width} height={p.layers.height} focused={ui.focus === 'layers'} image={image ? `${image.repository}:${image.tag}` : ''} loading={!!image && !layers?.data} theme={theme} />
      <ProcessesPane rows={processes.rows} selected={clampIndex(ui.processIndex, processes.rows.length)} width={p.processes.width} height={p.processes.height} focused={ui.focus === 'processes'} container={container?.name ?? ''} note={processes.note} theme={theme} />
    </>
  );
  const detail = (
    <DetailPane
      title={detailLines.title}
      tabs={detailLines.tabs}
      activeTab={ui.tab}
      fixed={detailLines.fixed}
      lines={detailLines.lines}
      scroll={ui.detailScroll}
      width={p.detail.width}
      height={p.detail.height}
      focused={ui.focus === 'detail'}
      theme={theme}
    />
  );
  const body = layout.mode === 'wide' ? (
    <Box flexDirection="row">
      <Box flexDirection="column">{panes}</Box>
      {detail}
    </Box>
  ) : (
    <Box flexDirection="column">
      {panes}
      {detail}
    </Box>
  );
  const bodyHeight = size.rows - 1;
  return (
    <Box flexDirection="column" width={size.cols} height={size.rows}>
      {overlay?.kind === 'help' ? (
        <HelpOverlay keymap={keymap} detachKeys={settings.detachKeys} width={size.cols} height={bodyHeight} theme={theme} />
      ) : overlay?.kind === 'output' ? (
        <OutputOverlay title={overlay.title} text={overlay.text} width={size.cols} height={bodyHeight} theme={theme} />
      ) : overlay?.kind === 'run' ? (
        <Box flexDirection="column" height={bodyHeight}>
          <RunForm image={overlay.image} name={overlay.name} command={overlay.command} ports={overlay.ports} volumes={overlay.volumes} env={overlay.env} interactive={overlay.interactive} field={overlay.field} width={size.cols} theme={theme} />
        </Box>
      ) : (
        body
      )}
      <StatusLine width={size.cols} prompt={prompt} message={ui.status.text} error={ui.status.error} hints={HINTS} theme={theme} />
    </Box>
  );
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Inspect JSON with keys picked out. */
function jsonRow(line: string): Row {
  const m = /^(\s*)("(?:[^"\\]|\\.)*")(:\s?)(.*)$/.exec(line);
  if (!m) return [{ text: line }];
  return [{ text: m[1] }, { text: m[2], style: 'accent' }, { text: m[3] }, { text: m[4] }];
}
