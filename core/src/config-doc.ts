import { z } from 'zod';
import { ConfigSchema } from './config.js';

/** README's configuration table, made from the schema so the two cannot drift. */
export function configTable(): string {
  const rows = ['| variable | default | meaning |', '|---|---|---|'];
  for (const [name, schema] of Object.entries(ConfigSchema.shape)) {
    const s = schema as z.ZodType;
    // A setting parsed from text (a duration) shows its default as written, not as parsed.
    let written: z.ZodType = s;
    while (written instanceof z.ZodPipe) written = written.in as z.ZodType;
    let def: unknown;
    try {
      def = written.parse(undefined);
    } catch {
      def = undefined;
    }
    const optional = def === undefined && s.safeParse(undefined).success;
    const shown = optional ? '(unset)' : def === undefined ? '(required)' : Array.isArray(def) ? def.join(',') : String(def);
    const secret = /SECRET/.test(name) && !optional ? 'a development value (refused when NODE_ENV=production)' : `\`${shown}\``;
    rows.push(`| \`${name}\` | ${secret} | ${s.description ?? ''} |`);
  }
  return rows.join('\n');
}
