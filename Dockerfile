# One image for the server and the worker; docker-compose.yml picks the command.
# The pages and the widget are built in a first stage (esbuild is a dev dependency) and only web/dist is kept.
FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
COPY client-sdk/package.json client-sdk/package.json
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY client-sdk client-sdk
COPY web web
COPY scripts scripts
RUN npx tsx scripts/build-web.ts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY client-sdk/package.json client-sdk/package.json
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY client-sdk client-sdk
COPY core core
COPY server server
COPY worker worker
COPY scripts scripts
COPY --from=web /app/web/dist web/dist
USER node
EXPOSE 3000
CMD ["node", "--conditions=@stickyroom/source", "--import", "tsx", "server/src/main.ts"]
