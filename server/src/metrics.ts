import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createDomainMetrics, processMetrics } from '../../core/src/metrics.js';

/** Latency buckets of requests and events: 1 ms to 2.5 s. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Prometheus metrics of one server node, served at /metrics with the process's defaults (core/src/metrics.ts).
 * Labels hold route patterns, event names, codes and reasons: never a stream, user or raw path.
 */
export function createMetrics() {
  // the process's own (timer lag among them) measure from the start, not from the first scrape
  processMetrics();
  const registry = new Registry();
  /** Per event that takes turns (the dispatcher's concurrency), how many wait for one now. */
  const waiting = new Map<string, () => number>();
  return {
    registry,
    /** The domain's (Redis, chat fan-out, claims), given to the Redis clients and the context. */
    domain: createDomainMetrics(registry),
    sockets: new Gauge({ name: 'stickyroom_sockets', help: 'Open Socket.IO connections on this node', registers: [registry] }),
    connects: new Counter({
      name: 'stickyroom_socket_connects_total',
      help: 'Socket.IO connections accepted (authenticated) on this node',
      registers: [registry],
    }),
    connectRefusals: new Counter({
      name: 'stickyroom_socket_connect_refusals_total',
      help: 'Socket.IO handshakes refused, by code (unauthorized, unsupported_protocol)',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    disconnects: new Counter({
      name: 'stickyroom_socket_disconnects_total',
      help: 'Socket.IO connections closed, by reason (a session end reason such as token_expired, or the transport reason such as transport_close, ping_timeout)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    events: new Counter({
      name: 'stickyroom_socket_events_total',
      help: 'Socket events handled, by event and outcome code',
      labelNames: ['event', 'code'] as const,
      registers: [registry],
    }),
    eventSeconds: new Histogram({
      name: 'stickyroom_socket_event_seconds',
      help: 'Time from receiving a socket event to its ack',
      labelNames: ['event'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    /** The dispatcher registers each event that takes turns here (server/src/io/turns.ts). */
    waiting,
    eventsWaiting: new Gauge({
      name: 'stickyroom_socket_events_waiting',
      help: 'Socket events waiting for a turn on this node, by event (room:join past JOIN_CONCURRENCY), read when scraped',
      labelNames: ['event'] as const,
      registers: [registry],
      collect() {
        for (const [event, count] of waiting) this.set({ event }, count());
      },
    }),
    httpRequests: new Counter({
      name: 'stickyroom_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern (unmatched: no route) and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: 'stickyroom_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to the end of its answer, by method and route pattern',
      labelNames: ['method', 'route'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'stickyroom_order_webhooks_total',
      help: 'Order webhook deliveries, by outcome (accepted, duplicate, or the refusal: bad_signature, invalid_payload, too_large, unavailable, error)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
