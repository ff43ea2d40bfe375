# One image for all four services (choose with the compose `command`, e.g. ["cart/main.ts"]),
# also used for migrations (dbmate ships in node_modules).
# Dependencies are installed with npm from package-lock.json, as on a developer machine.
FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund

FROM oven/bun:1.4.4-debian
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json bunfig.toml ./
COPY gen ./gen
COPY platform ./platform
COPY cart ./cart
COPY loms ./loms
COPY product-mock ./product-mock
COPY sql ./sql
ENTRYPOINT ["bun"]
