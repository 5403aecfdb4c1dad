import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of the live processes whose parent is `pid`, read from /proc (Linux): the workers of a
 * `WORKERS=N` primary, for the checker and the tests to kill one.
 */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') children.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return children;
}
