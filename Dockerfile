# Builds the samverkan binary; docker-compose.yml runs it against PostgreSQL.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p samverkan

FROM debian:bookworm-slim
RUN useradd --system --home-dir /var/lib/samverkan samverkan && mkdir -p /var/lib/samverkan && chown samverkan /var/lib/samverkan
COPY --from=build /src/target/release/samverkan /usr/local/bin/samverkan
USER samverkan
WORKDIR /var/lib/samverkan
ENV SAMVERKAN_BIND=0.0.0.0:8080 SAMVERKAN_DATA_DIR=/var/lib/samverkan
EXPOSE 8080
ENTRYPOINT ["samverkan"]
CMD ["serve"]
