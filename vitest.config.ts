import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** The SDK's package exports point at its source under this condition: tests never need its build. */
const SDK_SOURCE = '@stickyroom/source';

/** Projects that talk to Redis fail fast when none answers (test/helpers/global-setup.ts). */
const needsRedis = { globalSetup: ['test/helpers/global-setup.ts'] };

/**
 * A project's files share one worker process and its module graph, one file after another (no fresh process
 * and no re-import of the server per file, which was a third of the run's time): no test file reads the
 * environment when loaded, mocks a module or leaves a global behind. Not the bench files: a bench reads
 * REDIS_URL when loaded, and bench-fanout-adapters points it at a Redis of its own first.
 */
const shared = { isolate: false };

const project = (name: string, include: string[], extra: TestProjectInlineConfiguration['test'] = {}): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name, include, ...extra },
});

/**
 * `npm test` runs every project; `npx vitest --project unit` runs the pure tests alone (no Redis, seconds).
 * One suite of `system` runs by its folder: `npx vitest run test/chaos`.
 */
export default defineConfig({
  resolve: { conditions: [SDK_SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SDK_SOURCE, ...defaultServerConditions] } },
  test: {
    // Integration files open many sockets and Redis connections; two at a time fits a 2-core machine.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/helpers/closing-line-reporter.ts'],
    projects: [
      project('unit', ['test/unit/**/*.test.ts'], shared),
      // Every suite that runs the server against the shared Redis, as one project: vitest ran the projects one
      // after the other, each starting its workers and importing the server afresh, with a worker idle at each
      // project's end. One project cut the run from 584-607 s to 555 s on a 2-core machine (import 112 s -> 50 s).
      project(
        'system',
        [
          'test/integration/**/*.test.ts', // the server in-process and SDK clients, feature by feature
          'test/load/**/*.test.ts', // bursts and large streams: throughput and stalls under load
          'test/chaos/**/*.test.ts', // real processes and Redis servers killed mid-way
          'test/multinode/**/*.test.ts', // three server node processes and two workers behind a loopback load balancer
          'test/fuzz/**/*.test.ts', // random payloads at every event
          'test/browser/**/*.test.ts', // the SDK, the console and the widget in Chromium
        ],
        { ...needsRedis, ...shared },
      ),
      // the benchmark harness itself, on a small run
      project('bench', ['test/bench/**/*.test.ts'], needsRedis),
      // a local Redis Cluster each file starts (test/helpers/redis-cluster.ts): every script, every feature, a failover
      project('cluster', ['test/cluster/**/*.test.ts'], { testTimeout: 60_000, hookTimeout: 60_000, ...shared }),
    ],
  },
});
