/**
 * The "1,000 heaviest users' list" scenario of `make bench`: `GET /v1/users/{userId}/balances`
 * for the users holding the most balances in the seeded data (make seed's Zipf-like law gives
 * user 1 about 40,000 of 1,000,000), warm, with Redis. Before the list was bounded each of
 * these answers carried every balance (10.7 MB for user 1); now at most USER_BALANCES_LIMIT.
 * Held to the warm Redis lean reference (at least 25% of its requests/s) and to a size: no
 * answer over 1 MB.
 */
import pg from 'pg';
import type { HttpFigures, Scenario } from './load.js';
import { referenceTarget } from './reference-target.js';

export const HEAVIEST_LISTS = "heaviest users' lists, warm (Redis)";
/** How many of the heaviest users the scenario cycles through. */
const USERS = 1_000;
/** The size no answer may exceed: 1 MB. */
export const LARGEST_RESPONSE_GOAL_BYTES = 1_000_000;
/** Requests in flight while warming the cache (and weighing every answer once). */
const WARM_UP_CONCURRENCY = 8;

/**
 * The scenario over the heaviest users of the database at `databaseUrl`, after one request
 * per user to the server at `port` (so the measured run is warm), which also weighs every
 * distinct answer: the largest is what the size target is about.
 */
export async function prepareHeaviestLists(
  databaseUrl: string,
  port: number,
  token: string,
): Promise<{ scenario: Scenario; largestResponseBytes: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let userIds: string[];
  try {
    const { rows } = await client.query<{ user_id: string }>(
      `SELECT user_id FROM balances
       WHERE deleted_at IS NULL
       GROUP BY user_id
       ORDER BY count(*) DESC, user_id
       LIMIT $1`,
      [USERS],
    );
    userIds = rows.map((row) => row.user_id);
  } finally {
    await client.end();
  }
  const paths = userIds.map((userId) => `/v1/users/${userId}/balances`);
  let largestResponseBytes = 0;
  let next = 0;
  const warmOne = async (): Promise<void> => {
    for (let path = paths[next++]; path !== undefined; path = paths[next++]) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const bytes = (await response.arrayBuffer()).byteLength;
      if (!response.ok) throw new Error(`${path} answered ${response.status} while warming up`);
      largestResponseBytes = Math.max(largestResponseBytes, bytes);
    }
  };
  await Promise.all(Array.from({ length: WARM_UP_CONCURRENCY }, warmOne));
  return {
    scenario: { name: HEAVIEST_LISTS, method: 'GET', paths, cursor: { next: 0 } },
    largestResponseBytes,
  };
}

/** The scenario's two targets, when it ran: its share of the reference, and its largest answer. */
export function heaviestListTargets(http: HttpFigures[]) {
  const figure = http.find((f) => f.name === HEAVIEST_LISTS);
  const ofReference = referenceTarget(HEAVIEST_LISTS, figure, 0.25);
  if (!figure || !ofReference || figure.largestResponseBytes === undefined) return [];
  const kB = (bytes: number) => `${Math.round(bytes / 1000).toLocaleString('en-US')} kB`;
  return [
    ofReference,
    ...(figure.ratioToSameAnswers === undefined
      ? []
      : [
          {
            name: `${HEAVIEST_LISTS}: of the lean reference serving the same lists from Redis`,
            goal: 'none: what answers of this size cost here',
            measured: `${(figure.ratioToSameAnswers * 100).toFixed(0)}%`,
            met: undefined,
          },
        ]),
    {
      name: `${HEAVIEST_LISTS}: largest answer`,
      goal: `none over ${kB(LARGEST_RESPONSE_GOAL_BYTES)}`,
      measured: kB(figure.largestResponseBytes),
      met: figure.largestResponseBytes <= LARGEST_RESPONSE_GOAL_BYTES,
    },
  ];
}
