namespace TreasuryManager.Models.Curve;

/// <summary>
/// A mutable, allocation-free copy of <see cref="PoolState"/> for backtest hot loops: the same fields as
/// <see cref="UInt256"/> words. Convert with <see cref="FromPoolState"/> / <see cref="ToPoolState"/>; swap in place
/// with <see cref="FastPoolSwap.Swap"/>.
/// </summary>
public struct FastPoolState : IEquatable<FastPoolState>
{
    public UInt256 SqrtPriceX96;
    public UInt256 SqrtPriceLowX96;
    public UInt256 SqrtPriceHighX96;
    public UInt256 Reserve0;
    public UInt256 Reserve1;
    public UInt256 Liquidity;
    public int FeePips;

    /// <summary>The state's fields as 256-bit words; throws <see cref="OverflowException"/> if one is negative or
    /// does not fit in 256 bits.</summary>
    public static FastPoolState FromPoolState(PoolState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new FastPoolState
        {
            SqrtPriceX96 = UInt256.FromBigInteger(state.SqrtPriceX96),
            SqrtPriceLowX96 = UInt256.FromBigInteger(state.SqrtPriceLowX96),
            SqrtPriceHighX96 = UInt256.FromBigInteger(state.SqrtPriceHighX96),
            Reserve0 = UInt256.FromBigInteger(state.Reserve0),
            Reserve1 = UInt256.FromBigInteger(state.Reserve1),
            Liquidity = UInt256.FromBigInteger(state.Liquidity),
            FeePips = state.FeePips,
        };
    }

    public readonly PoolState ToPoolState() =>
        new(SqrtPriceX96, SqrtPriceLowX96, SqrtPriceHighX96, Reserve0, Reserve1, FeePips, Liquidity);

    public readonly bool Equals(FastPoolState other) =>
        SqrtPriceX96 == other.SqrtPriceX96 && SqrtPriceLowX96 == other.SqrtPriceLowX96
        && SqrtPriceHighX96 == other.SqrtPriceHighX96 && Reserve0 == other.Reserve0 && Reserve1 == other.Reserve1
        && Liquidity == other.Liquidity && FeePips == other.FeePips;

    public override readonly bool Equals(object? obj) => obj is FastPoolState other && Equals(other);

    public override readonly int GetHashCode() =>
        HashCode.Combine(SqrtPriceX96, SqrtPriceLowX96, SqrtPriceHighX96, Reserve0, Reserve1, Liquidity, FeePips);

    public static bool operator ==(FastPoolState left, FastPoolState right) => left.Equals(right);

    public static bool operator !=(FastPoolState left, FastPoolState right) => !left.Equals(right);
}

/// <summary>What <see cref="FastPoolSwap.Quote"/> returns (as <see cref="PoolQuote"/>).</summary>
public readonly record struct FastPoolQuote(UInt256 AmountInUsed, UInt256 AmountOut, UInt256 FeeAmount, UInt256 SqrtPriceAfterX96)
{
    public PoolQuote ToPoolQuote() => new(AmountInUsed, AmountOut, FeeAmount, SqrtPriceAfterX96);
}

/// <summary>
/// <see cref="PoolSwap.Quote"/> and <see cref="PoolSwap.Swap"/> on <see cref="UInt256"/> (ManagedPool.quoteExactIn /
/// swapExactIn): one <see cref="FastSwapMath.ComputeSwapStep"/> from the current price toward the range edge in the
/// swap's direction with the stored L, amountInUsed = amountIn + fee, the same checks in the same order and the same
/// <see cref="CurveMathException"/> reasons. Results equal the <c>BigInteger</c> mirror bit for bit
/// (tests/…/Curve/UInt256Properties.cs) at a fraction of the cost and without allocating.
/// </summary>
public static class FastPoolSwap
{
    /// <summary>ManagedPool.quoteExactIn(zeroForOne, amountIn) for the pool in <paramref name="state"/>.</summary>
    public static FastPoolQuote Quote(in FastPoolState state, bool zeroForOne, UInt256 amountIn)
    {
        if (amountIn.IsZero) throw new CurveMathException("ZeroAmount");
        if (!amountIn.FitsInUInt128) throw new CurveMathException("AmountTooLarge");
        var l = state.Liquidity;
        if (l.IsZero) throw new CurveMathException("NoLiquidity");
        var target = zeroForOne ? state.SqrtPriceLowX96 : state.SqrtPriceHighX96;
        if (state.SqrtPriceX96 == target) throw new CurveMathException("RangeEdgeReached");
        var step = FastSwapMath.ComputeSwapStep(state.SqrtPriceX96, target, l, amountIn, exactIn: true, state.FeePips);
        // (amountIn + fee ≤ the input, < 2^129: the checked add cannot fail)
        return new FastPoolQuote(UInt256.CheckedAdd(step.AmountIn, step.FeeAmount), step.AmountOut, step.FeeAmount, step.SqrtPriceNextX96);
    }

    /// <summary>ManagedPool.swapExactIn applied to <paramref name="state"/> in place (price moved, input in, output
    /// out). On failure the state is left unchanged.</summary>
    public static FastPoolQuote Swap(ref FastPoolState state, bool zeroForOne, UInt256 amountIn)
    {
        var q = Quote(state, zeroForOne, amountIn);
        UInt256 r0, r1;
        bool overflow, underflow;
        if (zeroForOne)
        {
            r0 = UInt256.AddWithCarry(state.Reserve0, q.AmountInUsed, out overflow);
            r1 = UInt256.SubtractWithBorrow(state.Reserve1, q.AmountOut, out underflow);
        }
        else
        {
            r0 = UInt256.SubtractWithBorrow(state.Reserve0, q.AmountOut, out underflow);
            r1 = UInt256.AddWithCarry(state.Reserve1, q.AmountInUsed, out overflow);
        }

        if (underflow) throw new CurveMathException("Panic(0x11)");
        if (overflow || !r0.FitsInUInt128 || !r1.FitsInUInt128) throw new CurveMathException("ReserveOverflow");
        state.SqrtPriceX96 = q.SqrtPriceAfterX96;
        state.Reserve0 = r0;
        state.Reserve1 = r1;
        return q;
    }
}
