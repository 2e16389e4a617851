# One production image per service of the platform, all from this file (docs/images.md):
#
#   docker build --build-arg SERVICE=order -t ghcr.io/example/jetstream-platform/order:0.1.0 .
#
# SERVICE is one of: order, payment, inventory, notification, analytics, loyalty (default order).
# Every image holds all six built services and the compiled provisioner (tools/dist/provision.js,
# from tools/provision.ts), so the provisioning Job runs `node tools/dist/provision.js` with the
# order image.
#
# Plain Dockerfile syntax (no BuildKit-only features): builds with docker, buildah/podman, kaniko.

# Pinned base image (Node 20.19.x on Debian bookworm, slim). For fully reproducible builds pin the
# digest too: --build-arg NODE_IMAGE=node:20.19-bookworm-slim@sha256:<digest>
ARG NODE_IMAGE=node:20.19-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: install all dependencies, compile every lib and app, then drop the dev dependencies.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Manifests first: this layer (and `npm ci`) is reused until a package.json or the lock changes.
COPY package.json package-lock.json ./
COPY libs/events/package.json libs/events/
COPY libs/contracts/package.json libs/contracts/
COPY libs/events-ops/package.json libs/events-ops/
COPY libs/service-kit/package.json libs/service-kit/
COPY apps/order/package.json apps/order/
COPY apps/payment/package.json apps/payment/
COPY apps/inventory/package.json apps/inventory/
COPY apps/notification/package.json apps/notification/
COPY apps/analytics/package.json apps/analytics/
COPY apps/loyalty/package.json apps/loyalty/
# Exactly what the lock file pins; links the workspaces as node_modules/@platform/*.
# --ignore-scripts: only dev tools (nx, esbuild) have install scripts, and the build needs neither.
RUN npm ci --ignore-scripts

# Sources, then the TypeScript project build (libs/*/dist, apps/*/dist and tools/dist: the
# provisioner, tools/provision.ts with the tools/lib files it imports, per tools/tsconfig.build.json).
COPY tsconfig.base.json tsconfig.json ./
COPY libs/ libs/
COPY apps/ apps/
COPY tools/tsconfig.build.json tools/provision.ts tools/
COPY tools/lib/ tools/lib/
RUN npx tsc -b tsconfig.json \
 && for service in order payment inventory notification analytics loyalty; do \
      test -f "apps/$service/dist/main.js" || { echo "missing apps/$service/dist/main.js" >&2; exit 1; }; \
    done \
 && { test -f tools/dist/provision.js || { echo "missing tools/dist/provision.js" >&2; exit 1; }; }

# Production dependencies only (the @platform/* workspace links stay).
RUN npm prune --omit=dev --ignore-scripts

# ---------------------------------------------------------------------------------------------
# runtime: production node_modules, the built libs and apps, tools/dist. Non-root,
# nothing written outside /tmp (read-only root filesystem).
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# DATA_DIR: the embedded PGlite database when DATABASE_URL is unset; /tmp must be writable
# (Kubernetes: an emptyDir at /tmp). HOST: listen on all interfaces.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/tmp/data
WORKDIR /app

COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/libs/events/package.json libs/events/
COPY --from=build /app/libs/events/dist/ libs/events/dist/
COPY --from=build /app/libs/contracts/package.json libs/contracts/
COPY --from=build /app/libs/contracts/dist/ libs/contracts/dist/
COPY --from=build /app/libs/events-ops/package.json libs/events-ops/
COPY --from=build /app/libs/events-ops/dist/ libs/events-ops/dist/
COPY --from=build /app/libs/service-kit/package.json libs/service-kit/
COPY --from=build /app/libs/service-kit/dist/ libs/service-kit/dist/
COPY --from=build /app/apps/order/package.json apps/order/
COPY --from=build /app/apps/order/dist/ apps/order/dist/
COPY --from=build /app/apps/payment/package.json apps/payment/
COPY --from=build /app/apps/payment/dist/ apps/payment/dist/
COPY --from=build /app/apps/inventory/package.json apps/inventory/
COPY --from=build /app/apps/inventory/dist/ apps/inventory/dist/
COPY --from=build /app/apps/notification/package.json apps/notification/
COPY --from=build /app/apps/notification/dist/ apps/notification/dist/
COPY --from=build /app/apps/analytics/package.json apps/analytics/
COPY --from=build /app/apps/analytics/dist/ apps/analytics/dist/
COPY --from=build /app/apps/loyalty/package.json apps/loyalty/
COPY --from=build /app/apps/loyalty/dist/ apps/loyalty/dist/
# Applies the JetStream topology (node tools/dist/provision.js): plain JavaScript compiled from
# tools/provision.ts, no TypeScript loader; imports @nats-io/jetstream and the built @platform/events,
# @platform/contracts and @platform/events-ops. ES modules: /app/package.json (copied above) says
# "type": "module" for every .js below /app that has no package.json of its own, tools/dist included.
COPY --from=build /app/tools/dist/ tools/dist/

# SERVICE is declared this late so that the six images share every layer above.
ARG SERVICE=order
ENV SERVICE=${SERVICE}
# Fail the build on an unknown SERVICE; /app/main.js is the selected service's entry point
# (Node follows the link, so its relative imports resolve inside apps/$SERVICE/dist).
RUN case "$SERVICE" in \
      order|payment|inventory|notification|analytics|loyalty) ;; \
      *) echo "unknown SERVICE '$SERVICE' (order, payment, inventory, notification, analytics, loyalty)" >&2; exit 1 ;; \
    esac \
 && ln -s "apps/$SERVICE/dist/main.js" /app/main.js

# The official image's `node` user. Everything under /app stays owned by root: read-only to it.
USER 1000:1000

# order 3000, payment 3001, inventory 3002, notification 3003, analytics 3004, loyalty 3005
# (each service's default PORT; override with -e PORT=...).
EXPOSE 3000-3005

# Liveness over HTTP with node's fetch (no curl in slim images): PORT if set, else the service's
# default port. Kubernetes ignores this and uses the Deployments' probes (same path).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const d={order:3000,payment:3001,inventory:3002,notification:3003,analytics:3004,loyalty:3005};const p=process.env.PORT||d[process.env.SERVICE]||3000;fetch('http://127.0.0.1:'+p+'/health/live',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# node is PID 1 (the base image's entrypoint execs it) and gets SIGTERM directly: the service
# drains (not ready, HTTP closed, consumers, storage) and exits within SHUTDOWN_TIMEOUT_MS.
# Other programs of the image: `node tools/dist/provision.js`, `node apps/analytics/dist/replay.main.js`.
CMD ["node", "/app/main.js"]
