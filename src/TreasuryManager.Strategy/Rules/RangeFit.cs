using System.Numerics;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Strategy.Rules;

/// <summary>A range the pool can hold with its reserves: the bound to send and the exact liquidity and bounds the pool will derive.</summary>
public readonly record struct FittedRange(BigInteger Bound, BigInteger Liquidity, BigInteger Low, BigInteger High);

/// <summary>
/// The pool's exact fit of a centre and a log half-width, in one place (the keeper's Decider and the backtest's static
/// strategies): fix the bound whose side gives the larger liquidity and let the pool's own fit
/// (<see cref="PoolSwap.PreviewReposition"/>) derive the other. L from the lower bound = y·2^96/(P − A); from the upper
/// = x·P·B/((B − P)·2^96).
/// </summary>
public static class RangeFit
{
    /// <summary>The fit, or null with the curve math's reason when neither side fits.</summary>
    public static (FittedRange? Fit, string? Failure) Fit(PoolState state, BigInteger sqrtCentre, double rawCentre, double halfWidth)
    {
        var lowBound = Uint.SqrtPriceX96FromPrice(rawCentre * Math.Exp(-halfWidth));
        var highBound = Uint.SqrtPriceX96FromPrice(rawCentre * Math.Exp(halfWidth));
        string? failure = null;
        foreach (var bound in PreferredBounds(sqrtCentre, lowBound, highBound, state.Reserve0, state.Reserve1))
        {
            try
            {
                var (l, lo, hi) = PoolSwap.PreviewReposition(state, sqrtCentre, bound);
                if (l.IsZero) continue;
                return (new FittedRange(bound, l, lo, hi), null);
            }
            catch (CurveMathException e)
            {
                failure = $"the pool cannot fit a range of half-width {halfWidth:0.####} around the centre: {e.Reason}";
            }
        }
        return (null, failure);
    }

    /// <summary>
    /// A venue that mints at its spot (a Uniswap v3 position): the model's range [c·e^−h, c·e^h] around the centre as it
    /// is, and the liquidity the reserves fund on it at the spot (Uniswap's liquidity-for-amounts; zero when the reserves
    /// hold only the token the range does not need — the keeper's swap is then the lever). <see cref="FittedRange.Bound"/>
    /// is the upper end.
    /// </summary>
    public static FittedRange AtSpot(PoolState state, double rawCentre, double halfWidth)
    {
        var low = BigInteger.Max(Uint.SqrtPriceX96FromPrice(rawCentre * Math.Exp(-halfWidth)), PoolSwap.MinSqrtPrice);
        var high = BigInteger.Min(Uint.SqrtPriceX96FromPrice(rawCentre * Math.Exp(halfWidth)), PoolSwap.MaxSqrtPrice);
        return new FittedRange(high, LiquidityAmounts.GetLiquidityForAmounts(state.SqrtPriceX96, low, high, state.Reserve0, state.Reserve1), low, high);
    }

    /// <summary>The two bounds, the one giving the larger liquidity first.</summary>
    public static IEnumerable<BigInteger> PreferredBounds(BigInteger p, BigInteger lowBound, BigInteger highBound, BigInteger r0, BigInteger r1)
    {
        var q96 = BigInteger.One << 96;
        var lLow = p > lowBound ? r1 * q96 / (p - lowBound) : BigInteger.Zero;
        var lHigh = highBound > p ? r0 * p * highBound / ((highBound - p) * q96) : BigInteger.Zero;
        return lLow >= lHigh ? [lowBound, highBound] : [highBound, lowBound];
    }
}
