/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests that scrape /metrics:
 * it refuses what a Prometheus server would refuse (bad names, bad escapes, bad values, a TYPE after
 * its samples or twice, samples of a family split apart) and checks histogram invariants (le
 * ascending, cumulative counts non-decreasing, +Inf bucket equal to _count).
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  type: string;
  help: string | undefined;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const closed = new Set<string>();
  let current: MetricFamily | undefined;
  const family = (name: string, line: number): MetricFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: undefined, samples: [] };
      families.set(name, f);
    } else if (f !== current && closed.has(name)) {
      throw new Error(`line ${line}: samples of ${name} are not contiguous`);
    }
    if (current && current !== f) closed.add(current.name);
    current = f;
    return f;
  };
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('exposition must end with a newline');
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      const f = family(name, line);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: unknown type ${rest}`);
        if (f.samples.length > 0 || f.type !== 'untyped')
          throw new Error(`line ${line}: TYPE of ${name} too late`);
        f.type = rest;
      } else {
        if (f.help !== undefined) throw new Error(`line ${line}: second HELP for ${name}`);
        f.help = rest;
      }
      return;
    }
    const sample = parseSample(raw, line);
    family(familyOf(sample.name, families), line).samples.push(sample);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function familyOf(sampleName: string, families: Map<string, MetricFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const t = families.get(base)?.type;
    if (t === 'histogram' || (t === 'summary' && suffix !== '_bucket')) return base;
  }
  return sampleName;
}

function parseSample(raw: string, line: number): Sample {
  const nameEnd = raw.search(/[{ ]/);
  if (nameEnd <= 0) throw new Error(`line ${line}: no value`);
  const name = raw.slice(0, nameEnd);
  if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
  const labels: Record<string, string> = {};
  let pos = nameEnd;
  if (raw[pos] === '{') {
    pos++;
    while (raw[pos] !== '}') {
      const eq = raw.indexOf('=', pos);
      if (eq < 0) throw new Error(`line ${line}: bad label set`);
      const label = raw.slice(pos, eq);
      if (!LABEL.test(label)) throw new Error(`line ${line}: bad label name ${label}`);
      if (label in labels) throw new Error(`line ${line}: duplicate label ${label}`);
      if (raw[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`);
      let value = '';
      pos = eq + 2;
      for (;;) {
        const c = raw[pos];
        if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
        if (c === '"') break;
        if (c === '\\') {
          const e = raw[pos + 1];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new Error(`line ${line}: bad escape \\${e}`);
          pos += 2;
        } else {
          value += c;
          pos++;
        }
      }
      labels[label] = value;
      pos++;
      if (raw[pos] === ',') pos++;
      else if (raw[pos] !== '}') throw new Error(`line ${line}: expected , or }`);
    }
    pos++;
  }
  const parts = raw.slice(pos).trim().split(/ +/);
  if (parts.length < 1 || parts.length > 2 || parts[0] === '')
    throw new Error(`line ${line}: bad value part`);
  const value = parseValue(parts[0]!, line);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`line ${line}: bad timestamp`);
  return { name, labels, value };
}

function parseValue(s: string, line: number): number {
  // Prometheus reads values with Go's ParseFloat: NaN and Inf in any letter case (prom-client writes Nan).
  const lower = s.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`line ${line}: bad value ${s}`);
  return Number(s);
}

function checkHistogram(f: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      entry.buckets.push([parseValue(le, 0), s.value]);
    } else if (s.name === `${f.name}_count`) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]![0] > buckets[i - 1]![0])) throw new Error(`${f.name}${key}: le not ascending`);
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${f.name}${key}: counts not cumulative`);
    }
    const inf = buckets.at(-1);
    if (!inf || inf[0] !== Number.POSITIVE_INFINITY) throw new Error(`${f.name}${key}: no +Inf bucket`);
    if (inf[1] !== count) throw new Error(`${f.name}${key}: +Inf bucket ${inf[1]} != _count ${count}`);
  }
}
