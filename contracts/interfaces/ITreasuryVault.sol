// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {ITreasuryVaultTypes} from "./ITreasuryVaultTypes.sol";
import {ITreasuryVaultErrors} from "./ITreasuryVaultErrors.sol";
import {ITreasuryVaultEvents} from "./ITreasuryVaultEvents.sol";

/// @title ITreasuryVaultOwnerActions
/// @notice Functions only the owner (the DAO) may call; others revert with OwnableUnauthorizedAccount.
interface ITreasuryVaultOwnerActions is ITreasuryVaultTypes {
    function setKeeper(address account, bool enabled) external;
    function setGuardian(address account, bool enabled) external;
    /// @notice Registers a pool whose vault() is this vault, with a complete policy (every value bound-checked).
    function registerPool(address pool, PolicyParams calldata policy) external;
    function setFeeds(address pool, AggregatorV3Interface priceFeed, AggregatorV3Interface volatilityFeed) external;
    function setHeartbeat(address pool, uint32 heartbeat) external;
    function setTwapWindow(address pool, uint32 twapWindow) external;
    function setMaxTwapDeviation(address pool, uint16 maxTwapDeviationBps) external;
    function setMaxSkew(address pool, uint16 maxSkewBps) external;
    function setFeeBounds(address pool, uint24 minFeePips, uint24 maxFeePips) external;
    function setWidthBounds(address pool, uint32 minWidthBps, uint32 maxWidthBps) external;
    function setMinRebalanceInterval(address pool, uint32 minRebalanceInterval) external;
    function setInventoryBounds(address pool, uint16 minBaseShareBps, uint16 maxBaseShareBps) external;
    /// @notice Pulls amounts from the owner (approve the vault) straight into the pool, then re-fits its liquidity.
    function deposit(address pool, uint256 amount0, uint256 amount1) external returns (uint128 liquidity);
    /// @notice Takes amounts out of the pool's reserves to `to`, then re-fits its liquidity.
    function withdraw(address pool, uint256 amount0, uint256 amount1, address to) external returns (uint128 liquidity);
    /// @notice Lifts the pause of the vault and of every registered pool.
    function unpause() external;
}

/// @title ITreasuryVaultGuardianActions
/// @notice Functions a guardian or the owner may call; others revert with NotGuardianOrOwner.
interface ITreasuryVaultGuardianActions {
    /// @notice Pauses rebalances and the swaps of every registered pool.
    function pause() external;
    /// @notice While paused: sends every token of `pool` to the owner (never anywhere else).
    function emergencyWithdraw(address pool) external returns (uint256 amount0, uint256 amount1);
}

/// @title ITreasuryVaultKeeperActions
/// @notice Functions only a keeper may call; others revert with NotKeeper.
interface ITreasuryVaultKeeperActions is ITreasuryVaultTypes {
    /// @notice Checks every bound of the pool's policy on-chain and repositions the pool (all or nothing); the
    /// record is the pool's Repositioned event.
    /// @return sqrtPriceLowX96 The pool's new lower bound.
    /// @return sqrtPriceHighX96 The pool's new upper bound.
    function rebalance(address pool, Target calldata target)
        external
        returns (uint160 sqrtPriceLowX96, uint160 sqrtPriceHighX96);
}

/// @title ITreasuryVaultState
/// @notice Read-only state of TreasuryVault.
interface ITreasuryVaultState is ITreasuryVaultTypes {
    function isKeeper(address account) external view returns (bool);
    function isGuardian(address account) external view returns (bool);
    function pools() external view returns (address[] memory);
    function policyOf(address pool) external view returns (PolicyView memory);
    /// @notice The oracle price of `pool` in the pool's units (token1 base units per token0 base unit) as
    /// Q128.128, with the price-feed checks of rebalance.
    function oraclePriceX128(address pool) external view returns (uint256);
}

/// @title ITreasuryVault
/// @notice The whole TreasuryVault interface.
interface ITreasuryVault is
    ITreasuryVaultOwnerActions,
    ITreasuryVaultGuardianActions,
    ITreasuryVaultKeeperActions,
    ITreasuryVaultState,
    ITreasuryVaultErrors,
    ITreasuryVaultEvents
{}
