/**
 * Where a .cpuprofile spent its time: self time per function and per package, busiest first.
 *   npx tsx bench/lib/profile-summary.ts bench/results/prof/<file>.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Profile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      hitCount: z.number().default(0),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
});

function place(url: string): { file: string; pkg: string } {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length);
    const parts = rest.split('/');
    const pkg = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    return { file: rest, pkg };
  }
  if (url.startsWith('node:')) return { file: url, pkg: 'node (core)' };
  const repo = /\/(server|core|client-sdk|bench|worker)\/.*/.exec(url);
  if (repo) return { file: repo[0].slice(1), pkg: repo[1]! };
  return { file: url || '(native)', pkg: url ? url : '(native, gc, idle)' };
}

export function summarize(raw: unknown, top = 25): string {
  const { nodes } = Profile.parse(raw);
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const n of nodes) {
    const { file, pkg } = place(n.callFrame.url);
    const fn = `${n.callFrame.functionName || '(anonymous)'}  ${file}:${n.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + n.hitCount);
    const bucket = n.callFrame.functionName === '(idle)' ? '(idle)' : n.callFrame.functionName === '(garbage collector)' ? '(gc)' : pkg;
    byPkg.set(bucket, (byPkg.get(bucket) ?? 0) + n.hitCount);
    total += n.hitCount;
    if (n.callFrame.functionName === '(idle)') idle += n.hitCount;
  }
  const busy = total - idle;
  const pct = (n: number) => `${((n / busy) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${busy} busy samples of ${total} (${((busy / total) * 100).toFixed(0)}% busy); shares below are of the busy samples`, '', 'by package:'];
  for (const [k, v] of [...byPkg].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('', 'by function (self time):');
  for (const [k, v] of [...byFn].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${summarize(JSON.parse(readFileSync(file, 'utf8')), Number(process.argv[3] ?? 25))}\n`);
}
