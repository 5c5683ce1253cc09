using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>The result of one swap step (Uniswap v3-core SwapMath.computeSwapStep).</summary>
/// <param name="SqrtPriceNextX96">The price after the step.</param>
/// <param name="AmountIn">Input taken, excluding the fee (rounded up).</param>
/// <param name="AmountOut">Output paid (rounded down).</param>
/// <param name="FeeAmount">Fee taken from the input.</param>
public readonly record struct SwapStep(BigInteger SqrtPriceNextX96, BigInteger AmountIn, BigInteger AmountOut, BigInteger FeeAmount);

/// <summary>
/// Mirrors Uniswap v3-core SwapMath and contracts/libraries/SwapMath.sol bit for bit: one step of a swap inside a
/// single liquidity range, fee in pips (hundredths of a basis point, 1e6 = 100%) taken from the input. Inputs are
/// the Solidity's types (uint160 prices, uint128 L, int256 amount, uint24 fee); it fails exactly where the
/// Solidity 0.8 library reverts, checked-arithmetic panics included.
/// </summary>
public static class SwapMath
{
    public const int PipsDenominator = 1_000_000;

    /// <summary>
    /// Swaps towards <paramref name="sqrtRatioTargetX96"/> (the range's end or a price limit).
    /// <paramref name="amountRemaining"/> ≥ 0 is exact input (fee included), &lt; 0 exact output.
    /// Direction: zeroForOne (token0 in, price falls) when current ≥ target.
    /// </summary>
    public static SwapStep ComputeSwapStep(BigInteger sqrtRatioCurrentX96, BigInteger sqrtRatioTargetX96, BigInteger liquidity, BigInteger amountRemaining, int feePips)
    {
        Uint.Check160(sqrtRatioCurrentX96, nameof(sqrtRatioCurrentX96));
        Uint.Check160(sqrtRatioTargetX96, nameof(sqrtRatioTargetX96));
        Uint.Check128(liquidity, nameof(liquidity));
        if (amountRemaining < -(BigInteger.One << 255) || amountRemaining >= BigInteger.One << 255)
            throw new ArgumentOutOfRangeException(nameof(amountRemaining), amountRemaining, "must be an int256");
        if (feePips < 0 || feePips > 0xFFFFFF)
            throw new ArgumentOutOfRangeException(nameof(feePips), feePips, "must be a uint24");
        // As the Solidity (0.8, checked): 1e6 − feePips underflows above 1e6; exactly 1e6 fails in mulDivRoundingUp
        // (denominator 0) unless an exact-input step stops short of the target, which then takes all as fee.
        if (feePips > PipsDenominator) throw new CurveMathException("Panic(0x11)");
        // uint256(-amountRemaining) overflows for int256.min in checked arithmetic.
        if (amountRemaining == -(BigInteger.One << 255)) throw new CurveMathException("Panic(0x11)");

        var zeroForOne = sqrtRatioCurrentX96 >= sqrtRatioTargetX96;
        var exactIn = amountRemaining.Sign >= 0;
        BigInteger sqrtRatioNextX96;
        BigInteger amountIn = 0, amountOut = 0, feeAmount;

        if (exactIn)
        {
            // The fee comes off the input first (rounded down: the pool keeps the difference).
            var amountRemainingLessFee = FullMath.MulDiv(amountRemaining, PipsDenominator - feePips, PipsDenominator);
            amountIn = zeroForOne
                ? SqrtPriceMath.GetAmount0Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, true)
                : SqrtPriceMath.GetAmount1Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, true);
            sqrtRatioNextX96 = amountRemainingLessFee >= amountIn
                ? sqrtRatioTargetX96
                : SqrtPriceMath.GetNextSqrtPriceFromInput(sqrtRatioCurrentX96, liquidity, amountRemainingLessFee, zeroForOne);
        }
        else
        {
            amountOut = zeroForOne
                ? SqrtPriceMath.GetAmount1Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, false)
                : SqrtPriceMath.GetAmount0Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, false);
            sqrtRatioNextX96 = -amountRemaining >= amountOut
                ? sqrtRatioTargetX96
                : SqrtPriceMath.GetNextSqrtPriceFromOutput(sqrtRatioCurrentX96, liquidity, -amountRemaining, zeroForOne);
        }

        var max = sqrtRatioTargetX96 == sqrtRatioNextX96;

        // Amounts for the move actually made: in rounded up, out rounded down.
        if (zeroForOne)
        {
            amountIn = max && exactIn ? amountIn : SqrtPriceMath.GetAmount0Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, true);
            amountOut = max && !exactIn ? amountOut : SqrtPriceMath.GetAmount1Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, false);
        }
        else
        {
            amountIn = max && exactIn ? amountIn : SqrtPriceMath.GetAmount1Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, true);
            amountOut = max && !exactIn ? amountOut : SqrtPriceMath.GetAmount0Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, false);
        }

        // Never pay out more than the exact-output request.
        if (!exactIn && amountOut > -amountRemaining) amountOut = -amountRemaining;

        // Short of the target, the whole remaining input is spent: what is not amountIn is fee.
        feeAmount = exactIn && sqrtRatioNextX96 != sqrtRatioTargetX96
            ? amountRemaining - amountIn
            : FullMath.MulDivRoundingUp(amountIn, feePips, PipsDenominator - feePips);

        return new SwapStep(sqrtRatioNextX96, amountIn, amountOut, feeAmount);
    }
}
