import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process, served at /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'stickyroom_' });
  return {
    registry,
    sockets: new Gauge({ name: 'stickyroom_sockets', help: 'Open Socket.IO connections on this node', registers: [registry] }),
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
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
