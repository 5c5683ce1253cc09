using System.Numerics;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Simulation;

/// <summary>Who sent a swap (for markouts and the conservation check).</summary>
public enum Trader : byte
{
    Noise,
    Arbitrageur,
    Informed,
}

/// <summary>One swap as the venue executed it (the on-chain venue reads the same from the Swap event).</summary>
public readonly record struct SwapRecord(int Step, Trader Trader, bool ZeroForOne, UInt256 AmountIn, UInt256 AmountInUsed, UInt256 AmountOut, UInt256 FeeAmount, UInt256 SqrtPriceAfterX96);

/// <summary>
/// The pool as agents and strategies see it: its state, a quote, a swap, a reposition, and the vault moving
/// tokens in or out. The backtest talks to a pool only through this interface, so an on-chain venue (a ManagedPool
/// on a local node, swaps and repositions as signed transactions) can replace <see cref="InMemoryVenue"/> and must
/// produce the same swaps and final reserves for the same scenario and seed. Amounts are raw token units (token0 =
/// base, token1 = quote); refusals are the pool's own (<see cref="CurveMathException"/> reasons), reported as
/// <c>false</c> by <see cref="TrySwap"/>.
/// </summary>
public interface IPoolVenue
{
    /// <summary>The pool's state now (price, range, reserves, L, fee).</summary>
    ref readonly FastPoolState State { get; }

    /// <summary>The time of the last reposition (unix seconds; 0 before any).</summary>
    long LastRepositionTime { get; }

    /// <summary>ManagedPool.quoteExactIn; null when the pool would refuse the swap.</summary>
    FastPoolQuote? Quote(bool zeroForOne, UInt256 amountIn);

    /// <summary>ManagedPool.swapExactIn from <paramref name="trader"/>; false (state unchanged) when the pool refuses.</summary>
    bool TrySwap(int step, Trader trader, bool zeroForOne, UInt256 amountIn, out FastPoolQuote quote);

    /// <summary>TreasuryVault.rebalance → ManagedPool.reposition: new centre, one bound (the other fitted), fee; no tokens move.</summary>
    void Reposition(UInt256 sqrtPriceX96, UInt256 sqrtPriceBoundX96, int feePips, long timestamp);

    /// <summary>The vault deposits into or withdraws from the pool so that it holds these reserves (ManagedPool.sync refits L on the unchanged range).</summary>
    void SetReserves(UInt256 reserve0, UInt256 reserve1);

    /// <summary>Every swap executed, in order, when the venue was made to record them (null otherwise).</summary>
    IReadOnlyList<SwapRecord>? Swaps { get; }
}

/// <summary>Makes the pools the strategies use: in memory here; an on-chain factory deploys a ManagedPool per call.</summary>
public interface IVenueFactory
{
    /// <summary>A pool at price <paramref name="sqrtPriceX96"/> holding these reserves, no liquidity yet (the strategy repositions it).</summary>
    IPoolVenue Create(UInt256 sqrtPriceX96, UInt256 reserve0, UInt256 reserve1, int feePips, bool recordSwaps = false);
}

/// <summary>The in-memory pools of the Monte Carlo mode.</summary>
public sealed class InMemoryVenueFactory : IVenueFactory
{
    public static readonly InMemoryVenueFactory Instance = new();

    /// <summary>Record every pool's swaps (for comparing with another venue), not only the managed pool's.</summary>
    public bool RecordAll { get; init; }

    public IPoolVenue Create(UInt256 sqrtPriceX96, UInt256 reserve0, UInt256 reserve1, int feePips, bool recordSwaps = false) =>
        InMemoryVenue.Empty(sqrtPriceX96, reserve0, reserve1, feePips, recordSwaps || RecordAll);
}

/// <summary>
/// The in-memory pool: <see cref="FastPoolSwap"/> (UInt256, bit-exact with the contract) for swaps, the BigInteger
/// <see cref="PoolSwap"/> mirror for the rare reposition and sync. Optionally records every swap.
/// </summary>
public sealed class InMemoryVenue(FastPoolState initial, bool recordSwaps = false) : IPoolVenue
{
    private FastPoolState _state = initial;

    public ref readonly FastPoolState State => ref _state;

    public long LastRepositionTime { get; private set; }

    private readonly List<SwapRecord>? _swaps = recordSwaps ? [] : null;

    /// <summary>Every swap executed (when recording).</summary>
    public IReadOnlyList<SwapRecord>? Swaps => _swaps;

    public int SwapCount { get; private set; }

    /// <summary>A pool holding these reserves and no liquidity yet (price <paramref name="sqrtPriceX96"/>, no range).</summary>
    public static InMemoryVenue Empty(UInt256 sqrtPriceX96, UInt256 reserve0, UInt256 reserve1, int feePips, bool recordSwaps = false) =>
        new(new FastPoolState { SqrtPriceX96 = sqrtPriceX96, Reserve0 = reserve0, Reserve1 = reserve1, FeePips = feePips }, recordSwaps);

    // The last quote, kept until the state changes: a quote followed by the same swap (the arbitrageur's and the
    // informed trader's pattern) applies it instead of computing the step twice. Swap = Quote + this apply, so the
    // result is the same bit for bit (checked against PoolSwap in the tests).
    private bool _cached;
    private bool _cachedZeroForOne;
    private UInt256 _cachedAmountIn;
    private FastPoolQuote _cachedQuote;

    public FastPoolQuote? Quote(bool zeroForOne, UInt256 amountIn)
    {
        if (!CanSwap(in _state, zeroForOne, amountIn)) return null;
        if (_cached && _cachedZeroForOne == zeroForOne && _cachedAmountIn == amountIn) return _cachedQuote;
        try
        {
            var q = FastPoolSwap.Quote(_state, zeroForOne, amountIn);
            (_cached, _cachedZeroForOne, _cachedAmountIn, _cachedQuote) = (true, zeroForOne, amountIn, q);
            return q;
        }
        catch (CurveMathException)
        {
            return null;
        }
    }

    public bool TrySwap(int step, Trader trader, bool zeroForOne, UInt256 amountIn, out FastPoolQuote quote)
    {
        quote = default;
        // the pool's cheap refusals checked first: exceptions are for the rare ones
        if (!CanSwap(in _state, zeroForOne, amountIn)) return false;
        try
        {
            if (_cached && _cachedZeroForOne == zeroForOne && _cachedAmountIn == amountIn)
            {
                quote = _cachedQuote;
                Apply(ref _state, zeroForOne, quote);
            }
            else
            {
                quote = FastPoolSwap.Swap(ref _state, zeroForOne, amountIn);
            }
        }
        catch (CurveMathException)
        {
            return false;
        }
        _cached = false;
        SwapCount++;
        _swaps?.Add(new SwapRecord(step, trader, zeroForOne, amountIn, quote.AmountInUsed, quote.AmountOut, quote.FeeAmount, quote.SqrtPriceAfterX96));
        return true;
    }

    /// <summary>FastPoolSwap.Swap after its quote: reserves moved, price set, the same checks (state unchanged on failure).</summary>
    private static void Apply(ref FastPoolState state, bool zeroForOne, in FastPoolQuote q)
    {
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
    }

    private static bool CanSwap(in FastPoolState s, bool zeroForOne, UInt256 amountIn) =>
        !amountIn.IsZero && amountIn.FitsInUInt128 && !s.Liquidity.IsZero
        && s.SqrtPriceX96 != (zeroForOne ? s.SqrtPriceLowX96 : s.SqrtPriceHighX96);

    public void Reposition(UInt256 sqrtPriceX96, UInt256 sqrtPriceBoundX96, int feePips, long timestamp)
    {
        var next = PoolSwap.Reposition(_state.ToPoolState(), sqrtPriceX96, sqrtPriceBoundX96, feePips);
        _state = FastPoolState.FromPoolState(next);
        _cached = false;
        LastRepositionTime = timestamp;
    }

    public void SetReserves(UInt256 reserve0, UInt256 reserve1)
    {
        _cached = false;
        _state = WithReserves(_state, reserve0, reserve1);
    }

    /// <summary>
    /// The state after ManagedPool.sync left these reserves: L refitted on the unchanged range
    /// (<see cref="PoolSwap.Sync"/>); no liquidity when there was none, the reserves are empty, or no L fits them.
    /// One rule for every in-memory venue.
    /// </summary>
    internal static FastPoolState WithReserves(FastPoolState state, UInt256 reserve0, UInt256 reserve1)
    {
        var s = state.ToPoolState();
        if (!s.Liquidity.IsZero && !(reserve0.IsZero && reserve1.IsZero))
        {
            try
            {
                return FastPoolState.FromPoolState(PoolSwap.Sync(s, reserve0, reserve1));
            }
            catch (CurveMathException)
            {
                // no liquidity fits these reserves on the range: the pool holds them idle
            }
        }
        state.Reserve0 = reserve0;
        state.Reserve1 = reserve1;
        state.Liquidity = UInt256.Zero;
        return state;
    }
}

/// <summary>Conversions between human amounts and raw 18-decimal units, and prices.</summary>
public static class Units
{
    public const double One = 1e18;
    private const double Q96 = 79228162514264337593543950336.0;

    public static UInt256 Raw(double human)
    {
        var v = Math.Floor(human * One);
        return v <= 0 ? UInt256.Zero : v >= 3.4e38 ? UInt256.MaxUInt128 : (UInt256)(UInt128)v;
    }

    public static double Human(UInt256 raw) => (double)raw / One;

    public static double Price(UInt256 sqrtPriceX96)
    {
        var s = (double)sqrtPriceX96 / Q96;
        return s * s;
    }

    public static UInt256 SqrtPriceX96(double price) => UInt256.FromBigInteger(Uint.SqrtPriceX96FromPrice(price));

    public static BigInteger Big(UInt256 v) => v;
}
