import { z } from 'zod';
import { Id, StreamId } from './common.js';

/**
 * The brand's data in its own hands: per-stream and per-brand exports (NDJSON or CSV, streamed) and the
 * data-rights routes (one viewer's data, forgetting a viewer). docs/operations.md, "Exports" and "Data rights".
 */
export const EXPORT_TABLES = ['viewers', 'chat', 'orders', 'claims', 'moderation', 'survey'] as const;
export const ExportTable = z.enum(EXPORT_TABLES);
export type ExportTable = z.infer<typeof ExportTable>;
/** The brand export's tables: every stream table, and the brand's own (rows not of a stream: reward redemptions). */
export const BRAND_EXPORT_TABLES = [...EXPORT_TABLES, 'redemptions'] as const;
export const BrandExportTable = z.enum(BRAND_EXPORT_TABLES);
export type BrandExportTable = z.infer<typeof BrandExportTable>;

export const ExportFormat = z.enum(['ndjson', 'csv']);
export type ExportFormat = z.infer<typeof ExportFormat>;

/** `GET /api/streams/:id/export/:table` path parameters. */
export const StreamExportParams = { id: StreamId, table: ExportTable };
/** `GET /api/brands/:brandId/export/:table` path parameters. */
export const BrandExportParams = { brandId: Id, table: BrandExportTable };

export const StreamExportQuery = z.object({ format: ExportFormat.default('ndjson') }).strict();

/** `from` / `to`: epoch ms or an ISO date; streams created in [from, to) are exported. */
const Instant = z.union([z.coerce.number().int().nonnegative(), z.string().datetime({ offset: true }).transform((s) => Date.parse(s))]);
export const BrandExportQuery = z
  .object({ format: ExportFormat.default('ndjson'), from: Instant.optional(), to: Instant.optional() })
  .strict();

/** `/api/brands/:brandId/viewers/:viewerId...` path parameters. */
export const BrandViewerParams = { brandId: Id, viewerId: Id };
/** `DELETE /api/viewers/:viewerId` path parameters. */
export const ViewerParams = { viewerId: Id };

/** What a delete did: the pseudonym that replaced the viewer's id where it feeds aggregates, and where. */
export const ViewerDeleted = z.object({
  viewerId: Id,
  pseudonym: Id,
  brands: z.array(Id),
  streams: z.number().int().nonnegative(),
});
export type ViewerDeleted = z.infer<typeof ViewerDeleted>;

/** `GET /api/brands/:brandId/viewers/:viewerId/export`: everything held about one viewer for one brand. */
export const ViewerDataExport = z.object({
  viewerId: Id,
  brandId: Id,
  exportedAt: z.number(),
  /** The brand's stickiness record: the packed history and rating as stored, null when none. */
  scoring: z.object({ history: z.string().nullable(), rating: z.string().nullable(), firstSeen: z.number().nullable(), firstBought: z.number().nullable() }),
  points: z.object({ lots: z.record(z.string(), z.number()), grants: z.record(z.string(), z.number()), streams: z.record(z.string(), z.number()) }),
  /** Their reward redemptions with the brand (RedemptionRecord as stored), newest first. */
  redemptions: z.array(z.record(z.string(), z.unknown())),
  /** Raffle tickets not yet spent, and the lotteries (id -> ms) they spent one on. */
  raffle: z.object({ tickets: z.number(), spent: z.record(z.string(), z.number()) }),
  /** Their share code for the brand, who referred them, and whom they referred. */
  referrals: z.object({
    code: z.string().nullable(),
    referredBy: z.object({ referrerId: z.string(), streamId: z.string(), at: z.number() }).nullable(),
    referred: z.array(z.object({ viewerId: z.string(), streamId: z.string(), at: z.number() })),
  }),
  orders: z.array(z.record(z.string(), z.unknown())),
  lastJoin: z.unknown().nullable(),
  streams: z.array(
    z.object({
      streamId: StreamId,
      title: z.string(),
      activity: z.record(z.string(), z.union([z.string(), z.number()])),
      firstJoinAt: z.number().nullable(),
      chat: z.array(z.record(z.string(), z.unknown())),
      /** Questions they asked: { questionId, text, name, at, status }. */
      questions: z.array(z.record(z.string(), z.unknown())),
      moderation: z.array(z.record(z.string(), z.unknown())),
      claims: z.array(z.record(z.string(), z.unknown())),
      orders: z.array(z.record(z.string(), z.unknown())),
      quizAnswers: z.record(z.string(), z.string()),
      lotteryEntries: z.array(z.string()),
      /** Poll id -> the option they voted for. */
      pollVotes: z.record(z.string(), z.number()),
      /** Their answer to the stream's post-stream survey (comment as written), null when none. */
      survey: z.object({ score: z.number(), comment: z.string().nullable(), at: z.number() }).nullable(),
      banned: z.boolean(),
    }),
  ),
});
export type ViewerDataExport = z.infer<typeof ViewerDataExport>;

/** `GET /api/viewers/:viewerId/export` (admin): the viewer's data for every brand holding any. */
export const ViewerDataExportAll = z.object({
  viewerId: Id,
  exportedAt: z.number(),
  /** The stream the viewer joined last (order attribution), whatever its brand. */
  lastJoin: z.unknown().nullable(),
  brands: z.array(ViewerDataExport),
});
export type ViewerDataExportAll = z.infer<typeof ViewerDataExportAll>;
