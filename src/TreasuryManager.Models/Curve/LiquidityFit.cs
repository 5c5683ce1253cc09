using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>
/// Mirrors contracts/libraries/LiquidityFit.sol bit for bit: one concentrated position fitted to fixed
/// reserves, rounding in the pool's favour. With Q96 = 2^96, x = reserve0, y = reserve1, P the sqrt price:
/// <list type="bullet">
/// <item><see cref="FitFromLower"/> (A &lt; P): L = ⌊y·Q96/(P − A)⌋; B = ⌊(L·Q96)·P/((L·Q96) − x·P)⌋.</item>
/// <item><see cref="FitFromUpper"/> (B &gt; P): L = ⌊x·P·B/((B − P)·Q96)⌋; A = P − ⌊y·Q96/L⌋.</item>
/// <item><see cref="Refit"/>: min of the two sides' single exact floors (0 when A = B).</item>
/// </list>
/// Unlike Uniswap periphery's getLiquidityForAmount0 (<see cref="LiquidityAmounts"/>) there is no inner floor of
/// P·B/Q96. Failures throw <see cref="CurveMathException"/> whose <see cref="CurveMathException.Reason"/> is the
/// Solidity custom error's name (ZeroLiquidity, LiquidityOverflow, RangeUnbounded, MulDivOverflow) or
/// "Panic(0x11)"/"Panic(0x12)" where the Solidity fails by checked arithmetic or division by zero.
/// </summary>
public static class LiquidityFit
{
    private static readonly BigInteger Q96 = Uint.Q96;

    /// <summary>⌊a·2^96/d⌋ (the library's _mulQ96Div; both of its branches give this exact floor).</summary>
    private static BigInteger MulQ96Div(BigInteger a, BigInteger d)
    {
        if (d.IsZero) throw new CurveMathException(a < BigInteger.One << 160 ? "Panic(0x12)" : "MulDivOverflow");
        var r = (a << 96) / d;
        if (r > Uint.Max256) throw new CurveMathException("MulDivOverflow");
        return r;
    }

    /// <summary>⌊x·P·B/((B − P)·2^96)⌋ for P &lt; B (the library's _liquidity0, with its checked P·B).</summary>
    private static BigInteger Liquidity0(BigInteger sqrtPriceX96, BigInteger sqrtPriceHighX96, BigInteger reserve0)
    {
        var pb = sqrtPriceX96 * sqrtPriceHighX96;
        if (pb > Uint.Max256) throw new CurveMathException("Panic(0x11)");
        var d = (sqrtPriceHighX96 - sqrtPriceX96) << 96;
        d &= Uint.Max256; // the shift is unchecked in Solidity
        if (d.IsZero) throw new CurveMathException("MulDivOverflow");
        var r = reserve0 * pb / d;
        if (r > Uint.Max256) throw new CurveMathException("MulDivOverflow");
        return r;
    }

    private static BigInteger ToUint128(BigInteger l) =>
        l > Uint.Max128 ? throw new CurveMathException("LiquidityOverflow") : l;

    private static void CheckArgs(params BigInteger[] values)
    {
        foreach (var v in values) Uint.Check256(v, nameof(values));
    }

    /// <summary>L from token1 given the lower bound A &lt; P, then the upper bound from token0.</summary>
    public static (BigInteger Liquidity, BigInteger SqrtPriceHighX96) FitFromLower(BigInteger sqrtPriceX96, BigInteger sqrtPriceLowX96, BigInteger reserve0, BigInteger reserve1)
    {
        CheckArgs(sqrtPriceX96, sqrtPriceLowX96, reserve0, reserve1);
        if (sqrtPriceLowX96 > sqrtPriceX96) throw new CurveMathException("Panic(0x11)");
        var liquidity = ToUint128(MulQ96Div(reserve1, sqrtPriceX96 - sqrtPriceLowX96));
        if (liquidity.IsZero) throw new CurveMathException("ZeroLiquidity");
        var numerator1 = liquidity << 96;
        var product = reserve0 * sqrtPriceX96;
        if (product > Uint.Max256) throw new CurveMathException("RangeUnbounded");
        if (product >= numerator1) throw new CurveMathException("RangeUnbounded");
        var high = numerator1 * sqrtPriceX96 / (numerator1 - product);
        if (high > Uint.Max256) throw new CurveMathException("MulDivOverflow");
        return (liquidity, high);
    }

    /// <summary>L from token0 given the upper bound B &gt; P, then the lower bound from token1.</summary>
    public static (BigInteger Liquidity, BigInteger SqrtPriceLowX96) FitFromUpper(BigInteger sqrtPriceX96, BigInteger sqrtPriceHighX96, BigInteger reserve0, BigInteger reserve1)
    {
        CheckArgs(sqrtPriceX96, sqrtPriceHighX96, reserve0, reserve1);
        if (sqrtPriceHighX96 < sqrtPriceX96) throw new CurveMathException("Panic(0x11)");
        var liquidity = ToUint128(Liquidity0(sqrtPriceX96, sqrtPriceHighX96, reserve0));
        if (liquidity.IsZero) throw new CurveMathException("ZeroLiquidity");
        var q = MulQ96Div(reserve1, liquidity);
        if (q >= sqrtPriceX96) throw new CurveMathException("RangeUnbounded");
        return (liquidity, sqrtPriceX96 - q);
    }

    /// <summary>The largest L the reserves cover on the unchanged range [A, B] at price P (A ≤ P ≤ B): the pool's
    /// liquidity, recomputed at every use.</summary>
    public static BigInteger Refit(BigInteger sqrtPriceX96, BigInteger sqrtPriceLowX96, BigInteger sqrtPriceHighX96, BigInteger reserve0, BigInteger reserve1)
    {
        CheckArgs(sqrtPriceX96, sqrtPriceLowX96, sqrtPriceHighX96, reserve0, reserve1);
        if (sqrtPriceLowX96 == sqrtPriceHighX96) return BigInteger.Zero;
        var l = Uint.Max256;
        if (sqrtPriceX96 < sqrtPriceHighX96) l = Liquidity0(sqrtPriceX96, sqrtPriceHighX96, reserve0);
        if (sqrtPriceX96 > sqrtPriceLowX96)
        {
            var l1 = MulQ96Div(reserve1, sqrtPriceX96 - sqrtPriceLowX96);
            if (l1 < l) l = l1;
        }

        return ToUint128(l);
    }
}
