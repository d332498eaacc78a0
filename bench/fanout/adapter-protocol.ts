import { z } from 'zod';

/** The bench asks a node of the adapter comparison for its inbound pub/sub counters, or to stop. */
export const AdapterNodeRequest = z.discriminatedUnion('type', [z.object({ type: z.literal('counters'), id: z.number().int() }), z.object({ type: z.literal('close') })]);
export type AdapterNodeRequest = z.infer<typeof AdapterNodeRequest>;

export const AdapterNodeReply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Messages and bytes the node's adapter subscriber received from Redis since it started. */
  z.object({ type: z.literal('counters'), id: z.number().int(), messages: z.number(), bytes: z.number() }),
]);
export type AdapterNodeReply = z.infer<typeof AdapterNodeReply>;
