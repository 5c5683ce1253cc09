// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {ITreasuryVaultTypes} from "./ITreasuryVaultTypes.sol";

/// @title IUniswapV3PositionManagerTypes
/// @notice Structs of UniswapV3PositionManager. The policy is the vault's PolicyParams (the same bounds, checked the
/// same way) plus what only a Uniswap v3 position needs.
interface IUniswapV3PositionManagerTypes is ITreasuryVaultTypes {
    /// @notice A v3 pool's policy as the owner sets it.
    /// @param params The vault's policy fields. minFeePips/maxFeePips bound the pool's own fee tier (checked when
    /// the policy is set: the fee is the pool's, not a keeper's choice).
    /// @param maxSwapSlippageBps The rebalance swap's bound, bps [1, 2000]: the swap's price limit is the oracle price
    /// moved by this much against the vault, and what it pays out, valued at the oracle, is at least
    /// (1 - maxSwapSlippageBps/1e4) of what it takes in.
    /// @param maxLossBps The keeper-key loss budget per LOSS_WINDOW, bps [1, 1000] (as the vault's setMaxLoss).
    /// @param allowInventoryRecovery Whether a rebalance may run with the base share outside the inventory bounds
    /// (then the skew and any swap must steer toward the target share), as the vault's setAllowInventoryRecovery.
    struct UniswapV3Policy {
        PolicyParams params;
        uint16 maxSwapSlippageBps;
        uint16 maxLossBps;
        bool allowInventoryRecovery;
    }

    /// @notice The range a keeper asks for, and an optional swap done before the mint.
    /// @param tickLower New lower tick (a multiple of the pool's tick spacing).
    /// @param tickUpper New upper tick (> tickLower, a multiple of the tick spacing).
    /// @param zeroForOne The swap's direction (true: sell token0 for token1).
    /// @param swapAmountIn Exact input of the swap; 0 = no swap.
    /// @param observationHint Index in the pool's observation ring of the observation the TWAP window's start (block time
    /// - twapWindow) interpolates from: the newest one at or before it, whose successor in the ring lies after it. Read
    /// only when the start is before the pool's newest observation; checked then (InvalidObservationHint), never trusted.
    /// type(uint16).max = none: the pool's observe searches its ring (more gas, same result).
    struct RangeTarget {
        int24 tickLower;
        int24 tickUpper;
        bool zeroForOne;
        uint128 swapAmountIn;
        uint16 observationHint;
    }

    /// @notice One registered pool's position and holdings.
    /// @param registered Whether the pool is registered.
    /// @param tickSpacing The pool's tick spacing.
    /// @param tickLower The position's lower tick (0 with no position).
    /// @param tickUpper The position's upper tick.
    /// @param liquidity The position's liquidity as the pool records it for the manager's key (positions(key)); 0: none.
    /// @param idle0 Token0 held by the manager for this pool outside the position (deposits not yet minted, mint dust).
    /// @param idle1 Token1, the same.
    /// @param lastRebalanceTime Time of the last rebalance (0: none yet).
    struct PositionView {
        bool registered;
        int24 tickSpacing;
        int24 tickLower;
        int24 tickUpper;
        uint128 liquidity;
        uint128 idle0;
        uint128 idle1;
        uint32 lastRebalanceTime;
    }
}
