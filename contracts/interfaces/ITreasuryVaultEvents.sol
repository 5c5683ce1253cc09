// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {ITreasuryVaultTypes} from "./ITreasuryVaultTypes.sol";

/// @title ITreasuryVaultEvents
/// @notice Events of TreasuryVault (OpenZeppelin's OwnershipTransferStarted, OwnershipTransferred, Paused and
/// Unpaused are emitted too).
interface ITreasuryVaultEvents is ITreasuryVaultTypes {
    /// @notice The keeper role of `account` changed.
    event KeeperSet(address indexed account, bool enabled);
    /// @notice The owner registered `manager` as the vault's UniswapV3PositionManager (zero: none).
    event PositionManagerSet(address indexed manager);
    /// @notice The guardian role of `account` changed.
    event GuardianSet(address indexed account, bool enabled);
    /// @notice A pool was registered.
    event PoolRegistered(address indexed pool, address token0, address token1);
    /// @notice A policy parameter changed; (value0, value1) are the new (value) or (low, high); for Feeds they are
    /// the feed addresses as uint160.
    event PolicyUpdated(address indexed pool, PolicyParam indexed param, uint256 value0, uint256 value1);
    /// @notice The owner deposited into `pool` (liquidity = the pool's liquidity afterwards).
    event Deposited(address indexed pool, uint256 amount0, uint256 amount1, uint128 liquidity);
    /// @notice The owner withdrew from `pool` to `to`.
    event Withdrawn(address indexed pool, address indexed to, uint256 amount0, uint256 amount1, uint128 liquidity);
    /// @notice The hedge policy of `pool` changed.
    event HedgePolicySet(address indexed pool, address indexed market, uint256 maxNotional, uint256 minMarginRatioPips);
    /// @notice The keeper adjusted `pool`'s hedge; size, equity and notional are the account's afterwards.
    event HedgeAdjusted(address indexed pool, address indexed market, int256 sizeDelta, int256 marginDelta, int256 size, int256 equity, uint256 notional);
    /// @notice The owner closed `pool`'s hedge: `closedSize` was traded away and `margin` went to the owner `to`.
    event HedgeClosed(address indexed pool, address indexed market, int256 closedSize, uint256 margin, address to);
    /// @notice Everything in `pool` went to the owner `to`.
    event EmergencyWithdrawn(address indexed pool, address indexed to, uint256 amount0, uint256 amount1);
    /// @notice A keeper rebalanced `pool`: the oracle price (Q128.128, pool units), the pool's TWAP log price over the
    /// policy's window (LogMath units; 0 while paused: not checked) and the centre's signed skew from the oracle, bps.
    event Rebalanced(address indexed pool, address indexed keeper, uint256 oraclePriceX128, int256 twapLogPrice, int256 skewBps);
    /// @notice The owner reset `pool`'s loss window: the next rebalance starts a new one.
    event LossWindowReset(address indexed pool);
    /// @notice The hedge limits of `pool` changed.
    event HedgeLimitsSet(address indexed pool, uint256 maxMargin, uint256 maxVolume);
    /// @notice The owner swept `amount` of the vault's own `token` balance to `to`.
    event Swept(address indexed token, address indexed to, uint256 amount);
}
