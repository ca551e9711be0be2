# syntax=docker/dockerfile:1
# docker build -t gatehouse .   (or: docker compose up, with docker-compose.yml)

# The toolchain both install stages share. better-sqlite3 compiles its native addon at install
# when no prebuilt binary matches; python3, make and g++ let it. npm 11, as in development:
# npm 10 (bundled with Node 20) ignores package.json's allowScripts and would run every
# dependency's install script, the denied ones included.
FROM node:20-bookworm-slim AS toolchain
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/* \
    && npm install -g npm@11.19.1 --no-audit --no-fund
WORKDIR /app
COPY package.json package-lock.json ./

# Compiles TypeScript, with the dev dependencies.
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build

# What the server runs on, native addon included, built once here. The package's own dependencies
# are few (its Nest, ORM and driver are the host's); the standalone server's HTTP adapters, drivers
# and logging are dev dependencies of the package. So: everything, then the dev dependencies that
# nothing in dist/ requires (the test, lint and build tools) are removed. TypeORM loads the
# drivers, Nest its default adapter, Swagger UI on Fastify @fastify/static: kept by name.
FROM build AS prod-deps
RUN node -e " \
      const fs = require('fs'), path = require('path'); \
      const used = new Set(['mysql2', 'pg', 'better-sqlite3', '@fastify/static', '@nestjs/platform-express', 'rxjs', 'reflect-metadata']); \
      const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => { \
        const p = path.join(d, e.name); \
        if (e.isDirectory()) return walk(p); \
        if (!p.endsWith('.js')) return; \
        for (const [, m] of fs.readFileSync(p, 'utf8').matchAll(/require\\(\"([^.\"][^\"]*)\"\\)/g)) \
          used.add(m.startsWith('@') ? m.split('/').slice(0, 2).join('/') : m.split('/')[0]); \
      }); \
      walk('dist'); \
      const dev = Object.keys(require('./package.json').devDependencies); \
      console.log(dev.filter((name) => !used.has(name)).join(' '));" > /tmp/dev-only \
    && npm uninstall --no-save --no-audit --no-fund $(cat /tmp/dev-only)

# No compiler, no npm cache, no dev dependencies. Code and dependencies stay owned by root, so
# the app (running as "node") cannot rewrite them; only data/ (the default SQLite file) is its.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3000
# Liveness only: a database or Redis outage must not get the container restarted. Node's fetch,
# as slim images have no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself as PID 1 (not `npm start`, which rebuilds first): `docker stop`'s SIGTERM reaches the
# app's graceful shutdown directly.
CMD ["node", "dist/main.js"]
