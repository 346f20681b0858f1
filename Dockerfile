# Marquee as a container: node:24-slim (the Node release CI tests; Node
# 22.15 or later also runs it), production dependencies only, the Prisma
# client generated and GraphiQL's assets built at image build time, running
# as the unprivileged `node` user.
#   docker build -t marquee .
#   docker run -p 4000:4000 -v marquee-data:/data marquee                 (embedded PGlite in /data)
#   docker run -p 4000:4000 -e DATABASE_URL=postgresql://... marquee      (PostgreSQL)

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (tsx runs the TypeScript; prisma generates the
# client). --ignore-scripts: the project's postinstall (scripts/generate.js)
# needs the sources copied below; it runs explicitly after them.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY prisma.config.ts tsconfig.json ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
RUN node scripts/generate.js \
 && node_modules/.bin/tsx src/http/graphiql/buildGraphiqlAssets.ts \
 && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    MARQUEE_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
# Liveness only; orchestrators should use GET /readyz for readiness.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs as PID 1 (no npx or shell in between), so `docker stop`'s SIGTERM
# reaches the server's own graceful stop.
CMD ["node", "--import", "tsx", "src/index.ts"]
