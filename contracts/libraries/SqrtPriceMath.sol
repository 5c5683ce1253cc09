// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {FullMath} from "./FullMath.sol";

/// @title SqrtPriceMath
/// @notice Price and amount math of one concentrated constant-product position, sqrt prices in Q64.96.
/// @dev Same formulas, branches and rounding as Uniswap v3-core's SqrtPriceMath (written anew, not copied), so the
/// C# mirror can reproduce every result bit for bit. Amounts paid to the pool round up, amounts paid out round down.
library SqrtPriceMath {
    uint256 internal constant Q96 = 0x1000000000000000000000000;

    /// @notice The sqrt price or the liquidity is zero.
    error ZeroPriceOrLiquidity();
    /// @notice The next sqrt price would leave the representable range (or the output exceeds virtual reserves).
    error SqrtPriceOverflow();

    /// @notice Next sqrt price after adding (add = true) or removing `amount` of token0; rounds up.
    /// @dev L*sP / (L + amount*sP) (all in Q96 form: numerator1 = L << 96), or the fallback
    /// ceil(numerator1 / (numerator1 / sP + amount)) when amount*sP overflows, exactly like Uniswap.
    /// @param sqrtPX96 Starting sqrt price.
    /// @param liquidity Liquidity of the range.
    /// @param amount Token0 added or removed.
    /// @param add True to add token0 (price falls), false to remove it (price rises).
    /// @return The next sqrt price, rounded up.
    function getNextSqrtPriceFromAmount0RoundingUp(uint160 sqrtPX96, uint128 liquidity, uint256 amount, bool add)
        internal
        pure
        returns (uint160)
    {
        if (amount == 0) return sqrtPX96;
        uint256 numerator1 = uint256(liquidity) << 96;
        unchecked {
            uint256 product = amount * sqrtPX96;
            if (add) {
                if (product / amount == sqrtPX96) {
                    uint256 denominator = numerator1 + product;
                    if (denominator >= numerator1) {
                        return uint160(FullMath.mulDivRoundingUp(numerator1, sqrtPX96, denominator));
                    }
                }
                uint256 d = numerator1 / sqrtPX96;
                uint256 s = d + amount;
                if (s < d) revert SqrtPriceOverflow();
                return uint160(FullMath.divRoundingUp(numerator1, s));
            } else {
                if (product / amount != sqrtPX96 || numerator1 <= product) revert SqrtPriceOverflow();
                uint256 r = FullMath.mulDivRoundingUp(numerator1, sqrtPX96, numerator1 - product);
                if (r > type(uint160).max) revert SqrtPriceOverflow();
                return uint160(r);
            }
        }
    }

    /// @notice Next sqrt price after adding (add = true) or removing `amount` of token1; rounds down.
    /// @dev sP + floor(amount * 2^96 / L) when adding; sP - ceil(amount * 2^96 / L) when removing.
    /// @param sqrtPX96 Starting sqrt price.
    /// @param liquidity Liquidity of the range.
    /// @param amount Token1 added or removed.
    /// @param add True to add token1 (price rises), false to remove it (price falls).
    /// @return The next sqrt price, rounded down.
    function getNextSqrtPriceFromAmount1RoundingDown(uint160 sqrtPX96, uint128 liquidity, uint256 amount, bool add)
        internal
        pure
        returns (uint160)
    {
        if (add) {
            uint256 quotient = amount <= type(uint160).max
                ? (amount << 96) / liquidity
                : FullMath.mulDiv(amount, Q96, liquidity);
            uint256 r = uint256(sqrtPX96) + quotient;
            if (r > type(uint160).max) revert SqrtPriceOverflow();
            return uint160(r);
        } else {
            uint256 quotient = amount <= type(uint160).max
                ? FullMath.divRoundingUp(amount << 96, liquidity)
                : FullMath.mulDivRoundingUp(amount, Q96, liquidity);
            if (sqrtPX96 <= quotient) revert SqrtPriceOverflow();
            unchecked {
                return uint160(sqrtPX96 - quotient);
            }
        }
    }

    /// @notice Next sqrt price given an input amount (token0 if zeroForOne, else token1).
    /// @param sqrtPX96 Starting sqrt price (> 0).
    /// @param liquidity Liquidity of the range (> 0).
    /// @param amountIn Input amount.
    /// @param zeroForOne True when the input is token0.
    /// @return The sqrt price after the input, rounded so the pool never gives more than it should.
    function getNextSqrtPriceFromInput(uint160 sqrtPX96, uint128 liquidity, uint256 amountIn, bool zeroForOne)
        internal
        pure
        returns (uint160)
    {
        if (sqrtPX96 == 0 || liquidity == 0) revert ZeroPriceOrLiquidity();
        return zeroForOne
            ? getNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountIn, true)
            : getNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountIn, true);
    }

    /// @notice Next sqrt price given an output amount (token1 if zeroForOne, else token0).
    /// @param sqrtPX96 Starting sqrt price (> 0).
    /// @param liquidity Liquidity of the range (> 0).
    /// @param amountOut Output amount.
    /// @param zeroForOne True when the output is token1.
    /// @return The sqrt price after the output, rounded in the pool's favour.
    function getNextSqrtPriceFromOutput(uint160 sqrtPX96, uint128 liquidity, uint256 amountOut, bool zeroForOne)
        internal
        pure
        returns (uint160)
    {
        if (sqrtPX96 == 0 || liquidity == 0) revert ZeroPriceOrLiquidity();
        return zeroForOne
            ? getNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountOut, false)
            : getNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountOut, false);
    }

    /// @notice Amount of token0 between two sqrt prices: L*2^96*(sB - sA)/sB/sA.
    /// @dev roundUp: ceil(ceil(numerator1*(sB-sA)/sB)/sA); else floor(floor(numerator1*(sB-sA)/sB)/sA).
    /// @param sqrtRatioAX96 One sqrt price.
    /// @param sqrtRatioBX96 The other sqrt price (order does not matter).
    /// @param liquidity Liquidity of the range.
    /// @param roundUp Round up (amounts owed to the pool) or down.
    /// @return The token0 amount between the two prices.
    function getAmount0Delta(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, uint128 liquidity, bool roundUp)
        internal
        pure
        returns (uint256)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        if (sqrtRatioAX96 == 0) revert ZeroPriceOrLiquidity();
        uint256 numerator1 = uint256(liquidity) << 96;
        uint256 numerator2;
        unchecked {
            numerator2 = sqrtRatioBX96 - sqrtRatioAX96;
        }
        return roundUp
            ? FullMath.divRoundingUp(FullMath.mulDivRoundingUp(numerator1, numerator2, sqrtRatioBX96), sqrtRatioAX96)
            : FullMath.mulDiv(numerator1, numerator2, sqrtRatioBX96) / sqrtRatioAX96;
    }

    /// @notice Amount of token1 between two sqrt prices: L*(sB - sA)/2^96, rounded up or down.
    /// @param sqrtRatioAX96 One sqrt price.
    /// @param sqrtRatioBX96 The other sqrt price (order does not matter).
    /// @param liquidity Liquidity of the range.
    /// @param roundUp Round up or down.
    /// @return The token1 amount between the two prices.
    function getAmount1Delta(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, uint128 liquidity, bool roundUp)
        internal
        pure
        returns (uint256)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        uint256 diff;
        unchecked {
            diff = sqrtRatioBX96 - sqrtRatioAX96;
        }
        return roundUp ? FullMath.mulDivRoundingUp(liquidity, diff, Q96) : FullMath.mulDiv(liquidity, diff, Q96);
    }
}
