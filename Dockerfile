# haconsole image: web (Daphne, HTTPS on 2224), worker (Celery) and, later, the monitor.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HACONSOLE_DATA_DIR=/data
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN useradd --system --home /data haconsole && mkdir -p /data && chown haconsole /data
USER haconsole
VOLUME ["/data"]
EXPOSE 2224
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py collectstatic --noinput && python manage.py serve_https"]
