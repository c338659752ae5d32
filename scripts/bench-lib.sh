# Helpers the benchmark scripts share (sourced by scripts/bench.sh and scripts/bench-filelists.sh).
py() { python3 -c "$@"; }
# Seconds since $1 (a `date +%s.%N` stamp); the end is stamped before python starts.
since() { local end; end=$(date +%s.%N); py "import sys; print(float(sys.argv[2])-float(sys.argv[1]))" "$1" "$end"; }
fmt() { py "import sys; print(f'{float(sys.argv[1]):.2f}')" "$1"; }
min() { py "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
# The value of field $2 in a `key=value ...` line stored in file $1.
field() { tr ' ' '\n' < "$1" | sed -n "s/^$2=//p" | head -1; }
