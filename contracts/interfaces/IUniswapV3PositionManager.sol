// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IUniswapV3PositionManagerTypes} from "./IUniswapV3PositionManagerTypes.sol";
import {IUniswapV3PositionManagerErrors} from "./IUniswapV3PositionManagerErrors.sol";
import {IUniswapV3PositionManagerEvents} from "./IUniswapV3PositionManagerEvents.sol";
import {IUniswapV3PositionManagerSync} from "./IUniswapV3PositionManagerSync.sol";

/// @title IUniswapV3PositionManager
/// @notice The vault's Uniswap v3 positions: one per registered pool, re-ranged by a keeper inside the owner's policy.
/// Roles and pause are the vault's: owner = vault.owner() and guardian = vault.isGuardian, read from it on each call;
/// keeper and pause (for rebalance), pushed by the vault to its registered manager in the same transaction as its own
/// change (IUniswapV3PositionManagerSync: TreasuryVault.setPositionManager, setKeeper, pause, unpause).
interface IUniswapV3PositionManager is
    IUniswapV3PositionManagerTypes,
    IUniswapV3PositionManagerErrors,
    IUniswapV3PositionManagerEvents,
    IUniswapV3PositionManagerSync
{
    // ---- owner (others: OwnableUnauthorizedAccount)
    /// @notice Registers a pool of the factory (NotFactoryPool otherwise), sets its policy and grows its observation
    /// ring to ceil(twapWindow / 12) + 2 slots. At most MAX_POOLS pools.
    function registerPool(address pool, UniswapV3Policy calldata policy) external;
    /// @notice Replaces `pool`'s policy (every bound checked as at registration; the ring grown for the window).
    function setPolicy(address pool, UniswapV3Policy calldata policy) external;
    /// @notice Clears `pool`'s loss window: the next rebalance starts a new one.
    function resetLossWindow(address pool) external;
    /// @notice Pulls the amounts from the owner into `pool`'s idle holdings (minted by the next rebalance); moves the
    /// loss window's start holdings by the same amounts.
    function deposit(address pool, uint256 amount0, uint256 amount1) external;
    /// @notice Sends the amounts of `pool`'s holdings to `to`: from the idle holdings, burning the whole position into
    /// them first when they do not suffice (the rest stays idle until the next rebalance).
    function withdraw(address pool, uint256 amount0, uint256 amount1, address to) external;

    // ---- guardian or owner (others: NotGuardianOrOwner)
    /// @notice While the vault is paused (ExpectedPause otherwise): burns the whole position and sends it and the
    /// idle holdings to the vault's owner; clears the loss window.
    function emergencyWithdraw(address pool) external returns (uint256 amount0, uint256 amount1);

    // ---- keeper (others: NotKeeper)
    /// @notice Re-ranges `pool`'s position inside the policy, all or nothing: checks the feeds, the interval, the
    /// pool's TWAP against the oracle, the new centre's skew and the width; collects and burns the old position;
    /// swaps target.swapAmountIn if asked (oracle-derived price limit and minimum output; toward the target share,
    /// never past it); checks the spot against the oracle, the inventory, the skew's direction and the loss budget;
    /// mints the new range with all the pool's holdings that fit. Refused while the vault is paused (EnforcedPause).
    function rebalance(address pool, RangeTarget calldata target) external returns (uint128 liquidity);

    // ---- state
    /// @notice The vault whose roles and pause govern this manager.
    function vault() external view returns (address);
    /// @notice Whether `account` holds the keeper role, as the vault last pushed it (its isKeeper while this is its
    /// registered manager; false for every account before it is registered).
    function isKeeper(address account) external view returns (bool);
    /// @notice Whether rebalances are paused, as the vault last pushed it (its paused() while this is its registered
    /// manager; true for good once it is retired).
    function paused() external view returns (bool);
    /// @notice The Uniswap v3 factory whose pools may be registered.
    function factory() external view returns (address);
    /// @notice Registered pools, in registration order.
    function pools() external view returns (address[] memory);
    /// @notice The policy of `pool` as set.
    function policyOf(address pool) external view returns (UniswapV3Policy memory);
    /// @notice The position and holdings of `pool`.
    function positionOf(address pool) external view returns (PositionView memory);
    /// @notice The loss window of `pool`: start holdings and start time (0: none).
    function lossWindowOf(address pool) external view returns (uint256 holding0, uint256 holding1, uint256 startTime);
    /// @notice The oracle price of `pool` in pool units (token1 base units per token0 base unit), Q128.128, with the
    /// price-feed checks of rebalance.
    function oraclePriceX128(address pool) external view returns (uint256);
}
