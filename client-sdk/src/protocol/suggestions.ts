import { z } from 'zod';
import { Id, StreamId } from './common.js';
import { Product } from './products.js';

export const SuggestionsParams = { id: StreamId };

const Count = z.number().int().nonnegative();
const Share = z.number().min(0).max(1);

/** A product worth pinning next, from what tonight's viewers clicked and bought in the brand's earlier streams. */
export const ProductSuggestion = z.object({
  productId: Id,
  title: z.string(),
  /** The card as it was last pinned, ready to pin again. */
  product: Product,
  /** Tonight's viewers who clicked the product in one of the earlier streams looked at (co-click). */
  clickedBy: Count,
  /** Tonight's viewers who bought it in one of those streams (co-purchase; orders that named their products). */
  boughtBy: Count,
  /** `3 × boughtBy + clickedBy`: what the list is ordered by. */
  score: Count,
  /** True when it was already pinned earlier tonight. */
  pinnedTonight: z.boolean(),
  /** One line saying why, for the streamer. */
  reason: z.string(),
});
export type ProductSuggestion = z.infer<typeof ProductSuggestion>;

/** One segment's share of tonight's audience against the brand's usual audience. */
export const SegmentReading = z.object({
  segment: z.string(),
  tonight: Count,
  tonightShare: Share,
  /** Mean share of the segment among the viewers of the earlier streams looked at (null: none to compare with). */
  usualShare: Share.nullable(),
  /** Percentage points, tonight's share minus the usual share, rounded to one decimal. */
  deltaPoints: z.number().nullable(),
  reading: z.enum(['over', 'under', 'usual', 'no_history']),
  reason: z.string(),
});
export type SegmentReading = z.infer<typeof SegmentReading>;

export const StreamSuggestions = z.object({
  streamId: StreamId,
  computedAt: z.number().int(),
  /** Tonight's viewers the suggestions are for (everyone who joined or was active). */
  audience: Count,
  /** The brand's earlier ended streams read, newest first (at most 10). */
  basedOn: z.array(StreamId),
  products: z.array(ProductSuggestion),
  segments: z.array(SegmentReading),
});
export type StreamSuggestions = z.infer<typeof StreamSuggestions>;
