# ConvLab's app: Streamlit on port 8501 with the CPU build of PyTorch.
#   docker build -t convlab .   &&   docker run -p 8501:8501 convlab      (or: docker compose up)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # glibc gives every thread its own malloc arena; Streamlit runs a thread per script run, so cap them
    MALLOC_ARENA_MAX=2
WORKDIR /app

COPY requirements.txt .
# PyPI's torch for Linux pulls several GB of CUDA packages: take the CPU build from PyTorch's own index first,
# then the rest (torch==2.13.0 in requirements.txt is satisfied by 2.13.0+cpu).
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install -r requirements.txt

COPY . .
# class sessions and stored models: SQLite in /data unless CONVLAB_DATABASE_URL names a PostgreSQL (docs/deploy.md)
ENV CONVLAB_DATA_DIR=/data
RUN useradd --create-home --uid 10001 convlab && chown -R convlab /app && mkdir -p /data && chown convlab /data
VOLUME /data
USER convlab

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"
# .streamlit/config.toml (copied with the app) holds the security settings; one process per container:
# Python runs one script at a time per process (the GIL), so scale with replicas, not threads.
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
