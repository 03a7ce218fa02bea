# One image for every service; docker-compose.yml picks the command (API, worker or migrations).
FROM python:3.11-slim AS build
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
RUN uv sync --frozen --all-packages --no-dev

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /app ar
WORKDIR /app
COPY --from=build --chown=ar /app /app
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1
USER ar
EXPOSE 8000
CMD ["python", "-c", "print('choose a command: uvicorn ar_<service>.main:create_app --factory, ar-<service>-worker, or alembic')"]
