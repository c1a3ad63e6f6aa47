# Multi-stage build: a static binary on a slim Debian with rsync (the
# fallback transport) and the CA certificates for RRDP over HTTPS.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/validator ./cmd/validator

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends rsync ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/validator --create-home --uid 10001 validator
COPY --from=build /out/validator /usr/local/bin/validator
USER validator
WORKDIR /var/lib/validator
VOLUME /var/lib/validator
# RTR, HTTP (API, metrics, status page).
EXPOSE 3323 8323
ENTRYPOINT ["/usr/local/bin/validator"]
CMD ["run", "--cache", "/var/lib/validator/cache"]
