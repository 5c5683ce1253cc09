namespace TreasuryManager.Models.Curve;

/// <summary>The result of one swap step on <see cref="UInt256"/> (as <see cref="SwapStep"/>).</summary>
/// <param name="SqrtPriceNextX96">The price after the step.</param>
/// <param name="AmountIn">Input taken, excluding the fee (rounded up).</param>
/// <param name="AmountOut">Output paid (rounded down).</param>
/// <param name="FeeAmount">Fee taken from the input.</param>
public readonly record struct SwapStep256(UInt256 SqrtPriceNextX96, UInt256 AmountIn, UInt256 AmountOut, UInt256 FeeAmount)
{
    public SwapStep ToSwapStep() => new(SqrtPriceNextX96, AmountIn, AmountOut, FeeAmount);
}

/// <summary>
/// <see cref="SqrtPriceMath"/> and <see cref="SwapMath"/> on <see cref="UInt256"/>: the same branches, rounding and
/// failures (the same exception types and <see cref="CurveMathException.Reason"/>s) as the <c>BigInteger</c> mirror,
/// without allocating. Argument checks that the <c>BigInteger</c> versions make on their inputs' Solidity types
/// (uint160 prices, uint128 liquidity) are kept and throw <see cref="ArgumentOutOfRangeException"/> likewise.
/// </summary>
public static class FastSwapMath
{
    private const int Resolution = 96;

    private static void Check160(in UInt256 x, string name)
    {
        if (!x.FitsInUInt160) throw new ArgumentOutOfRangeException(name, x.ToBigInteger(), "must be a uint160");
    }

    private static void Check128(in UInt256 x, string name)
    {
        if (!x.FitsInUInt128) throw new ArgumentOutOfRangeException(name, x.ToBigInteger(), "must be a uint128");
    }

    private static UInt256 ToUint160(in UInt256 x) => x.FitsInUInt160 ? x : throw new CurveMathException("toUint160");

    /// <summary><see cref="SqrtPriceMath.GetNextSqrtPriceFromAmount0RoundingUp"/>.</summary>
    public static UInt256 GetNextSqrtPriceFromAmount0RoundingUp(UInt256 sqrtPX96, UInt256 liquidity, UInt256 amount, bool add)
    {
        Check160(sqrtPX96, nameof(sqrtPX96));
        Check128(liquidity, nameof(liquidity));
        if (amount.IsZero) return sqrtPX96;
        var numerator1 = liquidity << Resolution;
        var product = UInt256.MultiplyWithOverflow(amount, sqrtPX96, out var productOverflow);
        if (add)
        {
            if (!productOverflow)
            {
                var denominator = UInt256.AddWithCarry(numerator1, product, out var denominatorOverflow);
                if (!denominatorOverflow) return UInt256.MulDivRoundingUp(numerator1, sqrtPX96, denominator);
            }

            // L/(L/√P + amount), rounded up; the addition is checked in Solidity.
            var d = UInt256.AddWithCarry(numerator1 / sqrtPX96, amount, out var dOverflow);
            if (dOverflow) throw new CurveMathException("overflow");
            return UInt256.DivRoundingUp(numerator1, d);
        }
        else
        {
            if (productOverflow || numerator1 <= product) throw new CurveMathException("amount0 exceeds reserves");
            var denominator = numerator1 - product;
            return ToUint160(UInt256.MulDivRoundingUp(numerator1, sqrtPX96, denominator));
        }
    }

    /// <summary><see cref="SqrtPriceMath.GetNextSqrtPriceFromAmount1RoundingDown"/>.</summary>
    public static UInt256 GetNextSqrtPriceFromAmount1RoundingDown(UInt256 sqrtPX96, UInt256 liquidity, UInt256 amount, bool add)
    {
        Check160(sqrtPX96, nameof(sqrtPX96));
        Check128(liquidity, nameof(liquidity));
        if (liquidity.IsZero) throw new CurveMathException("L");
        if (add)
        {
            var quotient = amount.FitsInUInt160
                ? (amount << Resolution) / liquidity
                : UInt256.MulDiv(amount, UInt256.Q96, liquidity);
            var next = UInt256.AddWithCarry(sqrtPX96, quotient, out var overflow);
            if (overflow) throw new CurveMathException("overflow");
            return ToUint160(next);
        }
        else
        {
            var quotient = amount.FitsInUInt160
                ? UInt256.DivRoundingUp(amount << Resolution, liquidity)
                : UInt256.MulDivRoundingUp(amount, UInt256.Q96, liquidity);
            if (sqrtPX96 <= quotient) throw new CurveMathException("amount1 exceeds reserves");
            return sqrtPX96 - quotient;
        }
    }

    /// <summary><see cref="SqrtPriceMath.GetNextSqrtPriceFromInput"/>.</summary>
    public static UInt256 GetNextSqrtPriceFromInput(UInt256 sqrtPX96, UInt256 liquidity, UInt256 amountIn, bool zeroForOne)
    {
        if (sqrtPX96.IsZero) throw new CurveMathException("P");
        if (liquidity.IsZero) throw new CurveMathException("L");
        return zeroForOne
            ? GetNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountIn, true)
            : GetNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountIn, true);
    }

    /// <summary><see cref="SqrtPriceMath.GetNextSqrtPriceFromOutput"/>.</summary>
    public static UInt256 GetNextSqrtPriceFromOutput(UInt256 sqrtPX96, UInt256 liquidity, UInt256 amountOut, bool zeroForOne)
    {
        if (sqrtPX96.IsZero) throw new CurveMathException("P");
        if (liquidity.IsZero) throw new CurveMathException("L");
        return zeroForOne
            ? GetNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountOut, false)
            : GetNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountOut, false);
    }

    /// <summary><see cref="SqrtPriceMath.GetAmount0Delta"/>.</summary>
    public static UInt256 GetAmount0Delta(UInt256 sqrtRatioAX96, UInt256 sqrtRatioBX96, UInt256 liquidity, bool roundUp)
    {
        Check160(sqrtRatioAX96, nameof(sqrtRatioAX96));
        Check160(sqrtRatioBX96, nameof(sqrtRatioBX96));
        Check128(liquidity, nameof(liquidity));
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        if (sqrtRatioAX96.IsZero) throw new CurveMathException("sqrt price is zero");
        var numerator1 = liquidity << Resolution;
        var numerator2 = sqrtRatioBX96 - sqrtRatioAX96;

        // ⌈⌈x/B⌉/A⌉ = ⌈x/(A·B)⌉ and ⌊⌊x/B⌋/A⌋ = ⌊x/(A·B)⌋ for positive integers: one 512-bit division instead of two
        // when A·B fits in 256 bits (always for the pool's prices, below 2^128). Neither form can revert here: the
        // quotients are below numerator1 < 2^224.
        var ab = UInt256.MultiplyWithOverflow(sqrtRatioAX96, sqrtRatioBX96, out var abOverflow);
        if (!abOverflow)
        {
            return roundUp
                ? UInt256.MulDivRoundingUp(numerator1, numerator2, ab)
                : UInt256.MulDiv(numerator1, numerator2, ab);
        }

        return roundUp
            ? UInt256.DivRoundingUp(UInt256.MulDivRoundingUp(numerator1, numerator2, sqrtRatioBX96), sqrtRatioAX96)
            : UInt256.MulDiv(numerator1, numerator2, sqrtRatioBX96) / sqrtRatioAX96;
    }

    /// <summary><see cref="SqrtPriceMath.GetAmount1Delta"/>.</summary>
    public static UInt256 GetAmount1Delta(UInt256 sqrtRatioAX96, UInt256 sqrtRatioBX96, UInt256 liquidity, bool roundUp)
    {
        Check160(sqrtRatioAX96, nameof(sqrtRatioAX96));
        Check160(sqrtRatioBX96, nameof(sqrtRatioBX96));
        Check128(liquidity, nameof(liquidity));
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        return roundUp
            ? UInt256.MulDivRoundingUp(liquidity, sqrtRatioBX96 - sqrtRatioAX96, UInt256.Q96)
            : UInt256.MulDiv(liquidity, sqrtRatioBX96 - sqrtRatioAX96, UInt256.Q96);
    }

    /// <summary>The exact-input step's amountIn to reach the target (rounded up).</summary>
    private static UInt256 AmountInToTarget(in UInt256 current, in UInt256 target, in UInt256 liquidity, bool zeroForOne) =>
        zeroForOne
            ? GetAmount0Delta(target, current, liquidity, true)
            : GetAmount1Delta(current, target, liquidity, true);

    /// <summary>
    /// True only if <paramref name="amountLessFee"/> &lt; <see cref="AmountInToTarget"/> for certain, decided in
    /// double precision without the exact (two-division) amount: the real-number input to the target,
    /// L·2^96·(√B − √A)/(√A·√B) for token0 or L·(√B − √A)/2^96 for token1, is estimated with a relative error
    /// below 2^-49 (six roundings of 2^-52 at most), and the exact amount, rounded up, is at least the real one; so
    /// amountLessFee &lt; estimate·(1 − 10^-12) implies amountLessFee &lt; exact amount. False (undecided) otherwise,
    /// and whenever a price is zero (where the exact computation reverts and must be reached). Skipping the exact
    /// amount can change no result and no failure: with the prices and liquidity already range-checked it cannot
    /// revert (its mulDiv quotient is below 2^224).
    /// </summary>
    private static bool CertainlyShortOfTarget(in UInt256 current, in UInt256 target, in UInt256 liquidity, in UInt256 amountLessFee, bool zeroForOne)
    {
        const double Margin = 1 - 1e-12;
        if (current.IsZero || target.IsZero) return false;
        var (low, high) = zeroForOne ? (target, current) : (current, target);
        var diff = (double)(high - low);
        var l = (double)liquidity;
        var estimate = zeroForOne
            ? Math.ScaleB(l, Resolution) * diff / (double)high / (double)low
            : Math.ScaleB(l * diff, -Resolution);
        return (double)amountLessFee < estimate * Margin;
    }

    /// <summary>
    /// <see cref="SwapMath.ComputeSwapStep"/> with the int256 amountRemaining given as a magnitude and a side:
    /// <paramref name="exactIn"/> true is amountRemaining = +<paramref name="amount"/> (exact input, fee included),
    /// false is amountRemaining = −<paramref name="amount"/> (exact output).
    /// </summary>
    public static SwapStep256 ComputeSwapStep(UInt256 sqrtRatioCurrentX96, UInt256 sqrtRatioTargetX96, UInt256 liquidity, UInt256 amount, bool exactIn, int feePips)
    {
        Check160(sqrtRatioCurrentX96, nameof(sqrtRatioCurrentX96));
        Check160(sqrtRatioTargetX96, nameof(sqrtRatioTargetX96));
        Check128(liquidity, nameof(liquidity));
        // int256 range: [−2^255, 2^255); the magnitude's top bit is 2^255.
        var top = amount.U3 >> 63 != 0;
        if (top && (exactIn || amount != new UInt256(0, 0, 0, 1UL << 63)))
            throw new ArgumentOutOfRangeException(nameof(amount), amount.ToBigInteger(), "must be an int256");
        if (feePips < 0 || feePips > 0xFFFFFF)
            throw new ArgumentOutOfRangeException(nameof(feePips), feePips, "must be a uint24");
        if (feePips > SwapMath.PipsDenominator) throw new CurveMathException("Panic(0x11)");
        // uint256(-amountRemaining) overflows for int256.min in checked arithmetic.
        if (top) throw new CurveMathException("Panic(0x11)");
        // amountRemaining = −0 is an exact input of 0.
        if (amount.IsZero) exactIn = true;

        var zeroForOne = sqrtRatioCurrentX96 >= sqrtRatioTargetX96;
        UInt256 sqrtRatioNextX96;
        UInt256 amountIn = default, amountOut = default, feeAmount;

        if (exactIn)
        {
            var amountRemainingLessFee = UInt256.MulDiv(amount, (ulong)(SwapMath.PipsDenominator - feePips), (ulong)SwapMath.PipsDenominator);
            if (CertainlyShortOfTarget(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, amountRemainingLessFee, zeroForOne))
            {
                // The input to the target is only compared here (it is recomputed below for the move actually made)
                // unless the next price lands on the target. For exact input it cannot (the next price rounds toward
                // the current one, and the input is short of the real-number amount); computed if it ever did.
                sqrtRatioNextX96 = GetNextSqrtPriceFromInput(sqrtRatioCurrentX96, liquidity, amountRemainingLessFee, zeroForOne);
                if (sqrtRatioNextX96 == sqrtRatioTargetX96) amountIn = AmountInToTarget(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, zeroForOne);
            }
            else
            {
                amountIn = AmountInToTarget(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, zeroForOne);
                sqrtRatioNextX96 = amountRemainingLessFee >= amountIn
                    ? sqrtRatioTargetX96
                    : GetNextSqrtPriceFromInput(sqrtRatioCurrentX96, liquidity, amountRemainingLessFee, zeroForOne);
            }
        }
        else
        {
            amountOut = zeroForOne
                ? GetAmount1Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, false)
                : GetAmount0Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, false);
            sqrtRatioNextX96 = amount >= amountOut
                ? sqrtRatioTargetX96
                : GetNextSqrtPriceFromOutput(sqrtRatioCurrentX96, liquidity, amount, zeroForOne);
        }

        var max = sqrtRatioTargetX96 == sqrtRatioNextX96;

        if (zeroForOne)
        {
            if (!(max && exactIn)) amountIn = GetAmount0Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, true);
            if (!(max && !exactIn)) amountOut = GetAmount1Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, false);
        }
        else
        {
            if (!(max && exactIn)) amountIn = GetAmount1Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, true);
            if (!(max && !exactIn)) amountOut = GetAmount0Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, false);
        }

        if (!exactIn && amountOut > amount) amountOut = amount;

        // Short of the target, the whole remaining input is spent: what is not amountIn is fee
        // (checked in Solidity; amountIn ≤ amountRemaining there, so it cannot underflow).
        feeAmount = exactIn && !max
            ? UInt256.CheckedSub(amount, amountIn)
            : UInt256.MulDivRoundingUp(amountIn, (ulong)feePips, (ulong)(SwapMath.PipsDenominator - feePips));

        return new SwapStep256(sqrtRatioNextX96, amountIn, amountOut, feeAmount);
    }
}
