# Two images from one file, for compose.yaml and deploy/k8s (not built in CI yet; see README "Production").
#   docker build --target app  -t council-assistant-app .   # API: back office, hub, web chat, console
#   docker build --target rasa -t council-assistant-rasa .  # Rasa server and the action server
# Train the model first (make model): the rasa image copies models/ and bot/nlp/ as they are.
FROM python:3.11-slim AS app
WORKDIR /srv/council-assistant
COPY requirements/app.txt requirements/app.txt
RUN pip install --no-cache-dir -r requirements/app.txt
COPY alembic.ini ./
COPY api api
COPY council council
# the log policy the API shares with Rasa and the actions (privacy filter, request ids, JSON lines)
COPY bot/__init__.py bot/__init__.py
COPY bot/privacy/__init__.py bot/privacy/logs.py bot/privacy/logging.yml bot/privacy/logging-json.yml bot/privacy/
ENV PYTHONUNBUFFERED=1
USER nobody
EXPOSE 8000

FROM python:3.11-slim AS rasa
WORKDIR /srv/council-assistant
COPY requirements/rasa.txt requirements/rasa.txt
# Rasa 3.6.21 declares Python <3.11 but runs on 3.11 (scripts/bootstrap.sh does the same)
RUN pip install --no-cache-dir -r requirements/rasa.txt \
 && pip install --no-cache-dir --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2
COPY config.yml credentials.yml endpoints.yml ./
COPY bot bot
COPY council council
COPY knowledge knowledge
COPY deploy/rasa deploy/rasa
COPY models models
ENV PYTHONUNBUFFERED=1 RASA_TELEMETRY_ENABLED=false
USER nobody
EXPOSE 5005 5055
