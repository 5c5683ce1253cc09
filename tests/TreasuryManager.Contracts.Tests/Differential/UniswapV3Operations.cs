using System.Globalization;
using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.UniswapV3;

namespace TreasuryManager.Contracts.Tests.Differential;

/// <summary>One operation of the v3 differential run on pool <see cref="Pool"/> (an index into the run's pools).</summary>
public abstract record V3Operation(int Pool);

/// <summary>Mint <paramref name="Liquidity"/> on [lower, upper] through the callee (the callee owns the position).</summary>
public sealed record V3Mint(int Pool, int TickLower, int TickUpper, BigInteger Liquidity) : V3Operation(Pool)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"mint pool {Pool} [{TickLower}, {TickUpper}] L {Liquidity}");
}

/// <summary>swap(zeroForOne, amountSpecified, limit): amountSpecified &gt; 0 exact input, &lt; 0 exact output.</summary>
public sealed record V3Swap(int Pool, bool ZeroForOne, BigInteger AmountSpecified, BigInteger SqrtPriceLimitX96) : V3Operation(Pool)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"swap pool {Pool} {(ZeroForOne ? "0→1" : "1→0")} {(AmountSpecified.Sign > 0 ? "exact in" : "exact out")} {BigInteger.Abs(AmountSpecified)} limit {SqrtPriceLimitX96}");
}

/// <summary>burn(lower, upper, liquidity) then collect everything owed (the callee's burnAndCollect); liquidity 0 is a poke.</summary>
public sealed record V3BurnAndCollect(int Pool, int TickLower, int TickUpper, BigInteger Liquidity) : V3Operation(Pool)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"burn+collect pool {Pool} [{TickLower}, {TickUpper}] L {Liquidity}");
}

/// <summary>What the model says an operation does: a revert (with the model's reason), or the amounts the pool's
/// events must carry (Mint; Swap; Burn and Collect).</summary>
public sealed record V3Expected(string? RevertReason, PositionAmounts? Minted = null, SwapOutcome? Swapped = null, PositionAmounts? Burnt = null, CollectedAmounts? Collected = null)
{
    public bool Reverts => RevertReason is not null;

    public override string ToString() =>
        Reverts ? $"revert ({RevertReason})"
        : Minted is { } m ? $"Mint {m}"
        : Swapped is { } s ? $"Swap {s}"
        : $"Burn {Burnt}, Collect {Collected}";
}

/// <summary>
/// The seeded generator of the v3 differential run and the model side of it: operations drawn from the pool model's
/// own state (ranges around the current tick, reused ranges and the full range; liquidity from 1 to ~1e24; swaps both
/// ways, exact in and out, sized against the active liquidity, with limits from one wei to 20 bitmap words away;
/// burns of all, part or nothing of a live position), and what each does to the model.
/// </summary>
public static class UniswapV3Operations
{
    /// <summary>The position owner in the model: on chain every position belongs to the callee.</summary>
    public const string Owner = "callee";

    public static V3Operation Next(SeededRandom r, int poolIndex, UniswapV3PoolModel pool)
    {
        var live = pool.Positions.Where(p => p.Value.Liquidity.Sign > 0).Select(p => p.Key).OrderBy(k => (k.TickLower, k.TickUpper)).ToArray();
        var roll = r.Double();
        if (live.Length == 0 || pool.Liquidity.IsZero && roll < 0.3) return Mint(r, poolIndex, pool, live);
        if (roll < 0.3) return Mint(r, poolIndex, pool, live);
        if (roll < 0.45) return Burn(r, poolIndex, pool, live);
        return Swap(r, poolIndex, pool);
    }

    private static V3Mint Mint(SeededRandom r, int poolIndex, UniswapV3PoolModel pool, PositionKey[] live)
    {
        var tier = pool.Fee;
        var s = tier.TickSpacing;
        int lower, upper;
        var kind = r.Int(0, 100);
        if (kind < 10)
        {
            (lower, upper) = (tier.MinUsableTick, tier.MaxUsableTick);
        }
        else if (kind < 30 && live.Length > 0)
        {
            var k = r.Pick(live);
            (lower, upper) = (k.TickLower, k.TickUpper);
        }
        else if (kind < 40)
        {
            // an end on the current tick's spaced floor: at the current tick itself when the price sits on a spaced
            // tick (a new tick at the current tick counts all past fee growth as below it)
            var t = FloorToSpacing(pool.Tick, s);
            var width = s * LogUniformInt(r, 1, 500);
            (lower, upper) = r.Bool() ? (t, Math.Min(t + width, tier.MaxUsableTick)) : (Math.Max(t - width, tier.MinUsableTick), t);
            if (lower >= upper) (lower, upper) = (tier.MinUsableTick, tier.MaxUsableTick);
        }
        else if (kind < 42)
        {
            // the pool refuses these: an unspaced tick (spacing > 1), or lower ≥ upper
            var t = FloorToSpacing(pool.Tick, s);
            (lower, upper) = s > 1 ? (t + 1, t + 10 * s) : (t, t);
        }
        else
        {
            var centre = FloorToSpacing(pool.Tick + r.Int(-300, 301) * s, s);
            lower = centre - s * LogUniformInt(r, 1, 2000);
            upper = centre + s * LogUniformInt(r, 1, 2000);
            if (r.Chance(0.15)) upper = centre; // a range ending at (or just around) the price
            if (r.Chance(0.15)) lower = centre;
            if (lower == upper) upper += s;
            lower = Math.Max(lower, tier.MinUsableTick);
            upper = Math.Min(upper, tier.MaxUsableTick);
        }

        BigInteger liquidity = r.Int(0, 100) switch
        {
            < 3 => BigInteger.One,
            < 5 => tier.MaxLiquidityPerTick + 1, // "LO"
            _ => Magnitude(r, 3, 24),
        };
        return new V3Mint(poolIndex, lower, upper, liquidity);
    }

    private static V3BurnAndCollect Burn(SeededRandom r, int poolIndex, UniswapV3PoolModel pool, PositionKey[] live)
    {
        var key = r.Pick(live);
        var have = pool.Position(key).Liquidity;
        var amount = r.Int(0, 100) switch
        {
            < 35 => have,
            < 50 => BigInteger.Zero, // poke: fees only
            < 53 => have + 1, // "LS"
            _ => BigInteger.Max(BigInteger.One, r.Below(have)),
        };
        return new V3BurnAndCollect(poolIndex, key.TickLower, key.TickUpper, amount);
    }

    private static V3Swap Swap(SeededRandom r, int poolIndex, UniswapV3PoolModel pool)
    {
        var zeroForOne = r.Bool();
        var exactIn = r.Bool();
        var p = pool.SqrtPriceX96;
        var l = pool.Liquidity;
        BigInteger limit;
        var kind = r.Int(0, 100);
        if (kind < 10)
        {
            // one wei to a thousand from the price: the swap stops at once
            var d = BigInteger.One + r.Below(999);
            limit = zeroForOne ? BigInteger.Max(TickMath.MinSqrtRatio + 1, p - d) : BigInteger.Min(TickMath.MaxSqrtRatio - 1, p + d);
        }
        else if (kind < 12)
        {
            limit = zeroForOne ? p + 1 : p - 1; // the wrong side: "SPL"
        }
        else
        {
            // up to 20 bitmap words away (a wider limit only burns gas walking empty words)
            var ticks = LogUniformInt(r, 1, pool.Fee.TickSpacing * 256 * 20);
            var t = zeroForOne ? Math.Max(TickMath.MinTick + 1, pool.Tick - ticks) : Math.Min(TickMath.MaxTick - 1, pool.Tick + ticks);
            if (r.Bool()) t = Math.Clamp(FloorToSpacing(t, pool.Fee.TickSpacing), TickMath.MinTick + 1, TickMath.MaxTick - 1); // stop on a spaced tick
            limit = TickMath.GetSqrtRatioAtTick(t);
            if (zeroForOne && limit >= p) limit = BigInteger.Max(TickMath.MinSqrtRatio + 1, p - 1);
            if (!zeroForOne && limit <= p) limit = BigInteger.Min(TickMath.MaxSqrtRatio - 1, p + 1);
        }

        // The amount that would reach the limit at the current liquidity, times 10^[-3, 0.3]: most swaps stop short, many
        // run out of the current range and cross ticks, some are stopped by the limit with input left over.
        var (low, high) = limit < p ? (limit, p) : (p, limit);
        BigInteger reach = l.IsZero || low == high ? 0
            : zeroForOne == exactIn ? SqrtPriceMath.GetAmount0Delta(low, high, l, exactIn) : SqrtPriceMath.GetAmount1Delta(low, high, l, exactIn);
        var amount = r.Int(0, 100) switch
        {
            < 2 => BigInteger.Zero, // "AS"
            < 5 => BigInteger.One,
            _ when reach.IsZero => Magnitude(r, 4, 22),
            _ => BigInteger.Max(BigInteger.One, reach * new BigInteger(Math.Pow(10, 6 + r.Double() * 3.3)) / BigInteger.Pow(10, 9)),
        };
        if (amount >= BigInteger.One << 200) amount = BigInteger.One << 200;
        return new V3Swap(poolIndex, zeroForOne, exactIn ? amount : -amount, limit);
    }

    /// <summary>The operation applied to the model: the new pool and the expected events, or the pool unchanged and the revert.</summary>
    public static (UniswapV3PoolModel Pool, V3Expected Expected) Apply(UniswapV3PoolModel pool, V3Operation op)
    {
        try
        {
            switch (op)
            {
                case V3Mint m:
                {
                    var (next, paid) = pool.Mint(new PositionKey(Owner, m.TickLower, m.TickUpper), m.Liquidity);
                    return (next, new V3Expected(null, Minted: paid));
                }
                case V3Swap s:
                {
                    var (next, outcome) = pool.Swap(s.ZeroForOne, s.AmountSpecified, s.SqrtPriceLimitX96);
                    return (next, new V3Expected(null, Swapped: outcome));
                }
                case V3BurnAndCollect b:
                {
                    var key = new PositionKey(Owner, b.TickLower, b.TickUpper);
                    var (burnt, credited) = pool.Burn(key, b.Liquidity);
                    var (next, collected) = burnt.Collect(key, Uint.Max128, Uint.Max128);
                    return (next, new V3Expected(null, Burnt: credited, Collected: collected));
                }
                default:
                    throw new ArgumentOutOfRangeException(nameof(op), op, "unknown operation");
            }
        }
        catch (CurveMathException e)
        {
            return (pool, new V3Expected(e.Reason));
        }
    }

    /// <summary>A random integer with a uniformly random number of decimal digits in [minDigits, maxDigits).</summary>
    private static BigInteger Magnitude(SeededRandom r, int minDigits, int maxDigits)
    {
        var digits = r.Int(minDigits, maxDigits);
        var low = BigInteger.Pow(10, digits);
        return low + r.Below(low * 9);
    }

    private static int LogUniformInt(SeededRandom r, int min, int max) =>
        (int)Math.Clamp(Math.Round(Math.Exp(Math.Log(min) + r.Double() * (Math.Log(max) - Math.Log(min)))), min, max);

    private static int FloorToSpacing(int tick, int spacing)
    {
        var c = tick / spacing;
        if (tick < 0 && tick % spacing != 0) c--;
        return c * spacing;
    }
}
