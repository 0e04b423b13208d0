# One image with every executable; docker-compose.yml runs each as its own container.
FROM swift:6.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      pkg-config libprotobuf-c-dev libsqlite3-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --static-swift-stdlib \
      --product ingest --product detection --product alerting --product scheduling --product gateway \
 && mkdir /out && cp "$(swift build -c release --show-bin-path)"/{ingest,detection,alerting,scheduling,gateway} /out/

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libprotobuf-c1 libsqlite3-0 ca-certificates curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /data pm && mkdir -p /data && chown pm /data
COPY --from=build /out/ /usr/local/bin/
USER pm
WORKDIR /data
ENV PM_DATA_DIR=/data
