using System.Collections.Immutable;
using System.Numerics;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.UniswapV3;

/// <summary>A Uniswap v3 fee tier: the swap fee in pips (1e6 = 100%) and the tick spacing the factory pairs with it.</summary>
public readonly record struct FeeTier(int FeePips, int TickSpacing)
{
    /// <summary>0.01%, spacing 1 (enabled by governance after launch: <c>enableFeeAmount(100, 1)</c>).</summary>
    public static readonly FeeTier Lowest = new(100, 1);

    /// <summary>0.05%, spacing 10 (the factory's constructor).</summary>
    public static readonly FeeTier Low = new(500, 10);

    /// <summary>0.3%, spacing 60 (the factory's constructor).</summary>
    public static readonly FeeTier Medium = new(3000, 60);

    /// <summary>1%, spacing 200 (the factory's constructor).</summary>
    public static readonly FeeTier High = new(10_000, 200);

    public static IReadOnlyList<FeeTier> All { get; } = [Lowest, Low, Medium, High];

    /// <summary>Tick.tickSpacingToMaxLiquidityPerTick: (2^128 − 1) / the number of usable ticks.</summary>
    public BigInteger MaxLiquidityPerTick
    {
        get
        {
            var (minTick, maxTick) = TickMath.UsableTicks(TickSpacing);
            var numTicks = (maxTick - minTick) / TickSpacing + 1;
            return Uint.Max128 / numTicks;
        }
    }

    /// <summary>The lowest and highest ticks a position can use in this tier (multiples of the spacing).</summary>
    public int MinUsableTick => TickMath.UsableTicks(TickSpacing).Min;

    public int MaxUsableTick => TickMath.UsableTicks(TickSpacing).Max;
}

/// <summary>Tick.Info without the oracle fields: the liquidity referencing the tick, the liquidity added when the
/// price crosses it upward (removed downward), and the fee growth on the side of it away from the current tick.</summary>
public sealed record TickInfo(BigInteger LiquidityGross, BigInteger LiquidityNet, BigInteger FeeGrowthOutside0X128, BigInteger FeeGrowthOutside1X128);

/// <summary>A position's key: its owner (an opaque label; on chain the owner's address) and its tick range.</summary>
public readonly record struct PositionKey(string Owner, int TickLower, int TickUpper);

/// <summary>Position.Info: liquidity, the fee growth inside at its last update (Q128) and the tokens owed to it.</summary>
public sealed record PositionInfo(BigInteger Liquidity, BigInteger FeeGrowthInside0LastX128, BigInteger FeeGrowthInside1LastX128, BigInteger TokensOwed0, BigInteger TokensOwed1)
{
    public static readonly PositionInfo Empty = new(0, 0, 0, 0, 0);
}

/// <summary>What mint pays into the pool (rounded up) or burn credits to the position (rounded down).</summary>
public readonly record struct PositionAmounts(BigInteger Amount0, BigInteger Amount1);

/// <summary>What collect transfers out: min(requested, owed) for each token.</summary>
public readonly record struct CollectedAmounts(BigInteger Amount0, BigInteger Amount1);

/// <summary>The pool's Swap event: the signed deltas of the pool's balances (positive: paid in, negative: paid out)
/// and the price, liquidity and tick after the swap.</summary>
public readonly record struct SwapOutcome(BigInteger Amount0, BigInteger Amount1, BigInteger SqrtPriceX96, BigInteger Liquidity, int Tick);

/// <summary>
/// Uniswap v3-core's UniswapV3Pool (1.0.1) as a pure value, exact to the unit (docs/models.md, "The Uniswap v3 pool model"): slot0's price and tick, the active
/// liquidity, fee growth (global per token, outside per initialised tick, inside per position, all Q128 and wrapping
/// mod 2^256 as the 0.7 Solidity does), the tick bitmap (<see cref="InitializedTicks"/>) searched one 256-tick word at a
/// time, mint (amounts rounded up), burn (rounded down, credited to tokens owed), collect, and swap exact-in and
/// exact-out to a price limit, crossing initialised ticks. Every operation returns the new pool and the amounts; the
/// receiver is not changed. Failures throw <see cref="CurveMathException"/> with the pool's revert reason ("TLU",
/// "TLM", "TUM", "LO", "LS", "LA", "NP", "AS", "SPL", "R", "T"). Not modelled: the oracle (observations, seconds per
/// liquidity) and the protocol fee (both leave the amounts unchanged while feeProtocol is 0, the factory default).
/// </summary>
public sealed record UniswapV3PoolModel
{
    private static readonly BigInteger Q128 = BigInteger.One << 128;
    private static readonly BigInteger Two256 = BigInteger.One << 256;
    private static readonly BigInteger MinInt256 = -(BigInteger.One << 255);
    private static readonly BigInteger MaxInt256 = (BigInteger.One << 255) - 1;

    public required FeeTier Fee { get; init; }

    public required BigInteger SqrtPriceX96 { get; init; }

    public required int Tick { get; init; }

    /// <summary>The in-range liquidity (the pool's <c>liquidity()</c>).</summary>
    public required BigInteger Liquidity { get; init; }

    public required BigInteger FeeGrowthGlobal0X128 { get; init; }

    public required BigInteger FeeGrowthGlobal1X128 { get; init; }

    /// <summary>Initialised ticks (liquidityGross &gt; 0) and their state.</summary>
    public required ImmutableDictionary<int, TickInfo> Ticks { get; init; }

    /// <summary>The tick bitmap: the initialised ticks in order.</summary>
    public required ImmutableSortedSet<int> InitializedTicks { get; init; }

    public required ImmutableDictionary<PositionKey, PositionInfo> Positions { get; init; }

    /// <summary>A new pool after <c>createPool</c> + <c>initialize(sqrtPriceX96)</c>: tick = getTickAtSqrtRatio, nothing else.</summary>
    public static UniswapV3PoolModel Initialize(FeeTier fee, BigInteger sqrtPriceX96)
    {
        if (fee.FeePips is < 0 or >= SwapMath.PipsDenominator)
            throw new ArgumentOutOfRangeException(nameof(fee), fee, "fee must be in [0, 1e6) pips");
        if (fee.TickSpacing is <= 0 or >= 16384)
            throw new ArgumentOutOfRangeException(nameof(fee), fee, "tick spacing must be in (0, 16384), as the factory requires");
        return new UniswapV3PoolModel
        {
            Fee = fee,
            SqrtPriceX96 = sqrtPriceX96,
            Tick = TickMath.GetTickAtSqrtRatio(sqrtPriceX96),
            Liquidity = 0,
            FeeGrowthGlobal0X128 = 0,
            FeeGrowthGlobal1X128 = 0,
            Ticks = ImmutableDictionary<int, TickInfo>.Empty,
            InitializedTicks = ImmutableSortedSet<int>.Empty,
            Positions = ImmutableDictionary<PositionKey, PositionInfo>.Empty,
        };
    }

    /// <summary>The position's state (<see cref="PositionInfo.Empty"/> if never touched).</summary>
    public PositionInfo Position(PositionKey key) => Positions.GetValueOrDefault(key, PositionInfo.Empty);

    /// <summary>The tick's state (all zero if not initialised).</summary>
    public TickInfo TickAt(int tick) => Ticks.GetValueOrDefault(tick, EmptyTick);

    private static readonly TickInfo EmptyTick = new(0, 0, 0, 0);

    // ---------------------------------------------------------------- mint, burn, collect

    /// <summary>
    /// mint(owner, tickLower, tickUpper, amount): adds <paramref name="amount"/> liquidity and returns what the minter
    /// pays, rounded up — below the range token0 only, L·(1/√Pa − 1/√Pb); inside it token0 on [P, Pb] and token1 on
    /// [Pa, P] (and the active liquidity grows); above it token1 only, L·(√Pb − √Pa).
    /// </summary>
    public (UniswapV3PoolModel Pool, PositionAmounts Paid) Mint(PositionKey position, BigInteger amount)
    {
        Uint.Check128(amount, nameof(amount));
        if (amount.IsZero) throw new CurveMathException("mint amount is zero");
        return ModifyPosition(position, amount);
    }

    /// <summary>
    /// burn(tickLower, tickUpper, amount) by the owner: removes liquidity, credits the amounts (rounded down) and the
    /// fees earned since the position's last update to its tokens owed. amount = 0 is a poke (fees only; "NP" for an
    /// empty position).
    /// </summary>
    public (UniswapV3PoolModel Pool, PositionAmounts Credited) Burn(PositionKey position, BigInteger amount)
    {
        Uint.Check128(amount, nameof(amount));
        var (pool, amounts) = ModifyPosition(position, -amount);
        var amount0 = -amounts.Amount0;
        var amount1 = -amounts.Amount1;
        if (amount0.Sign > 0 || amount1.Sign > 0)
        {
            var p = pool.Position(position);
            pool = pool with
            {
                Positions = pool.Positions.SetItem(position, p with
                {
                    TokensOwed0 = (p.TokensOwed0 + amount0) & Uint.Max128, // uint128 arithmetic, unchecked in 0.7
                    TokensOwed1 = (p.TokensOwed1 + amount1) & Uint.Max128,
                }),
            };
        }

        return (pool, new PositionAmounts(amount0, amount1));
    }

    /// <summary>collect(recipient, tickLower, tickUpper, amount0Requested, amount1Requested): pays min(requested, owed).</summary>
    public (UniswapV3PoolModel Pool, CollectedAmounts Collected) Collect(PositionKey position, BigInteger amount0Requested, BigInteger amount1Requested)
    {
        Uint.Check128(amount0Requested, nameof(amount0Requested));
        Uint.Check128(amount1Requested, nameof(amount1Requested));
        var p = Position(position);
        var amount0 = BigInteger.Min(amount0Requested, p.TokensOwed0);
        var amount1 = BigInteger.Min(amount1Requested, p.TokensOwed1);
        if (amount0.IsZero && amount1.IsZero) return (this, new CollectedAmounts(0, 0));
        var next = this with
        {
            Positions = Positions.SetItem(position, p with { TokensOwed0 = p.TokensOwed0 - amount0, TokensOwed1 = p.TokensOwed1 - amount1 }),
        };
        return (next, new CollectedAmounts(amount0, amount1));
    }

    /// <summary>_modifyPosition: the position and its ticks updated, then the signed amounts (positive: owed to the
    /// pool, rounded up; negative: owed by it, rounded down).</summary>
    private (UniswapV3PoolModel Pool, PositionAmounts Amounts) ModifyPosition(PositionKey position, BigInteger liquidityDelta)
    {
        var (lower, upper) = (position.TickLower, position.TickUpper);
        if (lower >= upper) throw new CurveMathException("TLU");
        if (lower < TickMath.MinTick) throw new CurveMathException("TLM");
        if (upper > TickMath.MaxTick) throw new CurveMathException("TUM");

        var pool = UpdatePosition(position, liquidityDelta);
        if (liquidityDelta.IsZero) return (pool, new PositionAmounts(0, 0));

        var sqrtLower = TickMath.GetSqrtRatioAtTick(lower);
        var sqrtUpper = TickMath.GetSqrtRatioAtTick(upper);
        BigInteger amount0 = 0, amount1 = 0;
        if (Tick < lower)
        {
            amount0 = Amount0Delta(sqrtLower, sqrtUpper, liquidityDelta);
        }
        else if (Tick < upper)
        {
            amount0 = Amount0Delta(SqrtPriceX96, sqrtUpper, liquidityDelta);
            amount1 = Amount1Delta(sqrtLower, SqrtPriceX96, liquidityDelta);
            pool = pool with { Liquidity = AddDelta(Liquidity, liquidityDelta) };
        }
        else
        {
            amount1 = Amount1Delta(sqrtLower, sqrtUpper, liquidityDelta);
        }

        return (pool, new PositionAmounts(amount0, amount1));
    }

    /// <summary>SqrtPriceMath's signed getAmount0Delta: adding liquidity rounds up, removing rounds down (and negates).</summary>
    private static BigInteger Amount0Delta(BigInteger sqrtA, BigInteger sqrtB, BigInteger liquidityDelta) =>
        liquidityDelta.Sign < 0
            ? -SqrtPriceMath.GetAmount0Delta(sqrtA, sqrtB, -liquidityDelta, false)
            : SqrtPriceMath.GetAmount0Delta(sqrtA, sqrtB, liquidityDelta, true);

    private static BigInteger Amount1Delta(BigInteger sqrtA, BigInteger sqrtB, BigInteger liquidityDelta) =>
        liquidityDelta.Sign < 0
            ? -SqrtPriceMath.GetAmount1Delta(sqrtA, sqrtB, -liquidityDelta, false)
            : SqrtPriceMath.GetAmount1Delta(sqrtA, sqrtB, liquidityDelta, true);

    /// <summary>_updatePosition: both ticks updated (and flipped in the bitmap), the fee growth inside the range, the
    /// position's fees credited; ticks flipped to empty by a burn are cleared.</summary>
    private UniswapV3PoolModel UpdatePosition(PositionKey position, BigInteger liquidityDelta)
    {
        var (lower, upper) = (position.TickLower, position.TickUpper);
        var ticks = Ticks;
        var bitmap = InitializedTicks;
        bool flippedLower = false, flippedUpper = false;
        if (!liquidityDelta.IsZero)
        {
            (ticks, flippedLower) = UpdateTick(ticks, lower, liquidityDelta, upper: false);
            (ticks, flippedUpper) = UpdateTick(ticks, upper, liquidityDelta, upper: true);
            if (flippedLower) bitmap = FlipTick(bitmap, lower);
            if (flippedUpper) bitmap = FlipTick(bitmap, upper);
        }

        var (inside0, inside1) = FeeGrowthInside(ticks, lower, upper);
        var positions = Positions.SetItem(position, UpdatePositionInfo(Position(position), liquidityDelta, inside0, inside1));
        if (liquidityDelta.Sign < 0)
        {
            if (flippedLower) ticks = ticks.Remove(lower);
            if (flippedUpper) ticks = ticks.Remove(upper);
        }

        return this with { Ticks = ticks, InitializedTicks = bitmap, Positions = positions };
    }

    /// <summary>Tick.update: gross liquidity ± delta (checked against the tier's maximum, "LO"), net liquidity + delta
    /// at a lower tick and − delta at an upper one; a newly initialised tick at or below the current tick takes the
    /// global fee growth as its outside value (all growth so far counted below it).</summary>
    private (ImmutableDictionary<int, TickInfo> Ticks, bool Flipped) UpdateTick(ImmutableDictionary<int, TickInfo> ticks, int tick, BigInteger liquidityDelta, bool upper)
    {
        var info = ticks.GetValueOrDefault(tick, EmptyTick);
        var grossBefore = info.LiquidityGross;
        var grossAfter = AddDelta(grossBefore, liquidityDelta);
        if (grossAfter > Fee.MaxLiquidityPerTick) throw new CurveMathException("LO");
        var flipped = grossAfter.IsZero != grossBefore.IsZero;
        if (grossBefore.IsZero && tick <= Tick)
            info = info with { FeeGrowthOutside0X128 = FeeGrowthGlobal0X128, FeeGrowthOutside1X128 = FeeGrowthGlobal1X128 };
        var net = upper ? info.LiquidityNet - liquidityDelta : info.LiquidityNet + liquidityDelta;
        if (net < -(BigInteger.One << 127) || net >= BigInteger.One << 127) throw new CurveMathException("toInt128");
        return (ticks.SetItem(tick, info with { LiquidityGross = grossAfter, LiquidityNet = net }), flipped);
    }

    /// <summary>TickBitmap.flipTick: only multiples of the tick spacing can be initialised (a bare revert otherwise).</summary>
    private ImmutableSortedSet<int> FlipTick(ImmutableSortedSet<int> bitmap, int tick)
    {
        if (tick % Fee.TickSpacing != 0) throw new CurveMathException("tick not a multiple of the tick spacing");
        return bitmap.Contains(tick) ? bitmap.Remove(tick) : bitmap.Add(tick);
    }

    /// <summary>Tick.getFeeGrowthInside: global − below − above, each side read from the outside value (or its
    /// complement global − outside when the current tick is on the other side), mod 2^256.</summary>
    private (BigInteger Inside0, BigInteger Inside1) FeeGrowthInside(ImmutableDictionary<int, TickInfo> ticks, int lower, int upper)
    {
        var lo = ticks.GetValueOrDefault(lower, EmptyTick);
        var hi = ticks.GetValueOrDefault(upper, EmptyTick);
        var (below0, below1) = Tick >= lower
            ? (lo.FeeGrowthOutside0X128, lo.FeeGrowthOutside1X128)
            : (Wrap(FeeGrowthGlobal0X128 - lo.FeeGrowthOutside0X128), Wrap(FeeGrowthGlobal1X128 - lo.FeeGrowthOutside1X128));
        var (above0, above1) = Tick < upper
            ? (hi.FeeGrowthOutside0X128, hi.FeeGrowthOutside1X128)
            : (Wrap(FeeGrowthGlobal0X128 - hi.FeeGrowthOutside0X128), Wrap(FeeGrowthGlobal1X128 - hi.FeeGrowthOutside1X128));
        return (Wrap(FeeGrowthGlobal0X128 - below0 - above0), Wrap(FeeGrowthGlobal1X128 - below1 - above1));
    }

    /// <summary>Position.update: fees owed = ⌊(inside − insideLast)·L / 2^128⌋ truncated to uint128, added to tokens owed
    /// (wrapping, as in 0.7); the liquidity changes by the delta ("NP" for a poke of an empty position).</summary>
    private static PositionInfo UpdatePositionInfo(PositionInfo p, BigInteger liquidityDelta, BigInteger inside0, BigInteger inside1)
    {
        BigInteger liquidityNext;
        if (liquidityDelta.IsZero)
        {
            if (p.Liquidity.IsZero) throw new CurveMathException("NP");
            liquidityNext = p.Liquidity;
        }
        else
        {
            liquidityNext = AddDelta(p.Liquidity, liquidityDelta);
        }

        var owed0 = FullMath.MulDiv(Wrap(inside0 - p.FeeGrowthInside0LastX128), p.Liquidity, Q128) & Uint.Max128;
        var owed1 = FullMath.MulDiv(Wrap(inside1 - p.FeeGrowthInside1LastX128), p.Liquidity, Q128) & Uint.Max128;
        return new PositionInfo(
            liquidityNext,
            inside0,
            inside1,
            owed0.Sign > 0 || owed1.Sign > 0 ? (p.TokensOwed0 + owed0) & Uint.Max128 : p.TokensOwed0,
            owed0.Sign > 0 || owed1.Sign > 0 ? (p.TokensOwed1 + owed1) & Uint.Max128 : p.TokensOwed1);
    }

    /// <summary>LiquidityMath.addDelta: a uint128 plus an int128, reverting "LS" below zero and "LA" past 2^128 − 1.</summary>
    private static BigInteger AddDelta(BigInteger x, BigInteger y)
    {
        var z = x + y;
        if (z.Sign < 0) throw new CurveMathException("LS");
        if (z > Uint.Max128) throw new CurveMathException("LA");
        return z;
    }

    private static BigInteger Wrap(BigInteger x)
    {
        var r = x % Two256;
        return r.Sign < 0 ? r + Two256 : r;
    }

    // ---------------------------------------------------------------- swap

    /// <summary>
    /// swap(zeroForOne, amountSpecified, sqrtPriceLimitX96): amountSpecified &gt; 0 is exact input (fee included),
    /// &lt; 0 exact output. Steps of <see cref="SwapMath.ComputeSwapStep"/> run to the next initialised tick within the
    /// bitmap word (or the word's edge), the price limit, or until the amount is used; each step's fee adds
    /// ⌊fee·2^128/L⌋ to the input token's global fee growth; at an initialised tick the outside fee growth flips and
    /// liquidityNet is added (subtracted going down). Returns the Swap event's signed amounts and the final state.
    /// </summary>
    public (UniswapV3PoolModel Pool, SwapOutcome Outcome) Swap(bool zeroForOne, BigInteger amountSpecified, BigInteger sqrtPriceLimitX96)
    {
        if (amountSpecified < MinInt256 || amountSpecified > MaxInt256)
            throw new ArgumentOutOfRangeException(nameof(amountSpecified), amountSpecified, "must be an int256");
        Uint.Check160(sqrtPriceLimitX96, nameof(sqrtPriceLimitX96));
        if (amountSpecified.IsZero) throw new CurveMathException("AS");
        var limitOk = zeroForOne
            ? sqrtPriceLimitX96 < SqrtPriceX96 && sqrtPriceLimitX96 > TickMath.MinSqrtRatio
            : sqrtPriceLimitX96 > SqrtPriceX96 && sqrtPriceLimitX96 < TickMath.MaxSqrtRatio;
        if (!limitOk) throw new CurveMathException("SPL");

        var exactInput = amountSpecified.Sign > 0;
        var remaining = amountSpecified;
        BigInteger calculated = 0;
        var sqrtPrice = SqrtPriceX96;
        var tick = Tick;
        var liquidity = Liquidity;
        var feeGrowth = zeroForOne ? FeeGrowthGlobal0X128 : FeeGrowthGlobal1X128;
        var ticks = Ticks;

        while (!remaining.IsZero && sqrtPrice != sqrtPriceLimitX96)
        {
            var start = sqrtPrice;
            var (tickNext, initialized) = NextInitializedTickWithinOneWord(tick, zeroForOne);
            tickNext = Math.Clamp(tickNext, TickMath.MinTick, TickMath.MaxTick);
            var sqrtNext = TickMath.GetSqrtRatioAtTick(tickNext);
            var target = (zeroForOne ? sqrtNext < sqrtPriceLimitX96 : sqrtNext > sqrtPriceLimitX96) ? sqrtPriceLimitX96 : sqrtNext;
            var step = SwapMath.ComputeSwapStep(sqrtPrice, target, liquidity, remaining, Fee.FeePips);
            sqrtPrice = step.SqrtPriceNextX96;
            if (exactInput)
            {
                remaining = CheckedInt256(remaining - ToInt256(step.AmountIn + step.FeeAmount));
                calculated = CheckedInt256(calculated - ToInt256(step.AmountOut));
            }
            else
            {
                remaining = CheckedInt256(remaining + ToInt256(step.AmountOut));
                calculated = CheckedInt256(calculated + ToInt256(step.AmountIn + step.FeeAmount));
            }

            if (liquidity.Sign > 0)
                feeGrowth = Wrap(feeGrowth + FullMath.MulDiv(step.FeeAmount, Q128, liquidity));

            if (sqrtPrice == sqrtNext)
            {
                if (initialized)
                {
                    // Tick.cross: outside := global − outside for both tokens (the other token's global is unchanged).
                    var info = ticks[tickNext];
                    var global0 = zeroForOne ? feeGrowth : FeeGrowthGlobal0X128;
                    var global1 = zeroForOne ? FeeGrowthGlobal1X128 : feeGrowth;
                    ticks = ticks.SetItem(tickNext, info with
                    {
                        FeeGrowthOutside0X128 = Wrap(global0 - info.FeeGrowthOutside0X128),
                        FeeGrowthOutside1X128 = Wrap(global1 - info.FeeGrowthOutside1X128),
                    });
                    liquidity = AddDelta(liquidity, zeroForOne ? -info.LiquidityNet : info.LiquidityNet);
                }

                tick = zeroForOne ? tickNext - 1 : tickNext;
            }
            else if (sqrtPrice != start)
            {
                tick = TickMath.GetTickAtSqrtRatio(sqrtPrice);
            }
        }

        var (amount0, amount1) = zeroForOne == exactInput
            ? (amountSpecified - remaining, calculated)
            : (calculated, amountSpecified - remaining);
        var pool = this with
        {
            SqrtPriceX96 = sqrtPrice,
            Tick = tick,
            Liquidity = liquidity,
            FeeGrowthGlobal0X128 = zeroForOne ? feeGrowth : FeeGrowthGlobal0X128,
            FeeGrowthGlobal1X128 = zeroForOne ? FeeGrowthGlobal1X128 : feeGrowth,
            Ticks = ticks,
        };
        return (pool, new SwapOutcome(amount0, amount1, sqrtPrice, liquidity, tick));
    }

    /// <summary>
    /// TickBitmap.nextInitializedTickWithinOneWord: the bitmap holds compressed ticks (tick / spacing, floored) in
    /// words of 256. Going down (lte), the greatest initialised tick at or below the current one in the same word, else
    /// the word's first tick; going up, the least initialised tick above the current one in the next tick's word, else
    /// that word's last tick. The word edge makes a step end there even when nothing is initialised.
    /// </summary>
    public (int Tick, bool Initialized) NextInitializedTickWithinOneWord(int tick, bool lte)
    {
        var spacing = Fee.TickSpacing;
        var compressed = tick / spacing;
        if (tick < 0 && tick % spacing != 0) compressed--;
        if (lte)
        {
            var bitPos = compressed & 255;
            var wordStart = (compressed - bitPos) * spacing;
            var found = GreatestAtOrBelow(compressed * spacing);
            return found is { } t && t >= wordStart ? (t, true) : (wordStart, false);
        }
        else
        {
            var next = compressed + 1;
            var bitPos = next & 255;
            var wordEnd = (next + 255 - bitPos) * spacing;
            var found = LeastAtOrAbove(next * spacing);
            return found is { } t && t <= wordEnd ? (t, true) : (wordEnd, false);
        }
    }

    private int? GreatestAtOrBelow(int x)
    {
        var i = InitializedTicks.IndexOf(x);
        if (i >= 0) return x;
        var below = ~i - 1;
        return below >= 0 ? InitializedTicks[below] : null;
    }

    private int? LeastAtOrAbove(int x)
    {
        var i = InitializedTicks.IndexOf(x);
        if (i >= 0) return x;
        var above = ~i;
        return above < InitializedTicks.Count ? InitializedTicks[above] : null;
    }

    /// <summary>SafeCast.toInt256: a uint256 must be below 2^255.</summary>
    private static BigInteger ToInt256(BigInteger x) => x > MaxInt256 ? throw new CurveMathException("toInt256") : x;

    /// <summary>LowGasSafeMath on int256: the result must stay an int256.</summary>
    private static BigInteger CheckedInt256(BigInteger x) => x < MinInt256 || x > MaxInt256 ? throw new CurveMathException("int256 overflow") : x;
}
