# tanyaberita — container image (see docs/deploy.md).
#
#   docker build -t tanyaberita .
#   docker run -d --name tanyaberita --env-file .env -v tanyaberita-data:/data tanyaberita
#   docker run ... -p 127.0.0.1:8443:8443 tanyaberita serve --webhook   # behind a TLS proxy
#
# Settings come from the environment (.env.example lists them all). The SQLite store lives in
# the /data volume unless DATABASE_URL points to PostgreSQL.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY index ./index
COPY content ./content
RUN python -m venv /opt/tanyaberita \
    && /opt/tanyaberita/bin/pip install . \
    && /opt/tanyaberita/bin/python -m compileall -q /opt/tanyaberita/lib

FROM python:3.11-slim
RUN groupadd --system --gid 10001 tanyaberita \
    && useradd --system --uid 10001 --gid tanyaberita --home-dir /data --no-create-home tanyaberita \
    && mkdir /data && chown tanyaberita:tanyaberita /data
COPY --from=build /opt/tanyaberita /opt/tanyaberita
COPY content /app/content
ENV PATH=/opt/tanyaberita/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    CONTENT_DIR=/app/content \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8443 \
    HEALTH_LISTEN=0.0.0.0 \
    HEALTH_PORT=8081
USER tanyaberita
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8443 8081
# 200 while the bot runs, 503 while it starts or drains (bot/health.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/healthz', timeout=4)"]
# SIGTERM (docker stop) lets answers in flight finish; give it time: docker stop -t 30.
STOPSIGNAL SIGTERM
ENTRYPOINT ["tanyaberita"]
CMD ["serve"]
