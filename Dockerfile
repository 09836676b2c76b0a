# gopy container image.
#
#   docker build -t gopy .
#   docker run -p 8080:8080 -v gopydata:/var/lib/gopy gopy
#
# The askama templates (frontend/templates), the static assets and the data/
# reference files are compiled into the binary, so the runtime image only
# carries the binary, CA certificates (outgoing TLS: SMTP, PostgreSQL, S3) and
# curl for the HEALTHCHECK. State (SQLite database, search index, uploaded
# files, mail outbox) lives in /var/lib/gopy; set DATABASE_URL to use
# PostgreSQL instead of the SQLite file (see docker-compose.yml).

# ---------------------------------------------------------------------------
# Build stage
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# The cache mounts keep crates.io downloads and compiled dependencies between
# builds (BuildKit, the default builder of Docker and Compose); the binary is
# copied out of the cached target dir so the next stage can use it.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked -p gopy \
 && install -D -m 0755 target/release/gopy /out/gopy

# ---------------------------------------------------------------------------
# Runtime stage
FROM debian:bookworm-slim AS runtime

LABEL org.opencontainers.image.title="gopy" \
      org.opencontainers.image.description="Citizen feedback and public consultation platform for Vietnamese cities" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"

# Unpinned on purpose: take bookworm's current security fixes at build time.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 gopy \
 && useradd --system --uid 10001 --gid gopy --home-dir /var/lib/gopy \
      --no-create-home --shell /usr/sbin/nologin gopy \
 && install -d -o gopy -g gopy -m 0750 /var/lib/gopy

COPY --from=build /out/gopy /usr/local/bin/gopy

ENV RUST_LOG=info
USER 10001:10001
WORKDIR /var/lib/gopy
VOLUME ["/var/lib/gopy"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["curl", "--fail", "--silent", "--show-error", "--max-time", "4", "http://127.0.0.1:8080/healthz"]

ENTRYPOINT ["/usr/local/bin/gopy"]
CMD ["serve", "--listen", "0.0.0.0:8080", "--data-dir", "/var/lib/gopy"]
