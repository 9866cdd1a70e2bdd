# sluice-broker image: built from this repository on Debian 12 with Debian's packages only
# (the same scripts/setup.sh the local commands use). Configure it with SLUICE_* variables,
# e.g. SLUICE_BROKER_ID, SLUICE_ZOOKEEPER_CONNECT, SLUICE_LISTENERS (see docs/configuration.md).
FROM debian:bookworm AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      g++ cmake ninja-build pkg-config libboost-dev libboost-log-dev libboost-program-options-dev \
      libzookeeper-mt-dev nlohmann-json3-dev libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev \
      libssl-dev libcli11-dev ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF \
      -DSLUICE_BUILD_BENCH=OFF && cmake --build /build --target sluice-broker sluice

FROM debian:bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      libboost-log1.74.0 libboost-program-options1.74.0 libzookeeper-mt2 libzstd1 liblz4-1 \
      libsnappy1v5 zlib1g libssl3 && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/sluice sluice && mkdir -p /var/lib/sluice/data \
    && chown -R sluice /var/lib/sluice
COPY --from=build /build/broker/sluice-broker /usr/local/bin/sluice-broker
# The CLI too, so `docker compose exec broker-1 sluice topic list` works inside the network.
COPY --from=build /build/tools/sluice /usr/local/bin/sluice
USER sluice
ENV SLUICE_LOG_DIRS=/var/lib/sluice/data
VOLUME /var/lib/sluice/data
EXPOSE 9092
ENTRYPOINT ["/usr/local/bin/sluice-broker"]
