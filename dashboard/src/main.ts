/**
 * The Paraloom network dashboard: a few pages over the node's read-only JSON API (/api/v1), kept
 * live by its server-sent events. No framework: each page renders into #app from plain data.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';

type Json = Record<string, unknown>;
interface Overview {
  now: number;
  height: string;
  tipHash: string;
  finalityMs: number | null;
  blockIntervalMs: number | null;
  tps: number;
  mempool: number;
  poolSize: number;
  root: string;
  depositsConsumed: string;
  depositQueue: number | null;
  anchoredHeight: string | null;
  anchorLag: string | null;
  vaultLamports: string | null;
  proofVerifyMs: number | null;
  validators: { total: number; up: number; down: number };
  chainError: string | null;
  self: { address: string | null; coordinator: string | null };
}
interface BlockSummary {
  height: string;
  hash: string;
  timestampMs: number;
  round: number;
  leader: string;
  transactions: number;
  transfers: number;
  withdrawals: number;
  deposits: number;
  nullifiers: number;
  commitments: number;
  leafCount: string;
  signers: number;
}
interface BlockDetail extends BlockSummary {
  previousHash: string;
  depositsConsumed: string;
  depositAccumulator: string;
  commitmentRoot: string;
  withdrawalsRoot: string;
  transactionRoot: string;
  depositCommitments: string[];
  transactionList: { id: string; kind: string; nullifiers: string[]; commitments: string[] }[];
  qc: { round: number; blockHash: string; signers: string[] } | null;
}
interface Validator {
  address: string;
  self: boolean;
  stake: string;
  reputation: number | null;
  missedRounds: number | null;
  onChainReputation: number;
  heartbeatAgeMs: number | null;
  status: 'up' | 'down' | 'unknown';
  slashCount: number;
  totalSlashed: string;
  coordinator: string | null;
}
interface Validators {
  heartbeatDownAfterMs: number;
  validators: Validator[];
}
type Series = Record<
  't' | 'height' | 'poolSize' | 'tps' | 'finalityMs' | 'mempool' | 'depositQueue' | 'anchorLag' | 'vaultSol',
  (number | null)[]
>;

const app = document.getElementById('app')!;
const live = document.getElementById('live')!;
const state: { overview?: Overview; validators?: Validators; blocks: BlockSummary[]; series?: Series } = {
  blocks: [],
};
let charts: { plot: uPlot; key: keyof Series }[] = [];

// ---- helpers ----------------------------------------------------------------------------------

function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}
const short = (s: string, head = 8, tail = 6) =>
  s.length > head + tail + 1 ? `${s.slice(0, head)}…${s.slice(-tail)}` : s;
const sol = (lamports: string | null) =>
  lamports === null
    ? '—'
    : `${(Number(lamports) / 1e9).toLocaleString(undefined, { maximumFractionDigits: 4 })} SOL`;
const ms = (v: number | null) =>
  v === null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
const ago = (v: number | null) =>
  v === null ? 'never' : v < 1000 ? 'just now' : `${Math.round(v / 1000)} s ago`;
const time = (t: number) => new Date(t).toLocaleTimeString();
const orDash = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`./api/v1/${path}`);
  const body = (await res.json()) as Json;
  if (!res.ok) throw new Error(String((body.error as Json | undefined)?.message ?? res.statusText));
  return body as T;
}

function page(): { name: string; arg?: string; rest?: string } {
  const [, name = 'overview', arg, rest] = location.hash.replace(/^#\/?/, '#/').split('/');
  return { name: name || 'overview', arg, rest };
}

// ---- overview ---------------------------------------------------------------------------------

const CARDS: [string, string, (o: Overview) => string][] = [
  ['height', 'L2 height', (o) => o.height],
  ['finality', 'Finality latency', (o) => ms(o.finalityMs)],
  ['tps', 'Transactions / s (60 s)', (o) => o.tps.toFixed(2)],
  ['anchored', 'Anchored height', (o) => orDash(o.anchoredHeight)],
  ['anchor-lag', 'Anchor lag (blocks)', (o) => orDash(o.anchorLag)],
  ['deposit-queue', 'Deposit queue', (o) => orDash(o.depositQueue)],
  ['vault', 'Vault balance', (o) => sol(o.vaultLamports)],
  ['pool-size', 'Pool size (notes)', (o) => String(o.poolSize)],
  ['mempool', 'Mempool', (o) => String(o.mempool)],
  ['validators-up', 'Validators up', (o) => `${o.validators.up} / ${o.validators.total}`],
  ['verify', 'Proof verify', (o) => ms(o.proofVerifyMs)],
  ['interval', 'Block interval', (o) => ms(o.blockIntervalMs)],
];

const CHARTS: [keyof Series, string][] = [
  ['poolSize', 'Pool size (notes: the anonymity set)'],
  ['height', 'L2 height'],
  ['tps', 'Transactions per second'],
  ['finalityMs', 'Finality latency (ms)'],
  ['depositQueue', 'Deposit queue'],
  ['vaultSol', 'Vault balance (SOL)'],
];

function renderOverview(): void {
  const cards = h('div', { class: 'cards' });
  for (const [id, label] of CARDS) {
    cards.append(
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'label' }, label),
        h('div', { class: 'value', 'data-testid': id }, '—'),
      ),
    );
  }
  const chartBox = h('div', { class: 'charts' });
  app.replaceChildren(h('h1', {}, 'Overview'), cards, chartBox, h('p', { class: 'mono', id: 'self' }));
  updateOverview();
  charts = [];
  void api<Series>('series').then((series) => {
    if (page().name !== 'overview') return;
    state.series = series;
    for (const [key, title] of CHARTS) {
      const box = h('div', { class: 'chart', 'data-chart': key });
      chartBox.append(box);
      const plot = new uPlot(
        {
          title,
          width: Math.max(360, box.clientWidth - 16),
          height: 180,
          scales: { x: { time: true } },
          series: [{}, { label: title, stroke: '#59b3ff', width: 2, spanGaps: true }],
          axes: [{ stroke: '#8593a3' }, { stroke: '#8593a3' }],
          legend: { show: false },
        },
        [series.t, series[key]] as uPlot.AlignedData,
        box,
      );
      charts.push({ plot, key });
    }
  });
}

function updateOverview(): void {
  const o = state.overview;
  if (!o || page().name !== 'overview') return;
  for (const [id, , value] of CARDS) {
    const el = app.querySelector(`[data-testid="${id}"]`);
    if (el) el.textContent = value(o);
  }
  const self = app.querySelector('#self');
  if (self) {
    const role = o.self.coordinator ? ` · coordinator: ${o.self.coordinator}` : '';
    const chain = o.chainError ? ` · Solana read failed: ${o.chainError}` : '';
    self.textContent = `This node: ${o.self.address ?? '—'}${role} · root ${short(o.root)}${chain}`;
  }
}

function appendSample(o: Overview): void {
  const s = state.series;
  if (!s) return;
  const point: Record<keyof Series, number | null> = {
    t: o.now / 1000,
    height: Number(o.height),
    poolSize: o.poolSize,
    tps: o.tps,
    finalityMs: o.finalityMs,
    mempool: o.mempool,
    depositQueue: o.depositQueue,
    anchorLag: o.anchorLag === null ? null : Number(o.anchorLag),
    vaultSol: o.vaultLamports === null ? null : Number(o.vaultLamports) / 1e9,
  };
  for (const k of Object.keys(point) as (keyof Series)[]) {
    s[k].push(point[k]);
    if (s[k].length > 1800) s[k].shift();
  }
  for (const c of charts) c.plot.setData([s.t, s[c.key]] as uPlot.AlignedData);
}

// ---- blocks -----------------------------------------------------------------------------------

function blockRow(b: BlockSummary): HTMLElement {
  const row = h(
    'tr',
    { class: 'clickable', 'data-height': b.height },
    h('td', {}, h('a', { href: `#/blocks/${b.height}` }, b.height)),
    h('td', {}, time(b.timestampMs)),
    h('td', { 'data-field': 'transactions' }, String(b.transactions)),
    h('td', { 'data-field': 'transfers' }, String(b.transfers)),
    h('td', { 'data-field': 'withdrawals' }, String(b.withdrawals)),
    h('td', { 'data-field': 'deposits' }, String(b.deposits)),
    h('td', { 'data-field': 'signers' }, String(b.signers)),
    h('td', { class: 'mono' }, short(b.leader)),
    h('td', { class: 'mono' }, short(b.hash)),
  );
  row.addEventListener('click', () => {
    location.hash = `#/blocks/${b.height}`;
  });
  return row;
}

/** The newest blocks (live), or a page of older ones below `before` (#/blocks/page/<before>). */
function renderBlockList(before?: string): void {
  const head = h(
    'tr',
    {},
    ...['Height', 'Time', 'Txs', 'Transfers', 'Withdrawals', 'Deposits', 'Signers', 'Leader', 'Hash'].map(
      (t) => h('th', {}, t),
    ),
  );
  const body = h('tbody', { id: 'block-rows' });
  const pager = h('p', { class: 'pager' });
  app.replaceChildren(
    h('h1', {}, before ? `Blocks below ${before}` : 'Blocks'),
    h('table', { 'data-testid': 'blocks' }, h('thead', {}, head), body),
    pager,
  );
  const query = before ? `blocks?limit=50&before=${before}` : 'blocks?limit=50';
  void api<{ blocks: BlockSummary[]; next: string | null }>(query).then(({ blocks, next }) => {
    if (page().name !== 'blocks' || page().rest !== before) return;
    if (!before) state.blocks = blocks;
    // Blocks that arrived live while this page loaded stay on top, once each.
    const top = BigInt(blocks[0]?.height ?? '0');
    const newer = [...body.children].filter((r) => BigInt(r.getAttribute('data-height') ?? '0') > top);
    body.replaceChildren(...newer, ...blocks.map(blockRow));
    if (before) pager.append(h('a', { href: '#/blocks', 'data-testid': 'newest' }, 'Newest'), ' ');
    if (next) pager.append(h('a', { href: `#/blocks/page/${next}`, 'data-testid': 'older' }, 'Older'));
  });
}

function onBlock(b: BlockSummary): void {
  state.blocks = [b, ...state.blocks.filter((x) => x.height !== b.height)].slice(0, 50);
  const body = document.getElementById('block-rows');
  if (
    body &&
    page().name === 'blocks' &&
    !page().arg &&
    !body.querySelector(`tr[data-height="${b.height}"]`)
  ) {
    body.prepend(blockRow(b));
    while (body.children.length > 50) body.lastElementChild?.remove();
  }
}

function fields(entries: [string, Node | string][]): HTMLElement {
  const dl = h('dl', { class: 'fields' });
  for (const [k, v] of entries) dl.append(h('dt', {}, k), h('dd', { 'data-field': k }, v));
  return dl;
}

async function renderBlock(height: string): Promise<void> {
  app.replaceChildren(h('h1', {}, `Block ${height}`));
  let b: BlockDetail;
  try {
    b = await api<BlockDetail>(`blocks/${height}`);
  } catch (err) {
    app.append(h('p', { class: 'error' }, String((err as Error).message)));
    return;
  }
  const txRows = b.transactionList.map((t) =>
    h(
      'tr',
      {},
      h('td', { class: 'mono' }, short(t.id)),
      h('td', {}, t.kind),
      h('td', { class: 'mono' }, t.nullifiers.map((n) => short(n)).join(' ')),
      h('td', { class: 'mono' }, t.commitments.map((c) => short(c)).join(' ')),
    ),
  );
  app.append(
    fields([
      ['hash', h('span', { class: 'mono' }, b.hash)],
      ['time', new Date(b.timestampMs).toLocaleString()],
      ['round', String(b.round)],
      ['leader', h('span', { class: 'mono' }, b.leader)],
      ['previous hash', h('span', { class: 'mono' }, b.previousHash)],
      ['transfers', String(b.transfers)],
      ['withdrawals', String(b.withdrawals)],
      ['deposits consumed', `${b.deposits} (queue position ${b.depositsConsumed})`],
      ['nullifiers', String(b.nullifiers)],
      ['commitments', String(b.commitments)],
      ['leaf count', b.leafCount],
      ['commitment root', h('span', { class: 'mono' }, b.commitmentRoot)],
      ['withdrawals root', h('span', { class: 'mono' }, b.withdrawalsRoot)],
      ['transaction root', h('span', { class: 'mono' }, b.transactionRoot)],
      ['deposit accumulator', h('span', { class: 'mono' }, b.depositAccumulator)],
    ]),
    h('h2', {}, 'Transactions'),
    txRows.length
      ? h(
          'table',
          {},
          h(
            'thead',
            {},
            h('tr', {}, ...['Id', 'Kind', 'Nullifiers', 'Output commitments'].map((t) => h('th', {}, t))),
          ),
          h('tbody', {}, ...txRows),
        )
      : h('p', { class: 'empty' }, 'No shielded transactions.'),
    h('h2', {}, 'Deposits consumed'),
    b.depositCommitments.length
      ? h('ul', { class: 'mono' }, ...b.depositCommitments.map((c) => h('li', {}, c)))
      : h('p', { class: 'empty' }, 'None.'),
    h('h2', {}, `Quorum certificate${b.qc ? ` (round ${b.qc.round}, ${b.qc.signers.length} signers)` : ''}`),
    b.qc
      ? h('ul', { class: 'mono' }, ...b.qc.signers.map((s) => h('li', {}, s)))
      : h('p', { class: 'empty' }, 'Not stored on this node.'),
  );
}

// ---- validators -------------------------------------------------------------------------------

function renderValidators(): void {
  app.replaceChildren(
    h('h1', {}, 'Validators'),
    h('div', { id: 'validators' }, h('p', { class: 'empty' }, 'Loading…')),
  );
  if (state.validators) updateValidators();
  void api<Validators>('validators').then((v) => {
    state.validators = v;
    updateValidators();
  });
}

function updateValidators(): void {
  const box = document.getElementById('validators');
  const v = state.validators;
  if (!box || !v || page().name !== 'validators') return;
  const head = h(
    'tr',
    {},
    ...[
      '',
      'Validator',
      'Stake',
      'Reputation',
      'Missed rounds',
      'Last heartbeat',
      'Slashed',
      'Coordinator',
    ].map((t) => h('th', {}, t)),
  );
  const rows = v.validators.map((x) =>
    h(
      'tr',
      { class: `status-${x.status}`, 'data-address': x.address, 'data-status': x.status },
      h('td', {}, h('span', { class: 'status', title: x.status })),
      h('td', { class: 'mono' }, `${x.address}${x.self ? ' (this node)' : ''}`),
      h('td', {}, sol(x.stake)),
      h('td', {}, `${orDash(x.reputation)} (on chain ${x.onChainReputation})`),
      h('td', {}, orDash(x.missedRounds)),
      h('td', {}, ago(x.heartbeatAgeMs)),
      h('td', {}, x.slashCount ? `${x.slashCount}× (${sol(x.totalSlashed)})` : 'never'),
      h('td', {}, orDash(x.coordinator)),
    ),
  );
  box.replaceChildren(
    rows.length
      ? h('table', { 'data-testid': 'validators' }, h('thead', {}, head), h('tbody', {}, ...rows))
      : h('p', { class: 'empty' }, 'No validators read from Solana yet.'),
    h('p', { class: 'empty' }, `Red: no heartbeat for more than ${ms(v.heartbeatDownAfterMs)}.`),
  );
}

// ---- anchors and evidence ---------------------------------------------------------------------

async function renderAnchors(): Promise<void> {
  app.replaceChildren(h('h1', {}, 'Anchors on Solana'));
  const a = await api<{
    lastHeight: string | null;
    anchors: {
      height: string;
      root: string;
      blockHash: string;
      signature: string | null;
      slot: string | null;
    }[];
  }>('anchors');
  app.append(
    h('p', {}, `Last anchored height: ${orDash(a.lastHeight)}`),
    a.anchors.length
      ? h(
          'table',
          { 'data-testid': 'anchors' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Height', 'Root', 'Block hash', 'Transaction', 'Slot'].map((t) => h('th', {}, t)),
            ),
          ),
          h(
            'tbody',
            {},
            ...a.anchors.map((x) =>
              h(
                'tr',
                {},
                h('td', {}, x.height),
                h('td', { class: 'mono' }, short(x.root)),
                h('td', { class: 'mono' }, short(x.blockHash)),
                h('td', { class: 'mono' }, x.signature ? short(x.signature, 10, 10) : '—'),
                h('td', {}, orDash(x.slot)),
              ),
            ),
          ),
        )
      : h('p', { class: 'empty' }, 'No roots anchored yet.'),
  );
}

async function renderEvidence(): Promise<void> {
  app.replaceChildren(h('h1', {}, 'Equivocation evidence'));
  const e = await api<{
    evidence: {
      validator: string;
      height: string;
      round: number;
      type: string;
      submitted: boolean;
      slashSignature: string | null;
    }[];
  }>('evidence');
  app.append(
    e.evidence.length
      ? h(
          'table',
          { 'data-testid': 'evidence' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Validator', 'Height', 'Round', 'Vote', 'Submitted', 'Slash on Solana'].map((t) =>
                h('th', {}, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...e.evidence.map((x) =>
              h(
                'tr',
                {},
                h('td', { class: 'mono' }, x.validator),
                h('td', {}, x.height),
                h('td', {}, String(x.round)),
                h('td', {}, x.type),
                h('td', {}, x.submitted ? 'yes' : 'pending'),
                h('td', { class: 'mono' }, x.slashSignature ? short(x.slashSignature, 10, 10) : '—'),
              ),
            ),
          ),
        )
      : h('p', { class: 'empty' }, 'No equivocation seen: every validator signed one vote per slot.'),
  );
}

// ---- routing and live updates -----------------------------------------------------------------

function route(): void {
  const { name, arg } = page();
  for (const a of document.querySelectorAll('nav a'))
    a.classList.toggle('active', a.getAttribute('data-page') === name);
  for (const c of charts) c.plot.destroy();
  charts = [];
  const fail = (err: unknown) => app.append(h('p', { class: 'error' }, String((err as Error).message)));
  if (name === 'blocks' && arg === 'page') renderBlockList(page().rest);
  else if (name === 'blocks' && arg) void renderBlock(arg).catch(fail);
  else if (name === 'blocks') renderBlockList();
  else if (name === 'validators') renderValidators();
  else if (name === 'anchors') void renderAnchors().catch(fail);
  else if (name === 'evidence') void renderEvidence().catch(fail);
  else renderOverview();
}

function connect(): void {
  const events = new EventSource('./api/v1/events');
  events.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  events.addEventListener('error', () => {
    live.textContent = 'reconnecting';
    live.className = 'live off';
  });
  events.addEventListener('overview', (m) => {
    state.overview = JSON.parse((m as MessageEvent<string>).data) as Overview;
    updateOverview();
    appendSample(state.overview);
  });
  events.addEventListener('block', (m) =>
    onBlock(JSON.parse((m as MessageEvent<string>).data) as BlockSummary),
  );
  events.addEventListener('validators', (m) => {
    state.validators = JSON.parse((m as MessageEvent<string>).data) as Validators;
    updateValidators();
  });
}

window.addEventListener('hashchange', route);
route();
connect();
