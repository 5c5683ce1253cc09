#!/usr/bin/env bash
# The committee's comparison on real prices (docs/simulation.md, "Real prices"): each Binance 1 h pair of the shared data
# folder replayed as the reference market (`treasury backtest --prices FILE`), PnL against hold of full-range, passive and
# managed (and any --strategies), the tally of pairs where managed is at least both, and each file's variance ratio of
# its closes over a day and a week (1 for a random walk, below 1 mean-reverting), and how well the week's ratio in each
# file's first half foretells its second half's (a correlation across pairs). Reads ../shared/data/ in place
# (nothing from it is committed); fails naming the folder when it is absent.
#   scripts/real-prices.sh [--every K] [--strategies LIST] [--seed N] [--out FILE.tsv]
#   --every K: every K-th pair in name order (default 1: all 136 pairs; about 4 s each)
#   --seed N: the seed of each bar's inner path and of the simulated flow (default 1)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DATA="$REPO_ROOT/../shared/data/binance"
EVERY=1
STRATEGIES="full-range,static-range,passive,managed"
OUT=""
SEED=1
while [ $# -gt 0 ]; do
  case "$1" in
    --every) EVERY="$2"; shift 2 ;;
    --strategies) STRATEGIES="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) die "unknown argument $1 (use --every K, --strategies LIST, --seed N, --out FILE)" ;;
  esac
done
[ -d "$DATA" ] || die "the real price data is missing: $DATA (the shared data folder beside the repository)"
[[ "$EVERY" =~ ^[1-9][0-9]*$ ]] || die "--every must be a positive integer (got $EVERY)"
[[ "$SEED" =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer (got $SEED)"
for needed in full-range passive managed; do  # the tally compares these three: refuse now, not after every pair has run
  [[ ",$STRATEGIES," == *",$needed,"* ]] || die "--strategies must include full-range, passive and managed (the tally compares them; got $STRATEGIES)"
done
cd "$REPO_ROOT"
dotnet build src/TreasuryManager.Cli -c Release --nologo -v quiet "-clp:ErrorsOnly" >&2
TREASURY=(dotnet src/TreasuryManager.Cli/bin/Release/net10.0/treasury.dll)
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
i=0
for f in "$DATA"/*-1h.csv.gz; do
  i=$((i + 1))
  [ $(( (i - 1) % EVERY )) -eq 0 ] || continue
  pair="$(basename "$f" -1h.csv.gz)"
  if ! "${TREASURY[@]}" backtest --prices "$f" --format binance --fill-gaps --seed "$SEED" --strategies "$STRATEGIES" --json > "$TMP/$pair.json" 2> "$TMP/$pair.err"; then
    say "$pair: $(head -1 "$TMP/$pair.err")"; continue
  fi
  say "$pair done"
done
python3 - "$TMP" "$OUT" <<'PY'
import json, os, statistics, sys
tmp, out = sys.argv[1], sys.argv[2]
rows = []
halves = []
for name in sorted(os.listdir(tmp)):
    if not name.endswith(".json") or os.path.getsize(os.path.join(tmp, name)) == 0: continue
    d = json.load(open(os.path.join(tmp, name)))
    pnl = {s["name"]: s["pnl_vs_hold_mean"] for s in d["strategies"]}
    ref = d.get("reference") or {}
    rows.append((name[:-5], pnl, ref.get("variance_ratio_1d"), ref.get("variance_ratio_1w")))
    halves.append((ref.get("variance_ratio_1w_first_half"), ref.get("variance_ratio_1w_second_half")))
names = [n for n in rows[0][1] if n != "hold"] if rows else []
vr = lambda v: "n/a" if v is None else f"{v:.2f}"
lines = ["pair\t" + "\t".join(names) + "\tmanaged>=full\tmanaged>=passive\tvr_1d\tvr_1w"]
wins_full = wins_passive = wins_both = 0
for pair, pnl, vr1d, vr1w in rows:
    f = pnl["managed"] >= pnl["full-range"]; p = pnl["managed"] >= pnl["passive"]
    wins_full += f; wins_passive += p; wins_both += f and p
    lines.append(pair + "\t" + "\t".join(f"{pnl[n]:.0f}" for n in names) + f"\t{'yes' if f else 'no'}\t{'yes' if p else 'no'}\t{vr(vr1d)}\t{vr(vr1w)}")
n = len(rows)
summary = (f"{n} pairs: managed >= full-range on {wins_full} ({100*wins_full/max(n,1):.0f}%), >= passive on {wins_passive} "
           f"({100*wins_passive/max(n,1):.0f}%), >= both on {wins_both} ({100*wins_both/max(n,1):.0f}%)")
def gap(other):
    d = sorted((pnl["managed"] - pnl[other]) / abs(pnl[other]) for _, pnl, _, _ in rows if pnl[other] != 0)
    total = sum(pnl["managed"] - pnl[other] for _, pnl, _, _ in rows)
    return f"managed - {other} summed {total:,.0f}, median {100 * d[len(d) // 2] if d else 0:+.1f}% of |{other}|"
def near(tolerance):  # pairs managed loses, but by at most this fraction of the better of the two
    return sum(1 for _, pnl, _, _ in rows
               if 0 < max(pnl["full-range"], pnl["passive"]) - pnl["managed"] <= tolerance * abs(max(pnl["full-range"], pnl["passive"])))
summary += f"; short of both by at most 1% on {near(0.01)} more, by at most 2% on {near(0.02)} more (near-even: the count is fragile there)"
margins = "; ".join(gap(o) for o in ("full-range", "passive")) if rows else "no pairs"
def persistence():  # does a pair's character carry from the file's first half to its second? (Pearson r across pairs)
    pairs = [(a, b) for a, b in halves if a is not None and b is not None]
    if len(pairs) < 3: return "variance ratio over a week, first half against second half: too few pairs"
    try: r = statistics.correlation([a for a, _ in pairs], [b for _, b in pairs])
    except statistics.StatisticsError: r = float("nan")  # every pair alike in one half: no correlation to speak of
    return (f"variance ratio over a week, first half of each file against its second half: correlation {r:.2f} across "
            f"{len(pairs)} pairs (1: a pair's character persists; 0: the first half says nothing of the second)")
print("\n".join(lines)); print(summary); print(margins); print(persistence())
if out: open(out, "w").write("\n".join(lines) + "\n# " + summary + "\n# " + margins + "\n")
PY
