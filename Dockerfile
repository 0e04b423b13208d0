# One image with every executable; docker-compose.yml runs each as its own container. The build stage
# builds exactly what `make run` builds (scripts/run-system.sh: swift build -c release).
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      pkg-config libprotobuf-c-dev libsqlite3-dev zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --static-swift-stdlib \
      --product ingest --product detection --product alerting --product scheduling --product gateway \
 && bin="$(swift build -c release --show-bin-path)" && mkdir /out \
 && cp "$bin"/{ingest,detection,alerting,scheduling,gateway} /out/ \
 && cp -R "$bin"/PredictiveMaintenance_Gateway.resources /out/

# python3-plotly and python3-flasgger carry the dashboard's chart library and the API viewer, which the
# gateway serves from where Debian installs them.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libprotobuf-c1 libsqlite3-0 zlib1g ca-certificates curl python3-plotly python3-flasgger \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /data pm && mkdir -p /data && chown pm /data
COPY --from=build /out/ /usr/local/bin/
USER pm
WORKDIR /data
ENV PM_DATA_DIR=/data
