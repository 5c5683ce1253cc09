using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>
/// Thrown where the Solidity mirror reverts (overflow, division by zero, a price out of range):
/// the C# functions fail exactly where the contract's would.
/// </summary>
public sealed class CurveMathException(string reason) : Exception(reason)
{
    /// <summary>The revert reason, as a short tag ("P", "L", "overflow", ...).</summary>
    public string Reason { get; } = reason;
}

/// <summary>EVM word limits and the Q64.96 constants (Uniswap v3-core FixedPoint96).</summary>
public static class Uint
{
    public static readonly BigInteger Max256 = (BigInteger.One << 256) - 1;
    public static readonly BigInteger Max160 = (BigInteger.One << 160) - 1;
    public static readonly BigInteger Max128 = (BigInteger.One << 128) - 1;

    /// <summary>2^96, the unit of a Q64.96 number.</summary>
    public static readonly BigInteger Q96 = BigInteger.One << 96;

    public const int Resolution = 96;

    internal static void Check256(BigInteger x, string name)
    {
        if (x.Sign < 0 || x > Max256) throw new ArgumentOutOfRangeException(name, x, "must be a uint256");
    }

    internal static void Check160(BigInteger x, string name)
    {
        if (x.Sign < 0 || x > Max160) throw new ArgumentOutOfRangeException(name, x, "must be a uint160");
    }

    internal static void Check128(BigInteger x, string name)
    {
        if (x.Sign < 0 || x > Max128) throw new ArgumentOutOfRangeException(name, x, "must be a uint128");
    }

    /// <summary>SafeCast.toUint160: reverts if the value does not fit.</summary>
    internal static BigInteger ToUint160(BigInteger x) =>
        x > Max160 ? throw new CurveMathException("toUint160") : x;

    /// <summary>⌈a/b⌉ for b &gt; 0 (UnsafeMath.divRoundingUp, which returns 0 for b = 0 in assembly;
    /// we never call it with b = 0).</summary>
    internal static BigInteger DivRoundingUp(BigInteger a, BigInteger b)
    {
        var q = BigInteger.DivRem(a, b, out var r);
        return r.IsZero ? q : q + 1;
    }

    /// <summary>⌊√x⌋ for x ≥ 0 (Newton's method on integers).</summary>
    public static BigInteger Sqrt(BigInteger x)
    {
        if (x.Sign < 0) throw new ArgumentOutOfRangeException(nameof(x));
        if (x < 2) return x;
        // Newton's method from above: r₀ = 2^⌈bits/2⌉ ≥ √x, and r ← ⌊(r + ⌊x/r⌋)/2⌋ decreases to ⌊√x⌋.
        var r = BigInteger.One << (int)((x.GetBitLength() + 1) / 2);
        while (true)
        {
            var next = (r + x / r) >> 1;
            if (next >= r) return r;
            r = next;
        }
    }

    /// <summary>⌊√(num/den) · 2^96⌋: the Q64.96 square root of a price given as a ratio.</summary>
    public static BigInteger EncodeSqrtPrice(BigInteger num, BigInteger den) => Sqrt((num << 192) / den);

    /// <summary>A price (token1 per token0, as a double) as a Q64.96 square root, rounded down.</summary>
    public static BigInteger SqrtPriceX96FromPrice(double price)
    {
        Guard.Positive(price);
        return new BigInteger(Math.Sqrt(price) * Math.Pow(2, 96));
    }

    /// <summary>A Q64.96 square root back to a price as a double.</summary>
    public static double PriceFromSqrtPriceX96(BigInteger sqrtPriceX96)
    {
        var s = (double)sqrtPriceX96 / Math.Pow(2, 96);
        return s * s;
    }
}

/// <summary>
/// Uniswap v3-core FullMath: 512-bit exact a·b/denominator. Done here with BigInteger, which is
/// exact; the checks reproduce where the Solidity reverts (denominator 0, result ≥ 2^256).
/// </summary>
public static class FullMath
{
    /// <summary>⌊a·b/denominator⌋; reverts if denominator = 0 or the result overflows uint256.</summary>
    public static BigInteger MulDiv(BigInteger a, BigInteger b, BigInteger denominator)
    {
        Uint.Check256(a, nameof(a));
        Uint.Check256(b, nameof(b));
        Uint.Check256(denominator, nameof(denominator));
        if (denominator.IsZero) throw new CurveMathException("mulDiv: denominator is zero");
        var result = a * b / denominator;
        if (result > Uint.Max256) throw new CurveMathException("mulDiv: overflow");
        return result;
    }

    /// <summary>⌈a·b/denominator⌉; reverts as <see cref="MulDiv"/> and if rounding up overflows.</summary>
    public static BigInteger MulDivRoundingUp(BigInteger a, BigInteger b, BigInteger denominator)
    {
        Uint.Check256(a, nameof(a));
        Uint.Check256(b, nameof(b));
        Uint.Check256(denominator, nameof(denominator));
        if (denominator.IsZero) throw new CurveMathException("mulDiv: denominator is zero");
        var result = BigInteger.DivRem(a * b, denominator, out var rem);
        if (result > Uint.Max256) throw new CurveMathException("mulDiv: overflow");
        if (!rem.IsZero)
        {
            if (result == Uint.Max256) throw new CurveMathException("mulDivRoundingUp: overflow");
            result += 1;
        }

        return result;
    }
}
