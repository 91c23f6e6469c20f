#!/usr/bin/env bash
# Installs YiChuang from this offline bundle, with no network (政务外网): checks the bundle, the
# Debian packages (installed from debs/ when the bundle carries them, else named), makes a venv,
# `pip install --no-index` from wheels/, and checks a hall file. scripts/bundle.py copies this
# file into each bundle as install.sh; docs/deploy/offline.md is the guide.
#   ./install.sh [--prefix DIR] [--extras server,hardware] [--hall FILE] [--no-system|--system-only]
# PYTHON=/usr/bin/python3.11 picks the interpreter (it must be the bundle's Python version);
# APT_SIMULATE=1 shows what apt would install from the bundle, and installs nothing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=/dev/null
. "$here/bundle.env"
prefix=/opt/yichuang
extras=$BUNDLE_EXTRAS
hall=
system=1
die() { echo "install.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) prefix=${2:?--prefix DIR}; shift 2 ;;
    --extras) extras=${2:?--extras LIST}; shift 2 ;;
    --hall) hall=${2:?--hall FILE}; shift 2 ;;
    --no-system) system=0; shift ;;
    --system-only) system=only; shift ;;
    -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
for extra in ${extras//,/ }; do
  [[ ",$BUNDLE_EXTRAS," == *",$extra,"* ]] ||
    die "this bundle holds the extras $BUNDLE_EXTRAS, not $extra (make bundle BUNDLE_ARGS=\"--extras …\")"
done
py=${PYTHON:-python3}
venv=$prefix/.venv  # the path the systemd units in deploy/ name

echo "== YiChuang $BUNDLE_VERSION from $here"
# a copy carried on a USB stick or through a gateway can arrive cut short
(cd "$here" && sha256sum --quiet --check SHA256SUMS) ||
  die "the bundle is damaged (SHA256SUMS does not match): copy it again"

if [ "$system" != 0 ] && ! command -v dpkg-query >/dev/null; then
  echo "== not a Debian system: install the equivalents of $(tr '\n' ' ' <"$here/debs.txt")"
elif [ "$system" != 0 ]; then
  missing=()
  while read -r pkg; do
    [ -n "$pkg" ] || continue
    dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed ||
      missing+=("$pkg")
  done <"$here/debs.txt"
  if [ ${#missing[@]} -eq 0 ]; then
    echo "== Debian packages: all present"
  elif [ -f "$here/debs/Packages" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== Debian packages: installing ${missing[*]} from the bundle"
    # The bundle's debs/ as the only apt source, with lists and cache of its own: apt picks
    # what is missing (one alternative of each "a | b") and the machine's apt state stays as it is.
    apt_dir=$(mktemp -d)
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/parts"
    echo "deb [trusted=yes] file:$here/debs ./" >"$apt_dir/bundle.list"
    apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/bundle.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
      -o APT::Sandbox::User=root)
    apt-get "${apt_opts[@]}" update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -q \
      --no-install-recommends ${APT_SIMULATE:+--simulate} "${missing[@]}"
    rm -rf "$apt_dir"
  elif [ -f "$here/debs/Packages" ]; then
    echo "== Debian packages missing: ${missing[*]}; run install.sh as root to install them"
    echo "   from the bundle (the server runs without them; kiosk, pad and display PCs need them)"
  else
    echo "== Debian packages missing: ${missing[*]}"
    echo "   the server runs without them; kiosk, pad and display PCs need them. Install with"
    echo "   (from the hall's own apt mirror, or a bundle built with make bundle BUNDLE_ARGS=--debs):"
    echo "   sudo apt-get install --no-install-recommends ${missing[*]}"
  fi
fi
[ "$system" = only ] && exit 0

have_python=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) ||
  die "no $py here: install Python $BUNDLE_PYTHON or set PYTHON=/path/to/python$BUNDLE_PYTHON"
[ "$have_python" = "$BUNDLE_PYTHON" ] ||
  die "the wheels are for Python $BUNDLE_PYTHON but $py is $have_python: set PYTHON=/path/to/python$BUNDLE_PYTHON, or build the bundle with that Python"

echo "== venv $venv"
"$py" -m venv "$venv" ||
  die "$py cannot make a venv: install python3-venv (listed in debs.txt)"
# only this bundle's wheels: no index, and no pip settings of this machine's that could add one
for var in $(env | sed -n 's/^\(PIP_[A-Z_]*\)=.*/\1/p'); do unset "$var"; done
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
unset PYTHONPATH PYTHONHOME  # another yichuang on the path would count as installed
# a bundle built later from new code may keep the version number: pip would call it installed
"$venv/bin/python" -m pip uninstall --quiet --yes yichuang 2>/dev/null || true
"$venv/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" \
  --constraint "$here/constraints.txt" "yichuang[$extras]==$BUNDLE_VERSION"

if [[ ",$extras," != *,server,* ]]; then
  echo "== no server extra (a kiosk, pad or display PC): no hall file to check"
else
  if [ -z "$hall" ]; then
    hall=$("$venv/bin/python" -c 'from server.config import DEMO_HALL_FILE; print(DEMO_HALL_FILE)')
    echo "== checking the demo hall file (pass --hall /etc/yichuang/hall.toml for yours)"
  fi
  "$venv/bin/yichuang" check-hall "$hall"
fi

echo "== installed: $venv/bin/yichuang"
if [[ ",$extras," == *,server,* ]]; then
  echo "next: $venv/bin/yichuang db upgrade --data-dir /var/lib/yichuang"
  echo "      $venv/bin/yichuang serve --hall /etc/yichuang/hall.toml --data-dir /var/lib/yichuang"
else
  echo "next: $venv/bin/yichuang kiosk|caller|display --config /etc/yichuang/<app>.toml"
  echo "      (station files to start from: $here/examples/)"
fi
echo "systemd units: $here/deploy/ (they name /opt/yichuang/.venv, the default --prefix's venv)"
