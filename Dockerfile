# syntax=docker/dockerfile:1
# sagegate where Lambda does not fit (ECS, EKS, any container host): the Node server (server/main.ts), bundled.
#   docker build -t sagegate .
#   docker run -p 8080:8080 -v "$PWD/sagegate.yaml:/config/sagegate.yaml:ro" -e SAGEGATE_CONFIG_FILE=/config/sagegate.yaml sagegate
# The config comes as a file (SAGEGATE_CONFIG_FILE) or as text (SAGEGATE_CONFIG_YAML); credentials from the
# task role (the AWS SDK's default provider chain). GET /ping and /health answer the load balancer.

# Build: every dependency, then one bundle (no TypeScript, no tsx at run time) and sharp for this platform.
FROM node:22-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY cli/package.json cli/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:server \
 && npm install --prefix /runtime --omit=dev --no-save --no-package-lock --no-audit --no-fund \
      "sharp@$(node -p "require('./node_modules/sharp/package.json').version")"

# Run: Node 22 and the bundle; sharp is the only package outside it (native, loaded when an image must change).
FROM node:22-slim
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HOST=0.0.0.0 \
    PORT=8080 \
    SAGEGATE_DRAIN_SECONDS=25
WORKDIR /app
COPY --from=build /runtime/node_modules ./node_modules
COPY --from=build /src/dist/server.mjs /src/dist/server.mjs.map ./dist/
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/ping`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: open answers may finish for SAGEGATE_DRAIN_SECONDS, then end with an error event.
CMD ["node", "dist/server.mjs"]
