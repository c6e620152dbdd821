# bench/lib.sh -- what the benchmark scripts share; sourced as
# `. "$(dirname "$0")/lib.sh"`.
#
# Owns: installing a benchmark's own tools, and the runtime benchmarks'
# campaign (bench_campaign).  They are not test dependencies
# (make test does not install them): each benchmark that needs one says so
# and installs it here.

# need_pkg SCRIPT PACKAGE PROGRAM: install the Debian package that has
# PROGRAM with apt-get when root, saying so; otherwise print the exact
# command and exit 1.
need_pkg() {
  command -v "$3" > /dev/null && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "$1: installing $2 (for $3, used only by this benchmark)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq "$2" || { apt-get update -qq && apt-get install -y -qq "$2"; }; } > /dev/null || exit 1
  else
    echo "$1: needs $2 (for $3); run: sudo apt-get install -y $2" >&2; exit 1
  fi
}

# bench_campaign [EXTRA]: bench/run.sh's three-step campaign (email -> on
# open: action; on no open within 3 days: sms) on a contact model, with
# EXTRA lines after its filter (bench/timing.sh: its timing rules).
bench_campaign() {
  cat <<C
use "models.camp"

campaign bench "Bench" {
  target contact
  where email is set
${1:-}
  email hello {
    subject "Hello {{ name }}"
    body "<p>Hi {{ name }}, <a href='https://example.com/x'>look</a></p>"

    on open within 3 days {
      action opened { note("opened") }
    }

    on no open within 3 days {
      sms nudge { text "Hi {{ name }} https://example.com/s" }
    }
  }
}
C
}
