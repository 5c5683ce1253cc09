// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IUniswapV3PositionManagerTypes} from "./IUniswapV3PositionManagerTypes.sol";

/// @title IUniswapV3PositionManagerEvents
/// @notice Events of UniswapV3PositionManager.
interface IUniswapV3PositionManagerEvents is IUniswapV3PositionManagerTypes {
    /// @notice A Uniswap v3 pool was registered.
    event PoolRegistered(address indexed pool, address token0, address token1, uint24 fee);
    /// @notice The owner set `pool`'s policy.
    event PolicySet(address indexed pool, UniswapV3Policy policy);
    /// @notice The owner deposited into `pool`'s holdings (idle until the next rebalance mints them).
    event Deposited(address indexed pool, uint256 amount0, uint256 amount1);
    /// @notice The owner withdrew from `pool`'s holdings to `to`.
    event Withdrawn(address indexed pool, address indexed to, uint256 amount0, uint256 amount1);
    /// @notice Everything of `pool` (position and idle) went to the vault's owner `to`.
    event EmergencyWithdrawn(address indexed pool, address indexed to, uint256 amount0, uint256 amount1);
    /// @notice The owner reset `pool`'s loss window.
    event LossWindowReset(address indexed pool);
    /// @notice A keeper re-ranged `pool`: the oracle price (Q128.128, pool units), the pool's mean tick over the
    /// policy's window, the centre's signed skew from the oracle (bps) and the new liquidity. The range and amounts are
    /// in the pool's own Burn, Collect, Swap and Mint events of the same transaction.
    event Rebalanced(
        address indexed pool, address indexed keeper, uint256 oraclePriceX128, int24 twapTick, int256 skewBps, uint128 liquidity
    );
}
