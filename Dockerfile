# The aggregator service: docker compose up -d (see docker-compose.yml)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AGGREGATOR_CONFIG=/config/sources.yaml \
    AGGREGATOR_DB=/data/aggregator.db \
    AGGREGATOR_HOST=0.0.0.0 \
    AGGREGATOR_PORT=8080

# Pango and a font with umlauts for WeasyPrint, which renders the press review as PDF
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The dependencies in a layer of their own, built from pyproject.toml alone (with a
# stand-in package for its version): a change of the code does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir aggregator && echo '__version__ = "0"' > aggregator/__init__.py \
 && pip install --no-cache-dir . && pip uninstall -y -q jobcenter-aggregator \
 && rm -rf aggregator build
COPY aggregator ./aggregator
RUN pip install --no-cache-dir --no-deps . \
 && useradd --system --uid 10001 --home-dir /data aggregator \
 && mkdir -p /data /config \
 && chown aggregator /data
COPY sources.yaml /config/sources.yaml

USER aggregator
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"
STOPSIGNAL SIGTERM
CMD ["aggregator", "run", "--log-format", "json"]
