# The mock (and `contracts`, the judge) as a container: bound to 0.0.0.0:8080 inside, run as a non-root
# user, the admin token taken from $LATEST_INTERACTIONS_ADMIN_TOKEN (a warning at start without it),
# a health check on /__admin/health, fixtures mountable (pass --fixtures /fixtures/yours.yaml).
#
#   podman build -t latest-interactions-mock .            # or docker build
#   podman run --rm -p 8080:8080 -e LATEST_INTERACTIONS_ADMIN_TOKEN=s3cret latest-interactions-mock
#   podman run --rm -v ./fixtures:/fixtures:ro -p 8080:8080 latest-interactions-mock --fixtures /fixtures/default.yaml
#   podman run --rm --entrypoint contracts latest-interactions-mock check --base-url http://host:8080/v0 --token ...
#
# BASE: any image with Python 3.11+ and its venv module (the default: Docker Hub's slim Python).
# Without network at build time, put the project's wheels in wheels/ first
# (`pip wheel --wheel-dir wheels .`): they are installed from there and nothing is downloaded.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/latest-interactions/bin:$PATH

COPY . /tmp/project
RUN python3 -m venv /opt/latest-interactions \
    && if [ -d /tmp/project/wheels ]; then \
         pip install --no-index --find-links /tmp/project/wheels latest-interactions-toolkit; \
       else \
         pip install /tmp/project; \
       fi \
    && rm -rf /tmp/project \
    && useradd --system --uid 10001 --create-home --home-dir /home/mock mock

USER mock
WORKDIR /home/mock
EXPOSE 8080
# The health check asks the health URL the mock wrote in its ready file, so it follows a --port given
# at run time; /__admin/health answers 200 whenever the mock serves (its status says "degraded"
# while a shared store is out of reach: public requests are still answered).
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import json, sys, urllib.request; url = json.load(open('/tmp/mock-ready.json'))['health_url']; sys.exit(urllib.request.urlopen(url, timeout=2).status != 200)"]
ENTRYPOINT ["mockserver", "run", "--host", "0.0.0.0", "--port", "8080", "--ready-file", "/tmp/mock-ready.json"]
