/**
 * `npm run bench [name] [-- options]`: runs one registered benchmark, or every one (with its defaults) when
 * no name is given, prints each table and writes each run's JSON to bench/results/.
 */
import { relative } from 'node:path';
import { benchmarks } from './registry.js';
import { saveResult } from './lib/benchmark.js';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function help(): Promise<string> {
  const lines = ['usage: npm run bench [name] [-- --option value ...]', '', 'benchmarks:'];
  for (const [name, load] of Object.entries(benchmarks)) {
    const b = await load();
    lines.push(`  ${name}  ${b.summary}`, b.usage(), '');
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${await help()}\n`);
    return 0;
  }
  const named = argv[0] !== undefined && !argv[0].startsWith('-');
  const names = named ? [argv[0]!] : Object.keys(benchmarks);
  const options = named ? argv.slice(1) : argv;
  if (!named && options.length > 0) {
    process.stderr.write('options need a benchmark name: npm run bench <name> -- --option value\n');
    return 2;
  }
  let failed = 0;
  for (const name of names) {
    const load = benchmarks[name];
    if (!load) {
      process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(benchmarks).join(', ')}\n`);
      return 2;
    }
    const bench = await load();
    try {
      const outcome = await bench.run(options, log);
      const file = await saveResult(name, outcome.json);
      process.stdout.write(`\n${outcome.table}\n\n${outcome.notes.join('\n')}\n\nresults: ${relative(process.cwd(), file)}\n`);
    } catch (err) {
      failed++;
      process.stderr.write(`benchmark ${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
