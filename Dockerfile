# One image for the server and the worker; docker-compose.yml picks the command.
#
# Stage 1 (build): every dependency, dev ones included (TypeScript, esbuild), and `npm run build`: the SDK's dist,
# then dist/ with the compiled server, worker and launcher, the Lua scripts beside their features and the
# pages and the widget (scripts/build.ts).
# Stage 2 (runtime): production dependencies only, the SDK's package.json and dist (the workspace link
# @stickyroom/sdk resolves to it) and dist/. No TypeScript source, no compiler, no tsx at run time. Runs as
# the image's unprivileged `node` user (uid 1000); the files belong to root, so the process cannot change them.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY client-sdk/package.json client-sdk/package.json
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY client-sdk client-sdk
COPY core core
COPY server server
COPY worker worker
COPY web web
COPY scripts scripts
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY client-sdk/package.json client-sdk/package.json
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/client-sdk/dist client-sdk/dist
COPY --from=build /app/dist dist
USER node
# the server's HTTP and Socket.IO port; a worker serves /healthz and /metrics on WORKER_HTTP_PORT (9465)
EXPOSE 3000 9465
CMD ["node", "dist/server/src/main.js"]
