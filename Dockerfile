# Layerlab in a container: the same installer as the README's first command, with the data cache
# converted and the numba kernels compiled at build time, so the first click on play never waits.
#   docker build -t layerlab .
#   docker run --rm -p 8000:8000 layerlab        then open http://127.0.0.1:8000
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY scripts scripts
COPY data/package.json data/package-lock.json data/
COPY web web
COPY engine engine
COPY server server

# setup.sh installs the Debian data package, the Python and npm packages, converts the data cache
# and warms the numba cache (kernels cached next to their sources under /app/engine).
ENV LAYERLAB_VENV=/opt/venv PATH=/opt/venv/bin:$PATH
RUN bash scripts/setup.sh install && rm -rf /root/.cache/pip /root/.npm

EXPOSE 8000
# The server listens on all interfaces inside the container; add the address you browse from to
# LAYERLAB_ALLOWED_ORIGINS when it is not localhost.
CMD ["layerlab", "serve", "--host", "0.0.0.0", "--port", "8000"]
