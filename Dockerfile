# syntax=docker/dockerfile:1
# Builds the samverkan binary; docker-compose.yml runs replicas of it against PostgreSQL.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# The registry and target folders are cache mounts: after an edit to the sources only the
# workspace's own crates are compiled again, not the ~400 dependencies.
# `--release` skips cross-crate LTO (`dist` has it): a rebuild after an edit takes ~6.5 min
# on two cores rather than 10-17.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p samverkan \
    && cp target/release/samverkan /usr/local/bin/samverkan

FROM debian:bookworm-slim
# CA roots for identity providers' JWKS URLs (and a municipal CA added to this image).
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/samverkan samverkan \
    && mkdir -p /var/lib/samverkan && chown samverkan /var/lib/samverkan
COPY --from=build /usr/local/bin/samverkan /usr/local/bin/samverkan
USER samverkan
WORKDIR /var/lib/samverkan
ENV SAMVERKAN_BIND=0.0.0.0:8080 SAMVERKAN_DATA_DIR=/var/lib/samverkan
EXPOSE 8080 9464
# The slim image has no curl: the binary checks its own readiness.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 CMD ["samverkan", "healthcheck"]
ENTRYPOINT ["samverkan"]
CMD ["serve"]
