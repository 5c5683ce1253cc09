// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {ITreasuryVaultTypes} from "./ITreasuryVaultTypes.sol";
import {ITreasuryVaultErrors} from "./ITreasuryVaultErrors.sol";
import {ITreasuryVaultEvents} from "./ITreasuryVaultEvents.sol";

/// @title ITreasuryVaultOwnerActions
/// @notice Functions only the owner (the DAO) may call; others revert with OwnableUnauthorizedAccount.
interface ITreasuryVaultOwnerActions is ITreasuryVaultTypes {
    /// @notice Grants or revokes the keeper role (rebalance only). ZeroAddress for address(0).
    function setKeeper(address account, bool enabled) external;
    /// @notice Grants or revokes the guardian role (pause, emergency withdrawal to the owner).
    function setGuardian(address account, bool enabled) external;
    /// @notice Registers the UniswapV3PositionManager (zero: none) to which setKeeper, pause and unpause are pushed in
    /// the same transaction; pushes the pause now and retires the previous one (paused for good). Keepers granted
    /// before are not pushed (the vault cannot list them): grant them again after registering.
    function setPositionManager(address manager) external;
    /// @notice Registers a pool whose vault() is this vault, with a complete policy (every value bound-checked).
    function registerPool(address pool, PolicyParams calldata policy) external;
    /// @notice Price feed (required, decimals <= 36) and optional volatility feed (zero = not checked).
    function setFeeds(address pool, AggregatorV3Interface priceFeed, AggregatorV3Interface volatilityFeed) external;
    /// @notice Maximum feed age, seconds, in [30, 7 days].
    function setHeartbeat(address pool, uint32 heartbeat) external;
    /// @notice TWAP window, seconds, in [10, 30 minutes]. Also grows the pool's observation ring to
    /// ceil(twapWindow / OBSERVATION_SPACING) + 2 slots (if smaller), so that one swap per block cannot push the
    /// window's start out of the ring.
    function setTwapWindow(address pool, uint32 twapWindow) external;
    /// @notice Maximum TWAP-to-oracle deviation, bps, in [1, 2000].
    function setMaxTwapDeviation(address pool, uint16 maxTwapDeviationBps) external;
    /// @notice Maximum centre-to-oracle skew, bps, in [1, 2000].
    function setMaxSkew(address pool, uint16 maxSkewBps) external;
    /// @notice Fee bounds, pips: min <= max <= 100_000.
    function setFeeBounds(address pool, uint24 minFeePips, uint24 maxFeePips) external;
    /// @notice Range-width bounds, (pHigh/pLow - 1) in bps: 1 <= min <= max <= 10_000_000.
    function setWidthBounds(address pool, uint32 minWidthBps, uint32 maxWidthBps) external;
    /// @notice Minimum seconds between rebalances, in [MIN_REBALANCE_INTERVAL = 60, 7 days].
    function setMinRebalanceInterval(address pool, uint32 minRebalanceInterval) external;
    /// @notice Hard inventory limits: token0 share of value at the oracle price, bps: min <= max <= 10_000.
    function setInventoryBounds(address pool, uint16 minBaseShareBps, uint16 maxBaseShareBps) external;
    /// @notice Inventory recovery of `pool` (off at registration): when on, a rebalance whose base share lies outside
    /// [minBaseShareBps, maxBaseShareBps] is not refused with InventoryOutOfBounds; the skew-direction rule (the
    /// centre may only steer toward the target share, SkewAgainstInventory) and the loss budget still apply, so such a
    /// rebalance cannot widen the imbalance. A reposition moves no token: it is how a pool left all-base (or
    /// all-quote) by a crash gets re-centred on the oracle. Emits PolicyUpdated(pool, InventoryRecovery, 1 or 0, 0).
    function setAllowInventoryRecovery(address pool, bool allowed) external;
    /// @notice Loss budget of `pool`: maxLossBps of the value of holding the loss window's start holdings, per
    /// LOSS_WINDOW, in [1, MAX_LOSS_BPS]; registerPool sets DEFAULT_MAX_LOSS_BPS.
    function setMaxLoss(address pool, uint16 maxLossBps) external;
    /// @notice Forgets `pool`'s loss window: the next rebalance starts a new one at the holdings then.
    function resetLossWindow(address pool) external;
    /// @notice Limits on the keeper's hedge adjustments of `pool` (HedgeLimits). setHedgePolicy sets defaults
    /// (maxMargin = maxNotional, maxVolume = 4 * maxNotional) while both are zero.
    function setHedgeLimits(address pool, HedgeLimits calldata limits) external;
    /// @notice Sends `amount` of the vault's own balance of `token` (e.g. hedge quote) to the owner.
    function sweep(address token, uint256 amount) external;
    /// @notice Pulls amounts from the owner (approve the vault) straight into the pool, then re-fits its liquidity.
    /// The pool's spot price must lie within maxTwapDeviationBps of the (fresh) oracle price (SpotPriceDeviation):
    /// the re-fit happens at the spot price. Adds the amounts to the loss window's start holdings.
    function deposit(address pool, uint256 amount0, uint256 amount1) external returns (uint128 liquidity);
    /// @notice Takes amounts out of the pool's reserves to `to`, then re-fits its liquidity. The pool's spot price
    /// must lie within maxTwapDeviationBps of the (fresh) oracle price, as for deposit (SpotPriceDeviation): the
    /// re-fit happens at the spot price. Subtracts the amounts from the loss window's start holdings. (While the spot
    /// is off the oracle — e.g. pinned at a range edge after a crash — the keeper re-centres first, or the guardian
    /// pauses and takes everything out with emergencyWithdraw.)
    function withdraw(address pool, uint256 amount0, uint256 amount1, address to) external returns (uint128 liquidity);
    /// @notice Lifts the pause of the vault and of every registered pool.
    function unpause() external;
    /// @notice Sets `pool`'s hedge policy (HedgePolicy). The market must trade the pool's pair
    /// (HedgeMarketMismatch) and not be used by another pool (HedgeMarketInUse); replacing or removing (zero
    /// market) a market needs the old hedge account empty (HedgeOpen). minMarginRatioPips <= 1e6
    /// (PolicyOutOfBounds(Hedge, ...)).
    function setHedgePolicy(address pool, HedgePolicy calldata policy) external;
    /// @notice Closes `pool`'s hedge whatever the policy and the pause: trades the whole position away at the mark
    /// (a reduction, which PerpMarket always accepts) and sends the remaining margin to the owner. Needs only a
    /// fresh mark price while a position is open (the market's StalePrice otherwise).
    /// @return closedSize The size traded (minus the old position).
    /// @return margin Quote sent to the owner.
    function closeHedge(address pool) external returns (int256 closedSize, uint256 margin);
}

/// @title ITreasuryVaultGuardianActions
/// @notice Functions a guardian or the owner may call; others revert with NotGuardianOrOwner.
interface ITreasuryVaultGuardianActions {
    /// @notice Pauses rebalances and the swaps of every registered pool.
    function pause() external;
    /// @notice While paused: sends every token of `pool` to the owner (never anywhere else). A token whose transfer
    /// fails stays in the pool (its amount is 0) and does not block the other one.
    function emergencyWithdraw(address pool) external returns (uint256 amount0, uint256 amount1);
}

/// @title ITreasuryVaultKeeperActions
/// @notice Functions only a keeper may call; others revert with NotKeeper.
interface ITreasuryVaultKeeperActions is ITreasuryVaultTypes {
    /// @notice Checks every bound of the pool's policy on-chain and repositions the pool (all or nothing); emits
    /// Rebalanced (and the pool's Repositioned). Allowed while paused (swaps stay shut; the TWAP check is skipped,
    /// the swap-free TWAP holding only the frozen price), so that the keeper re-centres before the owner unpauses.
    /// @return sqrtPriceLowX96 The pool's new lower bound.
    /// @return sqrtPriceHighX96 The pool's new upper bound.
    function rebalance(address pool, Target calldata target)
        external
        returns (uint160 sqrtPriceLowX96, uint160 sqrtPriceHighX96);
    /// @notice Adjusts `pool`'s hedge on its policy's market, in this order: deposits marginDelta > 0 from the
    /// vault's own quote balance (the owner funds it by transfer), trades sizeDelta (base units, != 0 to trade),
    /// withdraws -marginDelta < 0 back to the vault. Then, with v = market.accountView(vault): v.notional <=
    /// maxNotional (HedgeNotionalTooLarge) and, when v.notional > 0, ratio = floor(max(v.equity, 0) * 1e6 /
    /// v.notional) >= minMarginRatioPips (HedgeMarginRatioTooLow); after a deposit v.margin <= maxMargin
    /// (HedgeMarginCapExceeded); the notional traded in the current HEDGE_WINDOW <= maxVolume
    /// (HedgeVolumeBudgetExceeded). Reverts with EnforcedPause while paused,
    /// NoHedgePolicy without a market; the market's own errors bubble.
    function adjustHedge(address pool, int256 sizeDelta, int256 marginDelta) external;
}

/// @title ITreasuryVaultState
/// @notice Read-only state of TreasuryVault.
interface ITreasuryVaultState is ITreasuryVaultTypes {
    /// @notice Whether `account` holds the keeper role.
    function isKeeper(address account) external view returns (bool);
    /// @notice Whether `account` holds the guardian role.
    function isGuardian(address account) external view returns (bool);
    /// @notice The registered UniswapV3PositionManager (zero: none).
    function positionManager() external view returns (address);
    /// @notice Registered pools, in registration order.
    function pools() external view returns (address[] memory);
    /// @notice The stored policy of `pool`.
    function policyOf(address pool) external view returns (PolicyView memory);
    /// @notice The hedge limits of `pool`.
    function hedgeLimitsOf(address pool) external view returns (HedgeLimits memory);
    /// @notice The loss window of `pool`: start holdings, start time (0: none; the next rebalance starts one) and
    /// the budget in bps.
    function lossWindowOf(address pool)
        external
        view
        returns (uint256 reserve0, uint256 reserve1, uint256 startTime, uint256 maxLossBps);
    /// @notice The hedge policy of `pool` (zero market: none).
    function hedgePolicyOf(address pool) external view returns (HedgePolicy memory);
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
