# One small runtime image for every app service (pick one with the compose `command`, e.g.
# ["cart/main.ts"]) and for migrations (dbmate is a production dependency). Only production
# dependencies: no Bun/Deno npm packages, buf, Biome, embedded Postgres or browsers; it runs as
# the image's unprivileged `bun` user; HEALTHCHECK asks the service's /readyz.
FROM node:22.23.2-bookworm-slim AS deps
WORKDIR /app
# patches/ before the install: its postinstall runs patch-package (a production dependency for
# exactly this reason), which applies them; see patches/README.md.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

FROM oven/bun:1.4.4-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY package.json tsconfig.json bunfig.toml ./
COPY gen ./gen
COPY platform ./platform
COPY cart ./cart
COPY loms ./loms
COPY notifications ./notifications
COPY product-mock ./product-mock
COPY sql ./sql
COPY scripts/healthcheck.ts ./scripts/healthcheck.ts
USER bun
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 CMD ["bun", "scripts/healthcheck.ts"]
ENTRYPOINT ["bun"]
