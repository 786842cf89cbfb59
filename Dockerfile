# syntax=docker/dockerfile:1
# Not built on the project's own machines (no Docker engine there); see "On Kubernetes" in the README.

# --- build: compile TypeScript with the dev dependencies ---
FROM node:24-slim AS build
WORKDIR /src
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
RUN npx tsc -p tsconfig.json

# --- runtime: production dependencies and the compiled sources only ---
FROM node:24-slim
LABEL org.opencontainers.image.title="genesys-webhook-sidecar" \
      org.opencontainers.image.description="Verifies, validates and de-duplicates Genesys Cloud webhooks before the app sees them" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/src ./dist/src
# The image's own unprivileged user (uid 1000); a pod's securityContext can pin runAsUser to match.
USER node
EXPOSE 8080 9090
# Exec form, so that node itself is PID 1 and receives SIGTERM from the kubelet.
ENTRYPOINT ["node", "dist/src/cli/main.js"]
