# APC Desk in a container: the second route to production (README, "Deployment"), beside the
# systemd units. UNTESTED: the machine this was written on has no container engine; the
# systemd route is the one tests/test_production_stack.py proves.
#
#   docker build -t apc-desk .
#   docker compose up -d          (compose.yaml: PostgreSQL, two app servers, nginx)

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
# Every package from the lock, checked against its hash; then the tool itself, without
# dependencies (its build backend, hatchling, comes at the version pyproject.toml pins).
COPY requirements.txt /src/requirements.txt
RUN python3 -m venv /opt/apc-desk/venv \
 && /opt/apc-desk/venv/bin/pip install --no-cache-dir --require-hashes -r /src/requirements.txt
COPY . /src
RUN /opt/apc-desk/venv/bin/pip install --no-cache-dir --no-deps /src

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/apc-desk --shell /usr/sbin/nologin apc-desk
COPY --from=build /opt/apc-desk/venv /opt/apc-desk/venv
USER apc-desk
ENV PATH=/opt/apc-desk/venv/bin:$PATH HOME=/var/lib/apc-desk PYTHONUNBUFFERED=1
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/readyz', timeout=4)"]
# Listens on all of the container's addresses: only nginx, on the compose network, reaches it.
CMD ["apc", "serve", "--port", "8501", "--address", "0.0.0.0"]
