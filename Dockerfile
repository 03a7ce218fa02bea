# One image for every service; docker-compose.yml picks each container's command:
#   API      uvicorn ar_<service>.main:create_app --factory --host 0.0.0.0 --port 8000
#   worker   ar-<service>-worker
#   migrate  alembic -c services/<service>/alembic.ini upgrade head   (as the schema owner)
# Health checks live in docker-compose.yml: they differ between API and worker.

FROM python:3.11-slim AS build
# uv from PyPI: needs nothing but the Python package index
RUN pip install --no-cache-dir --disable-pip-version-check uv
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
WORKDIR /app
# third-party dependencies first: this layer is rebuilt only when the lock changes
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --all-packages --no-dev --no-install-workspace
# then the workspace's own packages (installed editable: they stay where alembic.ini expects them)
COPY libs ./libs
COPY services ./services
RUN uv sync --frozen --all-packages --no-dev \
    && python -m compileall -q libs/shared/src services/*/src

FROM python:3.11-slim
# the code belongs to root and is only readable by the service user: a compromised process
# cannot rewrite it
RUN useradd --system --uid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin ar
WORKDIR /app
COPY --from=build /app /app
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1
USER ar
EXPOSE 8000
CMD ["python", "-c", "import sys; sys.exit('choose a command: uvicorn ar_<service>.main:create_app --factory, ar-<service>-worker, or alembic -c services/<service>/alembic.ini upgrade head')"]
