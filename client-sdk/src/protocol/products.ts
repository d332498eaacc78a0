import { z } from 'zod';
import { Id, StreamId } from './common.js';
import { userText } from './text.js';

export const Product = z
  .object({
    id: Id,
    title: userText(200),
    price: z.number().nonnegative().max(100_000_000),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
    imageUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
    url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  })
  .strict();
export type PinnedProduct = z.infer<typeof Product>;

export const ProductPin = z.object({ streamId: StreamId, product: Product.nullable() }).strict();
export const ProductClick = z.object({ streamId: StreamId, productId: Id }).strict();

export const productRequests = {
  'product:pin': ProductPin,
  'product:click': ProductClick,
} as const;

export interface ProductReplies {
  'product:pin': Record<string, never>;
  'product:click': Record<string, never>;
}

export interface ProductPushes {
  'product:pinned': (e: { streamId: string; product: PinnedProduct | null }) => void;
}

/** HTTP `POST /api/webhooks/orders` body, signed with X-Stickyroom-Signature. */
export const OrderWebhookBody = z
  .object({
    orderId: z.string().min(1).max(128),
    viewerId: Id,
    amount: z.number().nonnegative().max(1_000_000_000),
    currency: z.string().regex(/^[A-Z]{3}$/),
    couponCode: z.string().min(1).max(64).optional(),
    streamId: StreamId.optional(),
    at: z.number().int().nonnegative().optional(),
    /** The products bought (ids as pinned): what the streamer's pin suggestions count as co-purchases. */
    productIds: z.array(Id).max(100).optional(),
  })
  .strict();
export type OrderWebhookBody = z.infer<typeof OrderWebhookBody>;
