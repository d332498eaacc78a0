import { defineScript } from '../redis/scripts.js';

export interface ListReplaceArgs {
  /** The list's full key name (a stream's moderation log or quiz correct list). */
  key: string;
  item: string;
  replacement: string;
  index: number;
}

/** list-replace-1.lua: one list item replaced by value, wherever pushes moved it; true when it was still there. */
export const listReplace = defineScript({
  file: 'list-replace-1.lua',
  keys: (_k, a: ListReplaceArgs) => [a.key],
  argv: (a) => [a.item, a.replacement, a.index],
  parse: (replaced: number) => replaced === 1,
});
