import type { BrandExportTable, ExportFormat, ExportTable } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { canReadBrand, type User } from '../identity/tokens.js';
import { readableStream, streamStore } from '../streams/streams.service.js';
import { brandStreamKeys } from '../streams/streams.keys.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { csvCell } from '../summary/summary.csv.js';
import { BRAND_TABLES, PAGE, TABLES, type Row } from './exports.tables.js';

/**
 * Where an export is written: `write` resolves once the chunk is taken (the transport waits for its
 * socket to drain), so a large export holds one page in memory, never the whole table.
 */
export interface ChunkSink {
  write(chunk: string): Promise<void>;
}

/** Who may export: the brand team and the streamers of the brand, and admins (moderators may not). */
const EXPORTERS: readonly User['role'][] = ['brand', 'streamer', 'admin'];

function mayExport(user: User, brandId: string): boolean {
  return EXPORTERS.includes(user.role) && canReadBrand(user, brandId);
}

export const exportContentType = (format: ExportFormat): string => (format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');

/** Encodes pages of rows: NDJSON one object per line; CSV RFC 4180 with a header line and formula-safe cells. */
function encoder(columns: readonly string[], format: ExportFormat): { header: string; page(rows: Row[]): string } {
  if (format === 'ndjson') return { header: '', page: (rows) => rows.map((r) => JSON.stringify(r) + '\n').join('') };
  return {
    header: columns.join(',') + '\r\n',
    page: (rows) => rows.map((r) => columns.map((c) => csvCell(r[c] ?? null)).join(',') + '\r\n').join(''),
  };
}

/**
 * Checks the caller may export the stream; answers the function that writes it. The check comes first
 * so a refusal is still an ordinary error answer, before any byte of the export is sent.
 */
export async function prepareStreamExport(ctx: AppContext, user: User, streamId: string, table: ExportTable, format: ExportFormat): Promise<(sink: ChunkSink) => Promise<void>> {
  const stream = await readableStream(ctx, user, streamId);
  if (!mayExport(user, stream.brandId)) throw new AppError('forbidden', `a ${user.role} token may not export`);
  const enc = encoder(TABLES[table].columns, format);
  return async (sink) => {
    if (enc.header) await sink.write(enc.header);
    await TABLES[table].read(ctx, stream, (rows) => sink.write(enc.page(rows)));
  };
}

/** The brand's streams created in [from, to), oldest first, read in pages. */
export async function forEachBrandStream(ctx: AppContext, brandId: string, from: number | undefined, to: number | undefined, onStream: (s: StreamRecord) => Promise<void>): Promise<void> {
  const key = brandStreamKeys(ctx.keys, brandId).streams;
  const max = to === undefined ? '+inf' : `(${to}`;
  for (let offset = 0; ; offset += PAGE) {
    const ids = await ctx.redis.zrangebyscore(key, from ?? '-inf', max, 'LIMIT', offset, PAGE);
    if (ids.length === 0) return;
    for (const s of await streamStore(ctx).getMany(ids)) if (s) await onStream(s);
    if (ids.length < PAGE) return;
  }
}

/**
 * Every stream of the brand created in [from, to), one table concatenated (each row carries its streamId); or a
 * table of the brand's own (redemptions), its rows made in [from, to).
 */
export async function prepareBrandExport(
  ctx: AppContext,
  user: User,
  brandId: string,
  table: BrandExportTable,
  format: ExportFormat,
  range: { from?: number | undefined; to?: number | undefined },
): Promise<(sink: ChunkSink) => Promise<void>> {
  if (!mayExport(user, brandId)) throw new AppError('forbidden', 'this brand is not yours to export');
  if (!isStreamTable(table)) {
    const def = BRAND_TABLES[table];
    const enc = encoder(def.columns, format);
    return async (sink) => {
      if (enc.header) await sink.write(enc.header);
      await def.read(ctx, brandId, range, (rows) => sink.write(enc.page(rows)));
    };
  }
  const enc = encoder(TABLES[table].columns, format);
  return async (sink) => {
    if (enc.header) await sink.write(enc.header);
    await forEachBrandStream(ctx, brandId, range.from, range.to, (stream) => TABLES[table].read(ctx, stream, (rows) => sink.write(enc.page(rows))));
  };
}


const isStreamTable = (table: BrandExportTable): table is ExportTable => table in TABLES;
