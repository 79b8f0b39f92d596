#!/usr/bin/env bash
# Make the project's two Python environments if they are missing, and link them into .venv/.
# Each lives under ~/.cache/council-assistant/envs, keyed by a hash of its pinned requirements, so a
# changed pin builds a new environment and an unchanged one is reused (by later runs and by CI).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
CACHE=${CA_ENV_CACHE:-$HOME/.cache/council-assistant/envs}
mkdir -p "$CACHE" .venv
# One build at a time: a second `make` started while an environment is being built (another checkout, a
# second terminal) waits here instead of deleting the half-built environment and starting again.
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
  echo "==> another checkout is building the environments; waiting for it to finish"
  flock 9
fi

key() { cat "$@" | sha256sum | cut -c1-12; }

make_env() {  # name, requirement file(s) hashed, install command
  local name=$1 dir=$2; shift 2
  if [ -x "$dir/bin/python" ] && [ -f "$dir/.complete" ]; then
    ln -sfn "$dir" ".venv/$name"; return
  fi
  echo "==> building the $name environment in $dir (first time only; a progress bar follows)"
  rm -rf "$dir"
  "$PYTHON" -m venv "$dir"
  "$dir/bin/pip" install --quiet --upgrade "pip==24.3.1"
  "$@" "$dir"
  touch "$dir/.complete"
  ln -sfn "$dir" ".venv/$name"
  echo "==> $name environment ready"
}

install_app() {
  "$1/bin/pip" install --progress-bar on -r requirements/app.txt 2>&1 | grep -vE '^Requirement already|is ignored: it is neither' || true
  # pipefail would hide a failed install behind grep: check the result instead
  "$1/bin/python" -c "import fastapi, sqlalchemy, telegram, playwright" 
}

install_rasa() {
  # Rasa 3.6.21 declares Python <3.11 but runs on 3.11: its dependencies first, with 3.10-equivalent
  # pins (requirements/rasa.txt), then rasa and rasa-sdk themselves without dependency resolution.
  "$1/bin/pip" install --progress-bar on -r requirements/rasa.txt 2>&1 | grep -vE '^Requirement already|is ignored: it is neither' || true
  "$1/bin/pip" install --quiet --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2
  "$1/bin/python" -c "import rasa, rasa_sdk, spacy, tensorflow" 2>/dev/null
}

targets=${*:-app rasa}
for target in $targets; do
  case $target in
    app)  make_env app "$CACHE/app-$(key requirements/app.txt)" install_app ;;
    rasa) make_env rasa "$CACHE/rasa-$(key requirements/rasa.txt)" install_rasa ;;
    *) echo "unknown environment: $target" >&2; exit 2 ;;
  esac
done
