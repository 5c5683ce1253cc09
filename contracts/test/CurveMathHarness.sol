// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {FullMath} from "../libraries/FullMath.sol";
import {SqrtPriceMath} from "../libraries/SqrtPriceMath.sol";
import {SwapMath} from "../libraries/SwapMath.sol";
import {LiquidityFit} from "../libraries/LiquidityFit.sol";
import {LogMath} from "../libraries/LogMath.sol";
import {SqrtPriceGrid} from "../libraries/SqrtPriceGrid.sol";

/// @title CurveMathHarness
/// @notice Exposes the pool's pure math libraries for differential tests against the C# mirror (eth_call them).
/// Each function reverts exactly when the library does, with the library's custom error.
contract CurveMathHarness {
    function mulDiv(uint256 a, uint256 b, uint256 d) external pure returns (uint256) {
        return FullMath.mulDiv(a, b, d);
    }

    function mulDivRoundingUp(uint256 a, uint256 b, uint256 d) external pure returns (uint256) {
        return FullMath.mulDivRoundingUp(a, b, d);
    }

    function getAmount0Delta(uint160 a, uint160 b, uint128 liquidity, bool roundUp) external pure returns (uint256) {
        return SqrtPriceMath.getAmount0Delta(a, b, liquidity, roundUp);
    }

    function getAmount1Delta(uint160 a, uint160 b, uint128 liquidity, bool roundUp) external pure returns (uint256) {
        return SqrtPriceMath.getAmount1Delta(a, b, liquidity, roundUp);
    }

    function getNextSqrtPriceFromInput(uint160 p, uint128 liquidity, uint256 amountIn, bool zeroForOne)
        external
        pure
        returns (uint160)
    {
        return SqrtPriceMath.getNextSqrtPriceFromInput(p, liquidity, amountIn, zeroForOne);
    }

    function getNextSqrtPriceFromOutput(uint160 p, uint128 liquidity, uint256 amountOut, bool zeroForOne)
        external
        pure
        returns (uint160)
    {
        return SqrtPriceMath.getNextSqrtPriceFromOutput(p, liquidity, amountOut, zeroForOne);
    }

    function computeSwapStep(uint160 current, uint160 target, uint128 liquidity, int256 amountRemaining, uint24 feePips)
        external
        pure
        returns (uint160 sqrtRatioNextX96, uint256 amountIn, uint256 amountOut, uint256 feeAmount)
    {
        return SwapMath.computeSwapStep(current, target, liquidity, amountRemaining, feePips);
    }

    function fitFromLower(uint256 p, uint256 low, uint256 reserve0, uint256 reserve1)
        external
        pure
        returns (uint128 liquidity, uint256 high)
    {
        return LiquidityFit.fitFromLower(p, low, reserve0, reserve1);
    }

    function fitFromUpper(uint256 p, uint256 high, uint256 reserve0, uint256 reserve1)
        external
        pure
        returns (uint128 liquidity, uint256 low)
    {
        return LiquidityFit.fitFromUpper(p, high, reserve0, reserve1);
    }

    function refit(uint256 p, uint256 low, uint256 high, uint256 reserve0, uint256 reserve1)
        external
        pure
        returns (uint128)
    {
        return LiquidityFit.refit(p, low, high, reserve0, reserve1);
    }

    /// @notice SqrtPriceGrid.roundDown and roundUp of v, and the packed forms unpacked again (they must equal the values).
    function sqrtPriceGrid(uint256 v)
        external
        pure
        returns (uint256 down, uint256 up, uint256 downUnpacked, uint256 upUnpacked)
    {
        uint256 packedDown;
        uint256 packedUp;
        (down, packedDown) = SqrtPriceGrid.roundDown(v);
        (up, packedUp) = SqrtPriceGrid.roundUp(v);
        if (packedDown >> 64 != 0 || packedUp >> 64 != 0) revert("packed form wider than 64 bits");
        return (down, up, SqrtPriceGrid.unpack(packedDown), SqrtPriceGrid.unpack(packedUp));
    }

    function logPrice(uint256 sqrtPriceX96) external pure returns (int256) {
        return LogMath.logPrice(sqrtPriceX96);
    }

    function coarseLogPriceFromPriceX128(uint256 priceX128) external pure returns (int256) {
        return LogMath.coarseLogPriceFromPriceX128(priceX128);
    }

    /// @notice Gas used by one logPrice call (for tuning).
    function logPriceGas(uint256 sqrtPriceX96) external view returns (int256 lp, uint256 gasUsed) {
        uint256 g = gasleft();
        lp = LogMath.logPrice(sqrtPriceX96);
        gasUsed = g - gasleft();
    }
}
