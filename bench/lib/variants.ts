import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * Server variants a benchmark measures one after the other in the same run, so a lever is measured next to
 * its absence under the same machine load:
 * - `default`: the server as this tree has it (with `bufferutil`/`utf-8-validate` when installed);
 * - `no-native`: the same without ws's native helpers (ws's own WS_NO_BUFFER_UTIL / WS_NO_UTF_8_VALIDATE);
 * - `semi64`: the same with V8's young generation raised to 64 MB semi-spaces (NODE_OPTIONS
 *   --max-semi-space-size=64), the GC setting a burst of short-lived objects is most sensitive to;
 * - `base`: the server of another checkout (`--base <dir>`, e.g. `git archive <commit>` unpacked with a
 *   symlink to this tree's node_modules), for a code change's "before".
 */
export const VARIANTS = ['default', 'no-native', 'base', 'semi64'] as const;
export type VariantName = (typeof VARIANTS)[number];

export interface Variant {
  name: VariantName;
  env: Record<string, string>;
  root?: string;
}

/**
 * `root`: a checkout to run `default` and `no-native` from instead of this tree (a snapshot, so that editing
 * this tree during a long run cannot change the server under measure).
 */
export function variantsOf(names: readonly VariantName[], base: string | undefined, root?: string): Variant[] {
  const at = root ? { root } : {};
  return names.map((name): Variant => {
    if (name === 'no-native') return { name, env: { WS_NO_BUFFER_UTIL: '1', WS_NO_UTF_8_VALIDATE: '1' }, ...at };
    if (name === 'semi64') return { name, env: { NODE_OPTIONS: '--max-semi-space-size=64' }, ...at };
    if (name === 'base') {
      if (!base) throw new Error('--variants base needs --base <dir>');
      return { name, env: {}, root: base };
    }
    return { name, env: {}, ...at };
  });
}

export const variantsOption = z
  .string()
  .default('default')
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(VARIANTS)).min(1))
  .describe(`server variants measured one after the other: ${VARIANTS.join(', ')}`);

/** Parses `--name value` / `--flag` options against a zod object of them (strings coerced by the schema). */
export function parseOptions<S extends z.ZodObject>(schema: S, argv: readonly string[]): z.infer<S> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const inner = field as z.ZodType & { def?: { type?: string; innerType?: { def?: { type?: string } } } };
    const type = inner.def?.type === 'boolean' || inner.def?.innerType?.def?.type === 'boolean' ? 'boolean' : 'string';
    options[name] = { type };
  }
  const { values } = parseArgs({ args: [...argv], options, strict: true });
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

export function usageOf(schema: z.ZodObject): string {
  const defaults = schema.parse({}) as Record<string, unknown>;
  return Object.entries(schema.shape)
    .map(([name, s]) => {
      const d = defaults[name];
      const shown = d === undefined || d === false ? '' : ` (default ${Array.isArray(d) ? d.join(',') : String(d)})`;
      return `  --${name.padEnd(11)} ${(s as z.ZodType).description ?? ''}${shown}`;
    })
    .join('\n');
}
