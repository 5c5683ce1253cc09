using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>
/// Mirrors Uniswap v3-core SqrtPriceMath (Uniswap v3 whitepaper §6.2.3; docs/models.md, "Amounts of a range"):
/// square-root prices as Q64.96, liquidity as uint128, token0 = base (x), token1 = quote (y).
/// Amounts the pool receives round up, amounts it pays round down; next prices round so the
/// pool never gives more than the real-number answer.
/// </summary>
public static class SqrtPriceMath
{
    /// <summary>
    /// √P' after adding (or removing) <paramref name="amount"/> of token0 at liquidity L:
    /// 1/√P' = 1/√P ± amount/L, i.e. √P' = L·√P/(L ± amount·√P), rounded up.
    /// When amount·√P overflows 256 bits, Uniswap falls back to L/(L/√P + amount) (also rounded up);
    /// this mirror takes the same branch so the results agree bit for bit.
    /// </summary>
    public static BigInteger GetNextSqrtPriceFromAmount0RoundingUp(BigInteger sqrtPX96, BigInteger liquidity, BigInteger amount, bool add)
    {
        Uint.Check160(sqrtPX96, nameof(sqrtPX96));
        Uint.Check128(liquidity, nameof(liquidity));
        Uint.Check256(amount, nameof(amount));
        if (amount.IsZero) return sqrtPX96;
        var numerator1 = liquidity << Uint.Resolution;
        var product = amount * sqrtPX96;
        if (add)
        {
            if (product <= Uint.Max256)
            {
                var denominator = numerator1 + product;
                if (denominator <= Uint.Max256)
                    return FullMath.MulDivRoundingUp(numerator1, sqrtPX96, denominator);
            }

            // L/(L/√P + amount), rounded up; the addition is checked in Solidity.
            var d = numerator1 / sqrtPX96 + amount;
            if (d > Uint.Max256) throw new CurveMathException("overflow");
            return Uint.DivRoundingUp(numerator1, d);
        }
        else
        {
            // The pool must hold more token0 than is removed: amount·√P < L·2^96.
            if (product > Uint.Max256 || numerator1 <= product) throw new CurveMathException("amount0 exceeds reserves");
            var denominator = numerator1 - product;
            return Uint.ToUint160(FullMath.MulDivRoundingUp(numerator1, sqrtPX96, denominator));
        }
    }

    /// <summary>
    /// √P' after adding (or removing) <paramref name="amount"/> of token1 at liquidity L:
    /// √P' = √P ± amount/L, rounded down.
    /// </summary>
    public static BigInteger GetNextSqrtPriceFromAmount1RoundingDown(BigInteger sqrtPX96, BigInteger liquidity, BigInteger amount, bool add)
    {
        Uint.Check160(sqrtPX96, nameof(sqrtPX96));
        Uint.Check128(liquidity, nameof(liquidity));
        Uint.Check256(amount, nameof(amount));
        // Solidity divides by L here (a revert for L = 0 on this path); callers pass L > 0.
        if (liquidity.IsZero) throw new CurveMathException("L");
        if (add)
        {
            var quotient = amount <= Uint.Max160
                ? (amount << Uint.Resolution) / liquidity
                : FullMath.MulDiv(amount, Uint.Q96, liquidity);
            var next = sqrtPX96 + quotient;
            if (next > Uint.Max256) throw new CurveMathException("overflow");
            return Uint.ToUint160(next);
        }
        else
        {
            var quotient = amount <= Uint.Max160
                ? Uint.DivRoundingUp(amount << Uint.Resolution, liquidity)
                : FullMath.MulDivRoundingUp(amount, Uint.Q96, liquidity);
            if (sqrtPX96 <= quotient) throw new CurveMathException("amount1 exceeds reserves");
            return sqrtPX96 - quotient;
        }
    }

    /// <summary>√P' after <paramref name="amountIn"/> comes in: token0 in (zeroForOne) lowers the price
    /// (rounded up), token1 in raises it (rounded down); either way the price moves no further than
    /// the real-number answer.</summary>
    public static BigInteger GetNextSqrtPriceFromInput(BigInteger sqrtPX96, BigInteger liquidity, BigInteger amountIn, bool zeroForOne)
    {
        if (sqrtPX96.Sign <= 0) throw new CurveMathException("P");
        if (liquidity.Sign <= 0) throw new CurveMathException("L");
        return zeroForOne
            ? GetNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountIn, true)
            : GetNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountIn, true);
    }

    /// <summary>√P' after <paramref name="amountOut"/> goes out: token1 out (zeroForOne) lowers the
    /// price (rounded down), token0 out raises it (rounded up); either way the price moves at least
    /// as far as the real-number answer.</summary>
    public static BigInteger GetNextSqrtPriceFromOutput(BigInteger sqrtPX96, BigInteger liquidity, BigInteger amountOut, bool zeroForOne)
    {
        if (sqrtPX96.Sign <= 0) throw new CurveMathException("P");
        if (liquidity.Sign <= 0) throw new CurveMathException("L");
        return zeroForOne
            ? GetNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountOut, false)
            : GetNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountOut, false);
    }

    /// <summary>
    /// Token0 between two prices: L·(√B − √A)/(√A·√B) = L·(1/√A − 1/√B), computed as
    /// ⌈⌈L·2^96·(√B − √A)/√B⌉/√A⌉ when rounding up, floors otherwise. The prices may come in either order.
    /// </summary>
    public static BigInteger GetAmount0Delta(BigInteger sqrtRatioAX96, BigInteger sqrtRatioBX96, BigInteger liquidity, bool roundUp)
    {
        Uint.Check160(sqrtRatioAX96, nameof(sqrtRatioAX96));
        Uint.Check160(sqrtRatioBX96, nameof(sqrtRatioBX96));
        Uint.Check128(liquidity, nameof(liquidity));
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        if (sqrtRatioAX96.Sign <= 0) throw new CurveMathException("sqrt price is zero");
        var numerator1 = liquidity << Uint.Resolution;
        var numerator2 = sqrtRatioBX96 - sqrtRatioAX96;
        return roundUp
            ? Uint.DivRoundingUp(FullMath.MulDivRoundingUp(numerator1, numerator2, sqrtRatioBX96), sqrtRatioAX96)
            : FullMath.MulDiv(numerator1, numerator2, sqrtRatioBX96) / sqrtRatioAX96;
    }

    /// <summary>Token1 between two prices: L·(√B − √A), i.e. L·(√B − √A)/2^96, rounded as asked.</summary>
    public static BigInteger GetAmount1Delta(BigInteger sqrtRatioAX96, BigInteger sqrtRatioBX96, BigInteger liquidity, bool roundUp)
    {
        Uint.Check160(sqrtRatioAX96, nameof(sqrtRatioAX96));
        Uint.Check160(sqrtRatioBX96, nameof(sqrtRatioBX96));
        Uint.Check128(liquidity, nameof(liquidity));
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        return roundUp
            ? FullMath.MulDivRoundingUp(liquidity, sqrtRatioBX96 - sqrtRatioAX96, Uint.Q96)
            : FullMath.MulDiv(liquidity, sqrtRatioBX96 - sqrtRatioAX96, Uint.Q96);
    }
}
