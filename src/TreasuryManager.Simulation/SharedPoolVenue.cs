using TreasuryManager.Models.Curve;

namespace TreasuryManager.Simulation;

/// <summary>
/// Fair market, part 2: the treasury's pool shared with other liquidity providers (Uniswap v3 style). The treasury's
/// position is an <see cref="InMemoryVenue"/> (bit-exact ManagedPool math, its state is what the strategy sees; its
/// price sits at its range's edge while the pool's price is outside it); the others hold liquidity L_o over
/// [√p_a, √p_b] (doubles, raw units). A swap walks the one pool price √P up or down through the segments between
/// the ranges' bounds; in each segment the liquidity is the sum of those in range, and each position's part of the
/// input (and of the fee) is its liquidity's share, so the treasury's fee share is L_t / (L_t + L_o) in range. The
/// treasury's part is executed on its own pool (so its reserves stay exact); the others' part is only arithmetic.
/// <see cref="Quote"/> gives the trader's whole fill; <see cref="TrySwap"/> reports the treasury's part, which is
/// what the backtest accounts. A reposition moves the pool's price to the treasury's new centre (as ManagedPool's
/// reposition does; the arbitrageur brings it back), a simplification of a shared pool, where it could not.
/// </summary>
public sealed class SharedPoolVenue : IPoolVenue
{
    private const double Q96 = 79228162514264337593543950336.0;
    private readonly InMemoryVenue _inner;
    private double _sqrtP;

    public SharedPoolVenue(InMemoryVenue inner, double otherLiquidityRaw, double otherSqrtLow, double otherSqrtHigh)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!(otherLiquidityRaw >= 0) || !(otherSqrtLow > 0) || !(otherSqrtHigh > otherSqrtLow)) throw new ArgumentOutOfRangeException(nameof(otherLiquidityRaw), "the other LPs need L ≥ 0 and 0 < √p_a < √p_b");
        _inner = inner;
        OtherLiquidity = otherLiquidityRaw;
        OtherSqrtLow = otherSqrtLow;
        OtherSqrtHigh = otherSqrtHigh;
        _sqrtP = (double)inner.State.SqrtPriceX96 / Q96;
    }

    /// <summary>The other LPs' liquidity (raw units) and their range's √price bounds.</summary>
    public double OtherLiquidity { get; }
    public double OtherSqrtLow { get; }
    public double OtherSqrtHigh { get; }

    /// <summary>The treasury's position.</summary>
    public InMemoryVenue Treasury => _inner;

    /// <summary>The pool's √price (the treasury's state price is this, clamped to its range).</summary>
    public double PoolSqrtPrice => _sqrtP;
    public double PoolPrice => _sqrtP * _sqrtP;

    public ref readonly FastPoolState State => ref _inner.State;
    public long LastRepositionTime => _inner.LastRepositionTime;
    public IReadOnlyList<SwapRecord>? Swaps => _inner.Swaps;

    /// <summary>The treasury's in-range liquidity (raw) and the total in-range liquidity for a move in this direction from the pool's price.</summary>
    public (double Treasury, double Total) LiquidityAt(bool zeroForOne)
    {
        var (lt, lo) = Active(zeroForOne, _sqrtP);
        return (lt, lt + lo);
    }

    /// <summary>Whether any liquidity lies in this direction (a swap could move the price).</summary>
    public bool CanTrade(bool zeroForOne)
    {
        var sp = _sqrtP;
        for (var i = 0; i < 8; i++)
        {
            var (lt, lo) = Active(zeroForOne, sp);
            if (lt + lo > 0) return true;
            if (Next(zeroForOne, sp) is not { } next) return false;
            sp = next;
        }
        return false;
    }

    private (double Lt, double Lo) Active(bool zeroForOne, double sp)
    {
        ref readonly var st = ref _inner.State;
        double lt = 0;
        if (!st.Liquidity.IsZero)
        {
            var a = (double)st.SqrtPriceLowX96 / Q96;
            var b = (double)st.SqrtPriceHighX96 / Q96;
            if (zeroForOne ? a < sp && sp <= b : a <= sp && sp < b) lt = (double)st.Liquidity;
        }
        var lo = OtherLiquidity > 0 && (zeroForOne ? OtherSqrtLow < sp && sp <= OtherSqrtHigh : OtherSqrtLow <= sp && sp < OtherSqrtHigh) ? OtherLiquidity : 0;
        return (lt, lo);
    }

    /// <summary>The nearest range bound beyond <paramref name="sp"/> in the direction of the move (null: none).</summary>
    private double? Next(bool zeroForOne, double sp)
    {
        ref readonly var st = ref _inner.State;
        double? best = null;
        void Consider(double b)
        {
            if (zeroForOne ? b < sp && (best is null || b > best) : b > sp && (best is null || b < best)) best = b;
        }
        if (!st.Liquidity.IsZero)
        {
            Consider((double)st.SqrtPriceLowX96 / Q96);
            Consider((double)st.SqrtPriceHighX96 / Q96);
        }
        if (OtherLiquidity > 0)
        {
            Consider(OtherSqrtLow);
            Consider(OtherSqrtHigh);
        }
        return best;
    }

    /// <summary>One walk of the pool price: what the whole pool takes and gives, and the treasury's part of it (raw units, doubles).</summary>
    public readonly record struct Walk(double AmountInUsed, double AmountOut, double Fee, double SqrtPriceAfter, double TreasuryIn, double TreasuryOut);

    /// <summary>
    /// Walks the pool price for a swap of <paramref name="amountIn"/> (gross, raw) until the amount is used or the
    /// price reaches <paramref name="limitSqrt"/> (NaN: no limit) or the last bound.
    /// </summary>
    public Walk Plan(bool zeroForOne, double amountIn, double limitSqrt = double.NaN)
    {
        var f = _inner.State.FeePips / 1e6;
        var sp = _sqrtP;
        var rem = amountIn;
        double used = 0, output = 0, tIn = 0, tOut = 0;
        for (var guard = 0; guard < 16 && rem > 0; guard++)
        {
            var (lt, lo) = Active(zeroForOne, sp);
            var next = Next(zeroForOne, sp);
            var stop = false;
            if (!double.IsNaN(limitSqrt) && (next is null || (zeroForOne ? limitSqrt > next : limitSqrt < next)))
            {
                next = limitSqrt;
                stop = true;
            }
            if (next is not { } nx || (zeroForOne ? nx >= sp : nx <= sp)) break;
            var l = lt + lo;
            if (l <= 0)
            {
                sp = nx; // an empty stretch: the price crosses it for free
                if (stop) break;
                continue;
            }
            // net input to reach nx: Δy = L·Δ√P (quote in, up) or Δx = L·Δ(1/√P) (base in, down)
            var needNet = zeroForOne ? l * (1 / nx - 1 / sp) : l * (nx - sp);
            var need = needNet / (1 - f);
            if (rem >= need)
            {
                var o = zeroForOne ? l * (sp - nx) : l * (1 / sp - 1 / nx);
                used += need;
                output += o;
                tIn += need * lt / l;
                tOut += o * lt / l;
                rem -= need;
                sp = nx;
                if (stop) break;
            }
            else
            {
                var net = rem * (1 - f);
                var np = zeroForOne ? 1 / (1 / sp + net / l) : sp + net / l;
                var o = zeroForOne ? l * (sp - np) : l * (1 / sp - 1 / np);
                used += rem;
                output += o;
                tIn += rem * lt / l;
                tOut += o * lt / l;
                rem = 0;
                sp = np;
            }
        }
        return new Walk(used, output, used * f, sp, tIn, tOut);
    }

    /// <summary>The gross input that takes the pool price to <paramref name="targetSqrt"/> (raw; capped by the last bound).</summary>
    public double AmountToReach(bool zeroForOne, double targetSqrt) => Plan(zeroForOne, double.MaxValue / 4, targetSqrt).AmountInUsed;

    /// <summary>The treasury pool's amount for its part of a walk: a hair more than its share, so that when the walk
    /// crosses its range's edge its pool lands on the edge (the pool uses only what it needs).</summary>
    private UInt256 TreasuryAmount(in Walk w)
    {
        if (w.TreasuryIn < 1) return UInt256.Zero;
        ref readonly var st = ref _inner.State;
        var inside = w.SqrtPriceAfter > (double)st.SqrtPriceLowX96 / Q96 && w.SqrtPriceAfter < (double)st.SqrtPriceHighX96 / Q96;
        return Units.Raw((inside ? w.TreasuryIn : w.TreasuryIn * (1 + 1e-12) + 2) / Units.One);
    }

    public FastPoolQuote? Quote(bool zeroForOne, UInt256 amountIn)
    {
        var w = Plan(zeroForOne, (double)amountIn);
        if (!(w.AmountInUsed > 0)) return null;
        var tAmount = TreasuryAmount(w);
        FastPoolQuote t = default;
        if (!tAmount.IsZero && _inner.Quote(zeroForOne, tAmount) is { } tq) t = tq;
        return Combine(w, t);
    }

    public bool TrySwap(int step, Trader trader, bool zeroForOne, UInt256 amountIn, out FastPoolQuote quote)
    {
        quote = default;
        var w = Plan(zeroForOne, (double)amountIn);
        if (!(w.AmountInUsed > 0)) return false;
        var tAmount = TreasuryAmount(w);
        if (!tAmount.IsZero && _inner.TrySwap(step, trader, zeroForOne, tAmount, out var tq)) quote = tq;
        _sqrtP = w.SqrtPriceAfter;
        SyncPrice();
        return true;
    }

    private FastPoolQuote Combine(in Walk w, in FastPoolQuote t)
    {
        var othersIn = Math.Max(0, w.AmountInUsed - w.TreasuryIn);
        var othersOut = Math.Max(0, w.AmountOut - w.TreasuryOut);
        var f = _inner.State.FeePips / 1e6;
        return new FastPoolQuote(t.AmountInUsed + Units.Raw(othersIn / Units.One), t.AmountOut + Units.Raw(othersOut / Units.One),
            t.FeeAmount + Units.Raw(othersIn * f / Units.One), Units.SqrtPriceX96(w.SqrtPriceAfter * w.SqrtPriceAfter));
    }

    /// <summary>While the pool's price is inside the treasury's range, the treasury pool's exact price is the pool's.</summary>
    private void SyncPrice()
    {
        ref readonly var st = ref _inner.State;
        if (st.Liquidity.IsZero) return;
        var a = (double)st.SqrtPriceLowX96 / Q96;
        var b = (double)st.SqrtPriceHighX96 / Q96;
        if (_sqrtP > a && _sqrtP < b) _sqrtP = (double)st.SqrtPriceX96 / Q96;
    }

    public void Reposition(UInt256 sqrtPriceX96, UInt256 sqrtPriceBoundX96, int feePips, long timestamp)
    {
        _inner.Reposition(sqrtPriceX96, sqrtPriceBoundX96, feePips, timestamp);
        _sqrtP = (double)_inner.State.SqrtPriceX96 / Q96;
    }

    public void SetReserves(UInt256 reserve0, UInt256 reserve1)
    {
        _inner.SetReserves(reserve0, reserve1);
        if (!_inner.State.Liquidity.IsZero) _sqrtP = (double)_inner.State.SqrtPriceX96 / Q96;
    }
}

/// <summary>Fair market: pools shared with the scenario's other LPs (<c>other_lps</c>). The first pool a strategy creates shares the pool with them (the passive strategy's limit and full ranges do not get further copies).</summary>
public sealed class SharedVenueFactory(Scenario scenario, bool recordAll = false) : IVenueFactory
{
    private bool _used;

    public IPoolVenue Create(UInt256 sqrtPriceX96, UInt256 reserve0, UInt256 reserve1, int feePips, bool recordSwaps = false)
    {
        var inner = InMemoryVenue.Empty(sqrtPriceX96, reserve0, reserve1, feePips, recordSwaps || recordAll);
        var o = scenario.OtherLps;
        if (_used || o.LiquidityQuote <= 0) return inner;
        _used = true;
        // a position of value V over [p0·e^(−w), p0·e^(w)] at p0: V = L·(2√p0 − √p_a − p0/√p_b)
        var p0 = scenario.Price.Initial;
        var sp0 = Math.Sqrt(p0);
        var sa = sp0 * Math.Exp(-o.HalfWidth / 2);
        var sb = sp0 * Math.Exp(o.HalfWidth / 2);
        var l = o.LiquidityQuote / (2 * sp0 - sa - p0 / sb) * Units.One;
        return new SharedPoolVenue(inner, l, sa, sb);
    }
}
