/**
 * The redis-server `npm start` runs when none answers (see scripts/start.ts), kept on a leash: it is stopped
 * when the launcher goes, however the launcher ends (`kill -9` included). redis-server cannot watch its
 * parent; this process can, through the IPC channel the launcher opened (the kernel closes it when the
 * launcher dies). Arguments are redis-server's.
 */
import { spawn } from 'node:child_process';

const redis = spawn('redis-server', process.argv.slice(2), { stdio: ['ignore', 'ignore', 'inherit'] });
const stop = () => {
  if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGTERM');
};
process.once('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
redis.once('error', (err) => {
  process.stderr.write(`stickyroom: could not run redis-server: ${err.message}\n`);
  process.exit(1);
});
redis.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
