using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>
/// Liquidity from token amounts, in fixed point, as Uniswap v3-periphery LiquidityAmounts:
/// L = x·√A·√B/(√B − √A) for token0 and L = y/(√B − √A) for token1, rounded down (the position
/// never needs more than the amounts given).
/// </summary>
public static class LiquidityAmounts
{
    private static BigInteger ToUint128(BigInteger x) => x > Uint.Max128 ? throw new CurveMathException("toUint128") : x;

    /// <summary>L = amount0·(√A·√B/2^96)/(√B − √A), both divisions rounded down.</summary>
    public static BigInteger GetLiquidityForAmount0(BigInteger sqrtRatioAX96, BigInteger sqrtRatioBX96, BigInteger amount0)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        var intermediate = FullMath.MulDiv(sqrtRatioAX96, sqrtRatioBX96, Uint.Q96);
        return ToUint128(FullMath.MulDiv(amount0, intermediate, sqrtRatioBX96 - sqrtRatioAX96));
    }

    /// <summary>L = amount1·2^96/(√B − √A), rounded down.</summary>
    public static BigInteger GetLiquidityForAmount1(BigInteger sqrtRatioAX96, BigInteger sqrtRatioBX96, BigInteger amount1)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        return ToUint128(FullMath.MulDiv(amount1, Uint.Q96, sqrtRatioBX96 - sqrtRatioAX96));
    }

    /// <summary>The most liquidity both amounts can back on [A, B] at price P.</summary>
    public static BigInteger GetLiquidityForAmounts(BigInteger sqrtRatioX96, BigInteger sqrtRatioAX96, BigInteger sqrtRatioBX96, BigInteger amount0, BigInteger amount1)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        if (sqrtRatioX96 <= sqrtRatioAX96) return GetLiquidityForAmount0(sqrtRatioAX96, sqrtRatioBX96, amount0);
        if (sqrtRatioX96 < sqrtRatioBX96)
            return BigInteger.Min(
                GetLiquidityForAmount0(sqrtRatioX96, sqrtRatioBX96, amount0),
                GetLiquidityForAmount1(sqrtRatioAX96, sqrtRatioX96, amount1));
        return GetLiquidityForAmount1(sqrtRatioAX96, sqrtRatioBX96, amount1);
    }

    /// <summary>The amounts a position of liquidity L on [A, B] holds at price P, rounded up
    /// (what the pool must own to back it).</summary>
    public static (BigInteger Amount0, BigInteger Amount1) GetAmountsForLiquidityRoundingUp(BigInteger sqrtRatioX96, BigInteger sqrtRatioAX96, BigInteger sqrtRatioBX96, BigInteger liquidity) =>
        GetAmountsForLiquidity(sqrtRatioX96, sqrtRatioAX96, sqrtRatioBX96, liquidity, roundUp: true);

    /// <summary>The amounts a position of liquidity L on [A, B] holds at price P: rounded up (what the pool must own to
    /// back it) or down (what a burn of it returns, as Uniswap's).</summary>
    public static (BigInteger Amount0, BigInteger Amount1) GetAmountsForLiquidity(BigInteger sqrtRatioX96, BigInteger sqrtRatioAX96, BigInteger sqrtRatioBX96, BigInteger liquidity, bool roundUp)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        if (sqrtRatioX96 <= sqrtRatioAX96) return (SqrtPriceMath.GetAmount0Delta(sqrtRatioAX96, sqrtRatioBX96, liquidity, roundUp), 0);
        if (sqrtRatioX96 < sqrtRatioBX96)
            return (SqrtPriceMath.GetAmount0Delta(sqrtRatioX96, sqrtRatioBX96, liquidity, roundUp),
                SqrtPriceMath.GetAmount1Delta(sqrtRatioAX96, sqrtRatioX96, liquidity, roundUp));
        return (0, SqrtPriceMath.GetAmount1Delta(sqrtRatioAX96, sqrtRatioBX96, liquidity, roundUp));
    }
}

/// <summary>A repositioned curve in fixed point: liquidity L on [low, high] with the pool at the centre.</summary>
public readonly record struct FixedPointFit(
    BigInteger Liquidity,
    BigInteger SqrtPriceX96,
    BigInteger SqrtPriceLowX96,
    BigInteger SqrtPriceHighX96,
    BigInteger Amount0Needed,
    BigInteger Amount1Needed);

/// <summary>
/// The reposition fit (docs/models.md, "The fit: liquidity from reserves, centre and one bound"): with the reserves (x, y) fixed, choosing the new
/// centre √P and one bound fixes L and the other bound,
/// L = y/(√P − √pa) and 1/√pb = 1/√P − x/L (lower bound chosen), or
/// L = x/(1/√P − 1/√pb) and √pa = √P − y/L (upper bound chosen).
/// Exactly the pool's fit (ManagedPool.previewReposition / reposition, through <see cref="LiquidityFit"/>): L is one
/// exact floor, the free bound is floored, and where the pool reverts this throws <see cref="CurveMathException"/>
/// with the pool's error name (RangeUnbounded when the other reserve is too large for L, PriceOutOfBounds when the
/// free bound leaves [<see cref="MinSqrtRatio"/>, <see cref="MaxSqrtRatio"/>], ZeroLiquidity, InvalidRange).
/// The fitted position's rounded-up amounts never exceed the reserves.
/// </summary>
public static class RepositionFit
{
    /// <summary>The pool's smallest sqrt price, ManagedPool.MIN_SQRT_PRICE (= Uniswap's TickMath.MIN_SQRT_RATIO).</summary>
    public static readonly BigInteger MinSqrtRatio = PoolSwap.MinSqrtPrice;

    /// <summary>The pool's largest sqrt price, ManagedPool.MAX_SQRT_PRICE = 2^128 − 1 (below Uniswap's MAX_SQRT_RATIO:
    /// the pool stores bounds in 128 bits).</summary>
    public static readonly BigInteger MaxSqrtRatio = PoolSwap.MaxSqrtPrice;

    /// <summary>Lower bound given: L = ⌊y·2^96/(√P − √pa)⌋, then √pb = ⌊L·2^96·√P/(L·2^96 − x·√P)⌋ (LiquidityFit.fitFromLower).</summary>
    public static FixedPointFit FromLowerBound(BigInteger amount0, BigInteger amount1, BigInteger sqrtPriceX96, BigInteger sqrtPriceLowX96)
    {
        CheckPrices(sqrtPriceX96, sqrtPriceLowX96, nameof(sqrtPriceLowX96));
        if (sqrtPriceLowX96 >= sqrtPriceX96) throw new ArgumentOutOfRangeException(nameof(sqrtPriceLowX96), "lower bound must be below the centre");
        return Fit(amount0, amount1, PoolSwap.Fit(sqrtPriceX96, sqrtPriceLowX96, amount0, amount1));
    }

    /// <summary>Upper bound given: L = ⌊x·√P·√pb/((√pb − √P)·2^96)⌋, then √pa = √P − ⌊y·2^96/L⌋ (LiquidityFit.fitFromUpper).</summary>
    public static FixedPointFit FromUpperBound(BigInteger amount0, BigInteger amount1, BigInteger sqrtPriceX96, BigInteger sqrtPriceHighX96)
    {
        CheckPrices(sqrtPriceX96, sqrtPriceHighX96, nameof(sqrtPriceHighX96));
        if (sqrtPriceHighX96 <= sqrtPriceX96) throw new ArgumentOutOfRangeException(nameof(sqrtPriceHighX96), "upper bound must be above the centre");
        return Fit(amount0, amount1, PoolSwap.Fit(sqrtPriceX96, sqrtPriceHighX96, amount0, amount1));
    }

    private static FixedPointFit Fit(BigInteger amount0, BigInteger amount1, (BigInteger Liquidity, BigInteger SqrtPriceX96, BigInteger Low, BigInteger High) fit)
    {
        // The pool's liquidity, price and range after the reposition (on the pool's grid; refit of the fitted range
        // gives back exactly the fitted L).
        var (liquidity, sqrtPriceX96, low, high) = fit;
        var needed0 = SqrtPriceMath.GetAmount0Delta(sqrtPriceX96, high, liquidity, true);
        var needed1 = SqrtPriceMath.GetAmount1Delta(low, sqrtPriceX96, liquidity, true);
        return new FixedPointFit(liquidity, sqrtPriceX96, low, high, needed0, needed1);
    }

    /// <summary>
    /// The boundary from a real-number <see cref="TargetCurve"/> to the fixed-point curve the pool takes.
    /// Prices convert to raw token units (price × 10^(decimals1 − decimals0)) and to Q64.96 square
    /// roots rounded down; the bound the real fit held at full width (the wider side in log price) is
    /// kept and the other is refitted from the integer reserves, rounded in the pool's favour.
    /// </summary>
    public static FixedPointFit FromTarget(TargetCurve target, BigInteger reserve0, BigInteger reserve1, int decimals0, int decimals1)
    {
        ArgumentNullException.ThrowIfNull(target);
        var scale = Math.Pow(10, decimals1 - decimals0);
        var sqrtP = Uint.SqrtPriceX96FromPrice(target.CentrePrice * scale);
        var lowerWidth = Math.Log(target.CentrePrice / target.PriceLow);
        var upperWidth = Math.Log(target.PriceHigh / target.CentrePrice);
        return lowerWidth >= upperWidth
            ? FromLowerBound(reserve0, reserve1, sqrtP, Uint.SqrtPriceX96FromPrice(target.PriceLow * scale))
            : FromUpperBound(reserve0, reserve1, sqrtP, Uint.SqrtPriceX96FromPrice(target.PriceHigh * scale));
    }

    private static void CheckPrices(BigInteger sqrtP, BigInteger bound, string boundName)
    {
        if (sqrtP < MinSqrtRatio || sqrtP > MaxSqrtRatio) throw new ArgumentOutOfRangeException(nameof(sqrtP), "centre out of the price space");
        if (bound < MinSqrtRatio || bound > MaxSqrtRatio) throw new ArgumentOutOfRangeException(boundName, "bound out of the price space");
    }
}
