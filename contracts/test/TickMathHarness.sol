// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {TickMath} from "../libraries/TickMath.sol";

/// @title TickMathHarness
/// @notice Test-only: exposes TickMath.getSqrtRatioAtTick for the tests that check it against Uniswap's own pool.
contract TickMathHarness {
    function getSqrtRatioAtTick(int24 tick) external pure returns (uint160) {
        return TickMath.getSqrtRatioAtTick(tick);
    }
}
