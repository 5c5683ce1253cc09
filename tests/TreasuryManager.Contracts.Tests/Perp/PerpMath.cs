using System.Numerics;

namespace TreasuryManager.Contracts.Tests.Perp;

/// <summary>
/// PerpMarket's NatSpec formulas, written out independently for the tests: price scale 1e36, signed floor and ceiling,
/// Solidity's truncating division for the funding rate.
/// </summary>
public static class PerpMath
{
    public static readonly BigInteger E36 = BigInteger.Pow(10, 36);
    public static readonly BigInteger Wad = BigInteger.Pow(10, 18);
    public static readonly BigInteger Pips = 1_000_000;

    /// <summary>p = answer · 10^(36 + quoteDecimals − baseDecimals − feedDecimals) (exponent ≥ 0 in these tests: 36 + 6 − 18 − 8 = 16).</summary>
    public static BigInteger Price(BigInteger answer, int quoteDecimals = 6, int baseDecimals = 18, int feedDecimals = 8) =>
        answer * BigInteger.Pow(10, 36 + quoteDecimals - baseDecimals - feedDecimals);

    /// <summary>⌊a / d⌋ toward −∞ (d &gt; 0).</summary>
    public static BigInteger FloorDiv(BigInteger a, BigInteger d)
    {
        var q = BigInteger.DivRem(a, d, out var r);
        return r.Sign < 0 ? q - 1 : q;
    }

    /// <summary>⌈a / d⌉ (d &gt; 0).</summary>
    public static BigInteger CeilDiv(BigInteger a, BigInteger d) => -FloorDiv(-a, d);

    /// <summary>value(size, p) = ⌊size · p / 1e36⌋.</summary>
    public static BigInteger Value(BigInteger size, BigInteger p) => FloorDiv(size * p, E36);

    /// <summary>fee = ⌈⌊|Δ| · p / 1e36⌋ · feePips / 1e6⌉.</summary>
    public static BigInteger Fee(BigInteger sizeDelta, BigInteger p, int feePips) =>
        CeilDiv(BigInteger.Abs(sizeDelta) * p / E36 * feePips, Pips);

    /// <summary>Margin requirement ⌈notional · pips / 1e6⌉.</summary>
    public static BigInteger Requirement(BigInteger notional, int pips) => CeilDiv(notional * pips, Pips);

    /// <summary>Premium rate trunc((p − index) · 1e18 / index) (BigInteger division truncates toward zero, like Solidity).</summary>
    public static BigInteger PremiumRate(BigInteger p, BigInteger index) => (p - index) * Wad / index;

    /// <summary>Funding per base unit per interval: trunc(rate · p / 1e18).</summary>
    public static BigInteger PerInterval(BigInteger rateWad, BigInteger p) => rateWad * p / Wad;

    /// <summary>What an account pays for an index move: ⌈size · ΔF / 1e36⌉ (negative: it receives ⌊…⌋ in absolute value).</summary>
    public static BigInteger Payment(BigInteger size, BigInteger indexDelta) => CeilDiv(size * indexDelta, E36);
}
