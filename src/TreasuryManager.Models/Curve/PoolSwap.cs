using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>
/// The state of one ManagedPool that its math reads: price, range, reserves, fee and the stored liquidity
/// (contracts/ManagedPool.sol). <paramref name="Liquidity"/> is constant across swaps; reposition sets the fitted L,
/// sync and withdraw <see cref="LiquidityFit.Refit"/> of the state (<see cref="PoolSwap.Sync"/>).
/// </summary>
public sealed record PoolState(
    BigInteger SqrtPriceX96,
    BigInteger SqrtPriceLowX96,
    BigInteger SqrtPriceHighX96,
    BigInteger Reserve0,
    BigInteger Reserve1,
    int FeePips,
    BigInteger Liquidity)
{
    /// <summary>LiquidityFit.refit(P, low, high, reserve0, reserve1): the most liquidity the reserves cover on the
    /// range at the price. Never below <see cref="Liquidity"/> (the pool's solvency); the excess is idle surplus
    /// (swap fees, an unfitted deposit) that the next reposition puts to work.</summary>
    public BigInteger Capacity => LiquidityFit.Refit(SqrtPriceX96, SqrtPriceLowX96, SqrtPriceHighX96, Reserve0, Reserve1);
}

/// <summary>What ManagedPool.quoteExactIn returns (and swapExactIn emits in its Swap event).</summary>
/// <param name="AmountInUsed">Input pulled from the trader: the step's amountIn plus its fee (&lt; amountIn only
/// when the swap stops at the range edge).</param>
/// <param name="AmountOut">Output paid.</param>
/// <param name="FeeAmount">The fee part of <paramref name="AmountInUsed"/>.</param>
/// <param name="SqrtPriceAfterX96">The price after the swap.</param>
public readonly record struct PoolQuote(BigInteger AmountInUsed, BigInteger AmountOut, BigInteger FeeAmount, BigInteger SqrtPriceAfterX96);

/// <summary>
/// ManagedPool's swap and reposition, bit for bit: one <see cref="SwapMath.ComputeSwapStep"/> from the current price
/// toward the range edge in the swap's direction with the stored L (unchanged by the swap),
/// amountInUsed = amountIn_step + feeAmount; the reposition through <see cref="LiquidityFit.FitFromLower"/> /
/// <see cref="LiquidityFit.FitFromUpper"/>. Failures throw <see cref="CurveMathException"/> with the pool's custom
/// error name as the reason (ZeroAmount, AmountTooLarge, NoLiquidity, RangeEdgeReached, PriceOutOfBounds,
/// InvalidBound, InvalidRange, ReserveOverflow, and the libraries' errors).
/// </summary>
public static class PoolSwap
{
    /// <summary>ManagedPool.MIN_SQRT_PRICE (Uniswap v3's MIN_SQRT_RATIO).</summary>
    public static readonly BigInteger MinSqrtPrice = 4295128739;

    /// <summary>ManagedPool.MAX_SQRT_PRICE = 2^128 − 1 (bounds are stored in 128 bits).</summary>
    public static readonly BigInteger MaxSqrtPrice = Uint.Max128;

    /// <summary>ManagedPool.quoteExactIn(zeroForOne, amountIn) for the pool in <paramref name="state"/>.</summary>
    public static PoolQuote Quote(PoolState state, bool zeroForOne, BigInteger amountIn)
    {
        ArgumentNullException.ThrowIfNull(state);
        Uint.Check256(amountIn, nameof(amountIn));
        if (amountIn.IsZero) throw new CurveMathException("ZeroAmount");
        if (amountIn > Uint.Max128) throw new CurveMathException("AmountTooLarge");
        var l = state.Liquidity;
        if (l.IsZero) throw new CurveMathException("NoLiquidity");
        var target = zeroForOne ? state.SqrtPriceLowX96 : state.SqrtPriceHighX96;
        if (state.SqrtPriceX96 == target) throw new CurveMathException("RangeEdgeReached");
        var step = SwapMath.ComputeSwapStep(state.SqrtPriceX96, target, l, amountIn, state.FeePips);
        return new PoolQuote(step.AmountIn + step.FeeAmount, step.AmountOut, step.FeeAmount, step.SqrtPriceNextX96);
    }

    /// <summary>The state after ManagedPool.swapExactIn (the quote applied: price moved, input in, output out).</summary>
    public static (PoolState State, PoolQuote Quote) Swap(PoolState state, bool zeroForOne, BigInteger amountIn)
    {
        var q = Quote(state, zeroForOne, amountIn);
        var r0 = zeroForOne ? state.Reserve0 + q.AmountInUsed : state.Reserve0 - q.AmountOut;
        var r1 = zeroForOne ? state.Reserve1 - q.AmountOut : state.Reserve1 + q.AmountInUsed;
        if (r0.Sign < 0 || r1.Sign < 0) throw new CurveMathException("Panic(0x11)");
        if (r0 > Uint.Max128 || r1 > Uint.Max128) throw new CurveMathException("ReserveOverflow");
        return (state with { SqrtPriceX96 = q.SqrtPriceAfterX96, Reserve0 = r0, Reserve1 = r1 }, q);
    }

    /// <summary>ManagedPool._bounds: the new range for centre <paramref name="sqrtPriceX96"/> and one given bound
    /// (below the centre: the lower bound, above: the upper), the other fitted to the reserves (on the grid, see <see cref="Fit"/>).</summary>
    public static (BigInteger SqrtPriceLowX96, BigInteger SqrtPriceHighX96) Bounds(BigInteger sqrtPriceX96, BigInteger sqrtPriceBoundX96, BigInteger reserve0, BigInteger reserve1)
    {
        var fit = Fit(sqrtPriceX96, sqrtPriceBoundX96, reserve0, reserve1);
        return (fit.SqrtPriceLowX96, fit.SqrtPriceHighX96);
    }

    /// <summary>ManagedPool._bounds: the new price and range on <see cref="SqrtPriceGrid"/> (the centre and the given
    /// bound rounded down), L fitted from the given bound's side, the derived bound rounded toward the price (down for
    /// an upper, up for a lower bound), so that <see cref="LiquidityFit.Refit"/> of the result is L.</summary>
    public static (BigInteger Liquidity, BigInteger SqrtPriceX96, BigInteger SqrtPriceLowX96, BigInteger SqrtPriceHighX96) Fit(BigInteger sqrtPriceX96, BigInteger sqrtPriceBoundX96, BigInteger reserve0, BigInteger reserve1)
    {
        CheckPrice(sqrtPriceX96);
        CheckPrice(sqrtPriceBoundX96);
        var price = SqrtPriceGrid.RoundDown(sqrtPriceX96);
        var given = SqrtPriceGrid.RoundDown(sqrtPriceBoundX96);
        BigInteger l, low, high;
        if (given < price)
        {
            (l, var other) = LiquidityFit.FitFromLower(price, given, reserve0, reserve1);
            CheckPrice(other);
            (low, high) = (given, SqrtPriceGrid.RoundDown(other));
        }
        else if (given > price)
        {
            (l, var other) = LiquidityFit.FitFromUpper(price, given, reserve0, reserve1);
            CheckPrice(other);
            (low, high) = (SqrtPriceGrid.RoundUp(other), given);
        }
        else
        {
            throw new CurveMathException("InvalidBound");
        }

        if (low == high) throw new CurveMathException("InvalidRange");
        return (l, price, low, high);
    }

    /// <summary>ManagedPool.previewReposition: the fitted liquidity and range a reposition to this centre and bound gives.</summary>
    public static (BigInteger Liquidity, BigInteger SqrtPriceLowX96, BigInteger SqrtPriceHighX96) PreviewReposition(PoolState state, BigInteger sqrtPriceX96, BigInteger sqrtPriceBoundX96)
    {
        ArgumentNullException.ThrowIfNull(state);
        var fit = Fit(sqrtPriceX96, sqrtPriceBoundX96, state.Reserve0, state.Reserve1);
        return (fit.Liquidity, fit.SqrtPriceLowX96, fit.SqrtPriceHighX96);
    }

    /// <summary>The state after ManagedPool.reposition (no token moves: new price, range, fee and the fitted L).</summary>
    public static PoolState Reposition(PoolState state, BigInteger sqrtPriceX96, BigInteger sqrtPriceBoundX96, int feePips)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (feePips < 0 || feePips >= SwapMath.PipsDenominator) throw new CurveMathException("InvalidFee");
        var fit = Fit(sqrtPriceX96, sqrtPriceBoundX96, state.Reserve0, state.Reserve1);
        return state with { SqrtPriceX96 = fit.SqrtPriceX96, SqrtPriceLowX96 = fit.SqrtPriceLowX96, SqrtPriceHighX96 = fit.SqrtPriceHighX96, FeePips = feePips, Liquidity = fit.Liquidity };
    }

    /// <summary>The state after ManagedPool.sync or withdraw left these reserves: L refitted on the unchanged range.</summary>
    public static PoolState Sync(PoolState state, BigInteger reserve0, BigInteger reserve1)
    {
        ArgumentNullException.ThrowIfNull(state);
        var s = state with { Reserve0 = reserve0, Reserve1 = reserve1 };
        return s with { Liquidity = s.Capacity };
    }

    private static void CheckPrice(BigInteger sqrtPriceX96)
    {
        if (sqrtPriceX96 < MinSqrtPrice || sqrtPriceX96 > MaxSqrtPrice) throw new CurveMathException("PriceOutOfBounds");
    }
}
