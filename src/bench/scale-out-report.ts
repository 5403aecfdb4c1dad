/**
 * The scale-out part of the bench summary: a table of the WORKERS=1, WORKERS=2 and Redis Cluster
 * runs, and a paragraph, written from the figures, on what the machine's shared cores allowed.
 */
import type { ScaleOutFigures } from './scale-out.js';

const percent = (ratio: number | undefined) =>
  ratio === undefined ? '' : `${(ratio * 100).toFixed(0)}%`;

/**
 * CPU the API processes spent on one request, in ms: what the work costs, whatever share of the
 * machine other work took (requests/s alone moves with that share).
 */
export function apiMillisPerRequest(f: ScaleOutFigures): number | undefined {
  if (!f.cores || f.requestsPerSecond === 0) return undefined;
  return Math.round((f.cores.api / f.requestsPerSecond) * 1000 * 1000) / 1000;
}

/** Who used the cores during one run, as "autocannon 0.9, API 1.0 (0.6 + 0.4), machine 2.0". */
function coresCell(f: ScaleOutFigures): string {
  if (!f.cores) return 'not measured';
  const { workers } = f.cores;
  return [
    `autocannon ${f.cores.generator}`,
    `API ${f.cores.api}${workers.length > 1 ? ` (${workers.join(' + ')})` : ''}`,
    `PostgreSQL ${f.cores.postgres}`,
    `${f.setup.startsWith('Redis Cluster') ? 'cluster' : 'Redis'} ${f.cores.redis}`,
    `other ${f.cores.other}`,
    `machine ${f.cores.machine}`,
  ].join(', ');
}

/**
 * Markdown lines for the scale-out section; none when the run had no scale-out figures.
 * `previous` gives the change in requests/s from the last run.
 */
export function scaleOutSection(
  figures: ScaleOutFigures[] | undefined,
  cpus: number,
  previous?: ScaleOutFigures[],
): string[] {
  if (!figures?.length) return [];
  const change = (f: ScaleOutFigures) => {
    const before = previous?.find((p) => p.name === f.name)?.requestsPerSecond;
    if (!before) return '';
    const delta = ((f.requestsPerSecond - before) / before) * 100;
    return ` (${delta >= 0 ? '+' : ''}${delta.toFixed(0)}%)`;
  };
  return [
    '## Scale out (`GET /v1/balances/:id`, Redis; src/bench/scale-out.ts)',
    '',
    'Warm: one id, a cache hit every time. Cold: ids that neither the warm-up nor another setup reads, so a miss and a PostgreSQL read each (unless the run outlasted its ids: "repeated"). Cores: used during the run, from /proc: autocannon, the API processes (each worker in brackets), the PostgreSQL backends of the bench database, Redis (shared with anything else using it) or the cluster\'s six nodes, "other" (the rest of the machine: other work on it, the kernel) and the whole machine.',
    '',
    '| setup | read | requests/s | of WORKERS=1 | of its reference | p50 / p99 ms | errors | repeated | API CPU ms a request | cores used |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...figures.map(
      (f) =>
        `| ${f.setup} | ${f.read} | ${f.requestsPerSecond}${change(f)} | ${percent(f.ratioToOneWorker)} | ${percent(f.ratioToReference)} | ${f.p50} / ${f.p99} | ${f.errors + f.non2xx} | ${f.read === 'cold' ? percent(f.repeatedShare) : ''} | ${apiMillisPerRequest(f) ?? ''} | ${coresCell(f)} |`,
    ),
    '',
    whatTheCoresAllow(figures, cpus),
    '',
  ];
}

/** The honest reading of the WORKERS=2 and cluster rows on this machine, from the figures. */
export function whatTheCoresAllow(figures: ScaleOutFigures[], cpus: number): string {
  const find = (setup: string, read: string) =>
    figures.find((f) => f.setup === setup && f.read === read);
  const twoWarm = find('Redis, WORKERS=2', 'warm');
  const twoCold = find('Redis, WORKERS=2', 'cold');
  const clusterWarm = find('Redis Cluster, WORKERS=1', 'warm');
  const clusterCold = find('Redis Cluster, WORKERS=1', 'cold');
  const sentences = [
    `What ${cpus} shared cores allow: autocannon, PostgreSQL, Redis (six redis-servers for the cluster) and every API process ran on the same ${cpus} cores, so a second worker only gets the cycles the others leave, and WORKERS=2 cannot double anything here.`,
  ];
  if (twoWarm && twoCold) {
    sentences.push(
      `WORKERS=2 ran at ${percent(twoWarm.ratioToOneWorker)} of WORKERS=1 warm and ${percent(twoCold.ratioToOneWorker)} cold.`,
    );
    const oneWarm = find('Redis, WORKERS=1', 'warm');
    const [one, two] = [oneWarm, twoWarm].map((f) => (f ? apiMillisPerRequest(f) : undefined));
    if (one !== undefined && two !== undefined) {
      sentences.push(
        `Per warm request its API processes spent ${two} ms of CPU, against ${one} ms for one process: a measure of what a second worker costs that does not move with the machine's other load.`,
      );
    }
  }
  if (twoWarm?.cores) {
    const busy = twoWarm.cores.machine;
    const saturated = busy >= 0.9 * cpus;
    sentences.push(
      `In its warm run the machine was busy ${busy} of ${cpus} cores${saturated ? ' (saturated)' : ''}: autocannon ${twoWarm.cores.generator}, the API processes ${twoWarm.cores.api}, PostgreSQL ${twoWarm.cores.postgres}, Redis ${twoWarm.cores.redis}, other work on the machine ${twoWarm.cores.other}.`,
    );
    if (twoWarm.cores.other >= 0.25 * cpus) {
      sentences.push(
        'Other work took a large share of the cores, so these rows describe a busy shared machine; rerun on a quiet one before comparing them with anything.',
      );
    }
  }
  if (clusterWarm && clusterCold) {
    sentences.push(
      `The Redis Cluster ran at ${percent(clusterWarm.ratioToOneWorker)} of one Redis warm and ${percent(clusterCold.ratioToOneWorker)} cold. What it costs: a lookup's value, generation and epoch usually sit on different slots, so it sends one command per slot, in parallel, often to more than one master, where one Redis takes one MGET; and its six nodes share the same cores.`,
    );
  }
  sentences.push(
    'What more cores or more Redis masters buy must be measured on a machine that has them; these rows show the cost of the setups here, not their ceiling.',
  );
  return sentences.join(' ');
}

/** The scale-out rows as bars of requests/s (warm and cold per setup), for the bench's SVG. */
export function scaleOutSvg(
  figures: ScaleOutFigures[] | undefined,
  top: number,
  left: number,
  width: number,
): { svg: string; height: number } {
  if (!figures?.length) return { svg: '', height: 0 };
  const barHeight = 14;
  const most = Math.max(...figures.map((f) => f.requestsPerSecond), 1);
  const scale = (rps: number) => Math.max(1, (rps / most) * (width - left - 160));
  const bars = figures.flatMap((f, i) => {
    const y = top + 30 + i * (barHeight + 6);
    const colour = f.read === 'warm' ? '#4f81bd' : '#c0504d';
    return [
      `<text x="${left - 8}" y="${y + 11}" text-anchor="end">${f.setup}, ${f.read}</text>`,
      `<rect x="${left}" y="${y}" width="${scale(f.requestsPerSecond)}" height="${barHeight}" fill="${colour}"/>`,
      `<text x="${left + scale(f.requestsPerSecond) + 6}" y="${y + 11}">${f.requestsPerSecond}/s (${percent(f.ratioToOneWorker)} of WORKERS=1)</text>`,
    ];
  });
  return {
    svg: [
      `<text x="20" y="${top + 15}" font-size="16">Scale out: GET /v1/balances/:id requests/s (blue: warm, red: cold), Redis</text>`,
      ...bars,
    ].join('\n'),
    height: 40 + figures.length * (barHeight + 6),
  };
}
