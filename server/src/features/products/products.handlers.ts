import { defineHandler, STAFF, VIEWER } from '../../io/handler.js';
import { clickProduct, pinProduct } from '../../../../core/src/products/products.service.js';

export const productHandlers = [
  defineHandler('product:pin', { roles: STAFF }, async ({ ctx, user, now }, { streamId, product }) => {
    await pinProduct(ctx, user, streamId, product, now);
    return {};
  }),
  defineHandler('product:click', { roles: VIEWER }, async (call, { streamId, productId }) => {
    call.requireJoined(streamId);
    await clickProduct(call.ctx, call.user, streamId, productId, call.now);
    return {};
  }),
];
