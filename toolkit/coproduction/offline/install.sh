#!/bin/sh
# Installs the co-production course from this folder, with no internet, and starts it.
#   sh install.sh              install into ~/co-production-course, then open JupyterLab
#   sh install.sh --app        the same, then open Module 1 as a page with the code hidden
#   sh install.sh --no-start   install only; start later with ~/co-production-course/start-course.sh
#   sh install.sh FOLDER       install somewhere else
# Running it again is safe: the trainee's own work in my-course/ is never overwritten.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON_WANTED="@PYTHON_VERSION@"
START=lab
TARGET="$HOME/co-production-course"
for arg in "$@"; do
  case "$arg" in
    --app) START=app ;;
    --no-start) START=none ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    -*) echo "install.sh: '$arg' is not an option this script knows (see sh install.sh --help)." >&2; exit 1 ;;
    *) TARGET="$arg" ;;
  esac
done

# This folder's wheels are for one Python version: find that Python on this computer.
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in "python$PYTHON_WANTED" python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
  done
fi
found=$("${PYTHON:-python3}" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ "$found" != "$PYTHON_WANTED" ]; then
  echo "This bundle needs Python $PYTHON_WANTED, and this computer has ${found:-no Python 3}." >&2
  echo "Install Python $PYTHON_WANTED, or make a bundle for the Python it has (coproduction bundle --python)." >&2
  exit 1
fi

# Only the wheels in this folder are used: no package index, no pip settings of this computer.
for name in $(env | sed -n 's/^\(PIP_[A-Z_]*\)=.*/\1/p'); do unset "$name"; done
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1

echo "Installing the course into $TARGET (a minute or two, no internet needed)..."
mkdir -p "$TARGET"
if ! "$PYTHON" -m venv "$TARGET/venv"; then
  echo "Python could not make a virtual environment. On Debian or Ubuntu, install python3-venv first." >&2
  exit 1
fi
"$TARGET/venv/bin/python" -m pip install --quiet --no-index --find-links "$HERE/wheels" coproduction-toolkit

# The course's own copy of the modules and the trainee's JupyterLab settings; the
# trainee works in my-course/, which is only ever topped up.
rm -rf "$TARGET/course.new"
cp -R "$HERE/course" "$TARGET/course.new"
rm -rf "$TARGET/course"
mv "$TARGET/course.new" "$TARGET/course"
"$TARGET/venv/bin/coproduction" workspace "$TARGET/my-course" --modules "$TARGET/course/modules"

cat > "$TARGET/start-course.sh" <<'START'
#!/bin/sh
# Starts the co-production course on this computer only (127.0.0.1). Ctrl+C stops it.
#   sh start-course.sh        JupyterLab at the course map (00-start-here)
#   sh start-course.sh app    Module 1 as a page with the code hidden (app 2 for Module 2)
#   Anything else is passed to JupyterLab, e.g. --no-browser.
set -eu
HOME_DIR=$(cd "$(dirname "$0")" && pwd)
BIN="$HOME_DIR/venv/bin"
if [ "${1:-}" = app ]; then
  exec "$BIN/coproduction" app "${2:-1}" --folder "$HOME_DIR/my-course" \
    --modules "$HOME_DIR/course/modules" --port "${PORT:-8866}"
fi
ROOT_OK=""
if [ "$(id -u)" = 0 ]; then ROOT_OK=--allow-root; fi
JUPYTER_CONFIG_PATH="$HOME_DIR/course/jupyterlab-trainee" exec "$BIN/jupyter" lab $ROOT_OK \
  --ServerApp.ip=127.0.0.1 --ServerApp.port="${PORT:-8888}" \
  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
  --LabApp.extension_manager=readonly --ServerApp.root_dir="$HOME_DIR/my-course" \
  --LabApp.default_url=/lab/tree/modules/00-start-here.ipynb "$@"
START
chmod +x "$TARGET/start-course.sh"
echo "Done. To start the course again later: sh $TARGET/start-course.sh"

case "$START" in
  lab) exec sh "$TARGET/start-course.sh" ;;
  app) exec sh "$TARGET/start-course.sh" app ;;
esac
