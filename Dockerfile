# Multi-stage build: a static binary on a slim Debian with rsync (the
# fallback transport) and the CA certificates for RRDP over HTTPS.
#
#   docker build -t validator .                          # this machine's arch
#   docker buildx build --platform linux/amd64,linux/arm64 -t validator .
#
# Base images are pinned by the digest of their multi-arch index, so that a
# rebuild gets the same bytes whatever the tag points to later, on amd64 and
# arm64 alike. Both digests are the ones public Dockerfiles pin for the same
# tags (golang:1.26-bookworm, debian:bookworm-slim, 2026); the machine that
# wrote this file has no registry access to re-check them. To update one,
# read the "Digest:" line of
#   docker buildx imagetools inspect golang:1.26-bookworm
#   docker buildx imagetools inspect debian:bookworm-slim
# and replace it here (Dependabot and Renovate update tag@digest pins too).
# internal/deploycheck checks every FROM is pinned.

# The Go stage runs on the build machine's architecture and cross-compiles
# (CGO is off), so an arm64 image needs no emulation.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm@sha256:116d58cbd88c1297624acc6e967a060012422bacf9930927e23fb719189c6f36 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# VERSION empty: the module version and VCS revision come from the build
# information (`validator version`, /version).
ARG VERSION=
ARG TARGETOS=linux
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/validator ./cmd/validator

FROM debian:bookworm-slim@sha256:abd67ffcfa541b485a3dff59865ab629aa048a6c613e639d36e7456b0b229241
RUN apt-get update \
 && apt-get install -y --no-install-recommends rsync ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 validator \
 && useradd --system --uid 10001 --gid 10001 --home /var/lib/validator --create-home --shell /usr/sbin/nologin validator
COPY --from=build /out/validator /usr/local/bin/validator
# Numeric, so that Kubernetes' runAsNonRoot can check it without the
# image's passwd file.
USER 10001:10001
WORKDIR /var/lib/validator
VOLUME /var/lib/validator
# RTR, HTTP (API, metrics, status page).
EXPOSE 3323 8323
# Liveness of the daemon's HTTP listener; not /readyz, which stays 503 until
# the first validation run ends (minutes on a cold cache). A slim image has
# no curl: the binary probes itself. An `rtr` container needs
# `--http-listen :8323` for it (or `docker run --no-healthcheck`).
HEALTHCHECK --interval=30s --timeout=10s --start-period=1m --retries=3 CMD ["/usr/local/bin/validator", "healthcheck", "--url", "http://127.0.0.1:8323/healthz"]
ENTRYPOINT ["/usr/local/bin/validator"]
CMD ["run", "--cache", "/var/lib/validator/cache"]
