#!/usr/bin/env bash
# Start the Relais demo: X sandbox, Celery worker and beat (started again if they stop), web server. Ctrl-C
# stops everything.
# Embedded default: SQLite under var/demo and kombu's filesystem broker; set DATABASE_URL/REDIS_URL to use
# PostgreSQL and Redis instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${DEMO_PORT:-8000}
X_PORT=${DEMO_X_PORT:-8765}
export DEBUG=1
export RELAIS_VAR_DIR=${RELAIS_VAR_DIR:-$PWD/var/demo}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}
export X_API_BASE_URL=${X_API_BASE_URL:-http://127.0.0.1:$X_PORT}
export X_AUTHORIZE_URL=${X_AUTHORIZE_URL:-http://127.0.0.1:$X_PORT/i/oauth2/authorize}
export X_CLIENT_ID=${X_CLIENT_ID:-relais-sandbox-client}
export X_CLIENT_SECRET=${X_CLIENT_SECRET:-relais-sandbox-secret}
export EMAIL_URL=${EMAIL_URL:-console://}
# Push delivery (X Activity API): the sandbox signs deliveries with the app's secret, and the app-only
# token manages the webhook; the webhook is registered below, once the portal answers its CRC challenge.
export X_CONSUMER_SECRET=${X_CONSUMER_SECRET:-$X_CLIENT_SECRET}
export X_APP_BEARER_TOKEN=${X_APP_BEARER_TOKEN:-relais-sandbox-app-token}
# Inbound capture: poll every minute in the demo (production default 5), so a sandbox client's mention
# reaches the adviser's timeline within a minute.
export INBOUND_POLL_MINUTES=${INBOUND_POLL_MINUTES:-1}
# Every reply sent from Relais enters compliance's supervision queue in the demo (production default 10 %),
# so the demo's answer to the scripted client is there to review.
export SUPERVISION_SAMPLE_PERCENT=${SUPERVISION_SAMPLE_PERCENT:-100}
# The default holds braces, so it goes through a variable: inside ${VAR:-…} the first "}" would close the
# expansion and add a stray "}" to any template passed in.
default_post_url_template="http://127.0.0.1:$X_PORT/timeline/{username}"
export X_POST_URL_TEMPLATE="${X_POST_URL_TEMPLATE:-$default_post_url_template}"
# HR's reach page counts a job offer's audience exactly up to this raw sum of followers (production default
# 200,000): the demo's three sharers of the Lyon offer have 90 follows between them, so a low threshold shows
# the HyperLogLog estimate with its error ("≈ 54 ± 0.81 %") as a bank-sized offer would.
export AUDIENCE_EXACT_MAX_FOLLOWERS=${AUDIENCE_EXACT_MAX_FOLLOWERS:-50}
# Post metrics: the demo's posts get their first read two minutes after publication, a beat round every
# minute (production: an hour after, every 15 minutes), so the adviser's results and the manager's team page
# show impressions and likes a few minutes after the start; as in production a post is read at most once a
# UTC day (X bills it so), so the next reads come on the following days.
export POST_METRICS_SCHEDULE=${POST_METRICS_SCHEDULE:-1d=2m,7d=6h,30d=1d}
export POST_METRICS_POLL_MINUTES=${POST_METRICS_POLL_MINUTES:-1}
export RELAIS_BANK_NAME=${RELAIS_BANK_NAME:-Banque Exemple}
# Staff addresses and invitations stay in the demo bank's domain (README, INVITE_ALLOWED_EMAIL_DOMAINS).
export INVITE_ALLOWED_EMAIL_DOMAINS=${INVITE_ALLOWED_EMAIL_DOMAINS:-demo.relais.test}
mkdir -p "$RELAIS_VAR_DIR"

pids=()
cleanup() { trap - EXIT INT TERM; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== Relais demo portal: http://127.0.0.1:$PORT/ (starting)"
if [ -d advocacy/xsandbox ]; then
  echo "== Starting the X sandbox (port $X_PORT)"
  $PY -m advocacy.xsandbox --host 127.0.0.1 --port "$X_PORT" --state-file "$RELAIS_VAR_DIR/xsandbox.json" \
    --client-id "$X_CLIENT_ID" --client-secret "$X_CLIENT_SECRET" &
  pids+=($!)
fi

echo "== Preparing the database"
$PY manage.py migrate --no-input -v 0
$PY manage.py seed_demo


# keep_running NAME COMMAND...: run COMMAND again whenever it exits, after a pause that doubles up to 30 s
# (back to 1 s once it has run for a minute), so that a failing worker does not take the portal and the
# sandbox down with it. Beat runs on its own (not the worker's -B): a worker killed outright would leave its
# embedded beat behind, and the restarted worker would start a second one.
keep_running() {
  local name=$1 child="" pause=1 started status
  shift
  trap '[ -n "$child" ] && kill "$child" 2>/dev/null; wait 2>/dev/null; exit 0' INT TERM
  while true; do
    started=$SECONDS
    "$@" &
    child=$!
    status=0
    wait "$child" || status=$?
    if (( SECONDS - started >= 60 )); then pause=1; fi
    echo "== The $name stopped (exit status $status); starting it again in ${pause} s" >&2
    sleep "$pause" &  # in the background, so that a stop (TERM) is not held up by the pause
    child=$!
    wait "$child" || true
    pause=$(( pause * 2 > 30 ? 30 : pause * 2 ))
  done
}
echo "== Starting the web server"
.venv/bin/gunicorn advocacy.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --threads 4 \
  --access-logfile - --log-level warning &
pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" 2>/dev/null && break
  sleep 0.5
done

# The portal answers now: register its webhook with the sandbox (X checks it with a CRC challenge), so that
# the worker subscribes the connected advisers and the sandbox pushes their activity.
if [ -z "${X_WEBHOOK_ID:-}" ] && webhook_id=$($PY manage.py register_x_webhook "$PUBLIC_BASE_URL/x/webhook"); then
  export X_WEBHOOK_ID=$webhook_id
  echo "== X webhook registered with the sandbox (X_WEBHOOK_ID=$X_WEBHOOK_ID)"
fi

echo "== Starting a Celery worker and beat"
keep_running "Celery worker" .venv/bin/celery -A advocacy worker -Q default,publishing,polling -c 2 \
  --loglevel=WARNING &
pids+=($!)
keep_running "Celery beat" .venv/bin/celery -A advocacy beat --loglevel=WARNING \
  -s "$RELAIS_VAR_DIR/celerybeat-schedule" &
pids+=($!)

# Subscribe the connected demo adviser now (each capture round does it too), then the scripted sandbox client
# follows and replies to them: pushed to the webhook, it is in the adviser's "My relationships" within
# seconds (without push, the next polling round brings the reply).
$PY manage.py sync_x_subscriptions || echo "== Subscribing failed; the next capture round will" >&2
$PY manage.py demo_client_activity || true
# Demo only: the demo posts' audience grows on the sandbox (impressions and likes raised through its control
# route every DEMO_ACTIVITY_SECONDS), for the beat's real metrics reader to read through the X API.
if [ -d advocacy/xsandbox ]; then
  keep_running "demo post activity" $PY manage.py demo_post_activity --every "${DEMO_ACTIVITY_SECONDS:-60}" &
  pids+=($!)
fi

cat <<MSG

  Relais demo is running: http://127.0.0.1:$PORT/
  X sandbox (timelines):  port $X_PORT, http://localhost:$X_PORT/
  Sign in with the demo accounts listed above (password: relais-demo).
  Press Ctrl-C to stop.

MSG
# Only the web server or the sandbox ending stops the demo (the worker is restarted above).
status=0
wait -n "${pids[@]}" || status=$?
echo "== A demo process stopped (exit status $status); stopping the demo" >&2
exit "$status"
