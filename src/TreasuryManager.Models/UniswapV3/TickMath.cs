using System.Globalization;
using System.Numerics;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.UniswapV3;

/// <summary>
/// Uniswap v3-core TickMath, bit for bit (docs/models.md, "The Uniswap v3 pool model"): the price of tick i is 1.0001^i, its square root as Q64.96
/// (<c>getSqrtRatioAtTick</c>), and the greatest tick whose square root is at or below a given one
/// (<c>getTickAtSqrtRatio</c>). Both fail where the Solidity reverts ("T", "R").
/// </summary>
public static class TickMath
{
    /// <summary>The lowest tick: log base √1.0001 of 2^-128.</summary>
    public const int MinTick = -887272;

    /// <summary>The highest tick: log base √1.0001 of 2^128.</summary>
    public const int MaxTick = -MinTick;

    /// <summary>The lowest and highest ticks a position can use at <paramref name="spacing"/>: the multiples of it nearest
    /// the bounds inside them (Tick.tickSpacingToMaxLiquidityPerTick's minTick and maxTick).</summary>
    public static (int Min, int Max) UsableTicks(int spacing)
    {
        if (spacing <= 0) throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "a tick spacing is positive");
        return (MinTick / spacing * spacing, MaxTick / spacing * spacing);
    }

    /// <summary>getSqrtRatioAtTick(MinTick), the lowest square-root price a pool can reach.</summary>
    public static readonly BigInteger MinSqrtRatio = 4295128739;

    /// <summary>getSqrtRatioAtTick(MaxTick), one above the highest square-root price <see cref="GetTickAtSqrtRatio"/> accepts.</summary>
    public static readonly BigInteger MaxSqrtRatio = BigInteger.Parse("1461446703485210103287273052203988822378723970342", CultureInfo.InvariantCulture);

    /// <summary>2^128/√1.0001^(2^k) in Q128.128, rounded as v3-core's table, for bits k = 0..19 of |tick|.</summary>
    private static readonly BigInteger[] BitFactors =
    [
        Hex("fffcb933bd6fad37aa2d162d1a594001"),
        Hex("fff97272373d413259a46990580e213a"),
        Hex("fff2e50f5f656932ef12357cf3c7fdcc"),
        Hex("ffe5caca7e10e4e61c3624eaa0941cd0"),
        Hex("ffcb9843d60f6159c9db58835c926644"),
        Hex("ff973b41fa98c081472e6896dfb254c0"),
        Hex("ff2ea16466c96a3843ec78b326b52861"),
        Hex("fe5dee046a99a2a811c461f1969c3053"),
        Hex("fcbe86c7900a88aedcffc83b479aa3a4"),
        Hex("f987a7253ac413176f2b074cf7815e54"),
        Hex("f3392b0822b70005940c7a398e4b70f3"),
        Hex("e7159475a2c29b7443b29c7fa6e889d9"),
        Hex("d097f3bdfd2022b8845ad8f792aa5825"),
        Hex("a9f746462d870fdf8a65dc1f90e061e5"),
        Hex("70d869a156d2a1b890bb3df62baf32f7"),
        Hex("31be135f97d08fd981231505542fcfa6"),
        Hex("9aa508b5b7a84e1c677de54f3e99bc9"),
        Hex("5d6af8dedb81196699c329225ee604"),
        Hex("2216e584f5fa1ea926041bedfe98"),
        Hex("48a170391f7dc42444e8fa2"),
    ];

    private static readonly BigInteger Q128 = BigInteger.One << 128;

    /// <summary>log2(√1.0001) inverse scaled: 2^64 · 2^64 / log2(√1.0001), v3-core's multiplier from log2 to log_√1.0001.</summary>
    private static readonly BigInteger Log2ToLogSqrt10001 = BigInteger.Parse("255738958999603826347141", CultureInfo.InvariantCulture);

    /// <summary>The error bounds of the log approximation (v3-core): tickLow = ⌊(log − lowBound)/2^128⌋, tickHi = ⌊(log + highBound)/2^128⌋.</summary>
    private static readonly BigInteger TickLowErrorBound = BigInteger.Parse("3402992956809132418596140100660247210", CultureInfo.InvariantCulture);

    private static readonly BigInteger TickHighErrorBound = BigInteger.Parse("291339464771989622907027621153398088495", CultureInfo.InvariantCulture);

    /// <summary>
    /// √(1.0001^tick)·2^96 rounded up to an integer: ratio = Π over the set bits k of |tick| of the table factor
    /// (each product shifted right 128, i.e. rounded down), inverted as (2^256 − 1)/ratio for tick &gt; 0, then
    /// Q128.128 → Q64.96 rounding up (⌈ratio/2^32⌉).
    /// </summary>
    public static BigInteger GetSqrtRatioAtTick(int tick)
    {
        var absTick = Math.Abs((long)tick);
        if (absTick > MaxTick)
            throw new CurveMathException("T");
        var ratio = (absTick & 1) != 0 ? BitFactors[0] : Q128;
        for (var k = 1; k < BitFactors.Length; k++)
        {
            if ((absTick & (1L << k)) != 0) ratio = (ratio * BitFactors[k]) >> 128;
        }

        if (tick > 0) ratio = Uint.Max256 / ratio;
        var rounded = ratio >> 32;
        return (ratio & uint.MaxValue).IsZero ? rounded : rounded + 1;
    }

    /// <summary>
    /// The greatest tick with <see cref="GetSqrtRatioAtTick"/>(tick) ≤ <paramref name="sqrtPriceX96"/>, computed as
    /// v3-core does: log2 of the Q128.128 ratio (integer part from the most significant bit, 14 fractional bits by
    /// repeated squaring), scaled to log base √1.0001, then the two candidate ticks of the error bounds, the higher
    /// one kept when its square-root price does not exceed the input. Reverts "R" outside [MinSqrtRatio, MaxSqrtRatio).
    /// </summary>
    public static int GetTickAtSqrtRatio(BigInteger sqrtPriceX96)
    {
        if (sqrtPriceX96 < MinSqrtRatio || sqrtPriceX96 >= MaxSqrtRatio)
            throw new CurveMathException("R");
        var ratio = sqrtPriceX96 << 32;
        var msb = (int)ratio.GetBitLength() - 1;
        var r = msb >= 128 ? ratio >> (msb - 127) : ratio << (127 - msb);
        var log2 = new BigInteger(msb - 128) << 64;
        for (var bit = 63; bit >= 50; bit--)
        {
            r = (r * r) >> 127;
            var f = (int)(r >> 128);
            log2 |= new BigInteger(f) << bit;
            r >>= f;
        }

        var logSqrt10001 = log2 * Log2ToLogSqrt10001;
        // BigInteger's >> is arithmetic (floors), as Solidity's signed shift of int256.
        var tickLow = (int)((logSqrt10001 - TickLowErrorBound) >> 128);
        var tickHigh = (int)((logSqrt10001 + TickHighErrorBound) >> 128);
        if (tickLow == tickHigh) return tickLow;
        return GetSqrtRatioAtTick(tickHigh) <= sqrtPriceX96 ? tickHigh : tickLow;
    }

    private static BigInteger Hex(string digits) => BigInteger.Parse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
