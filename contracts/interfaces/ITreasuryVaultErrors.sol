// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {ITreasuryVaultTypes} from "./ITreasuryVaultTypes.sol";
import {IManagedPoolErrors} from "./IManagedPoolErrors.sol";

/// @title ITreasuryVaultErrors
/// @notice Custom errors of TreasuryVault. Also from OpenZeppelin: OwnableUnauthorizedAccount(address) (owner-only
/// functions), OwnableInvalidOwner(address), EnforcedPause(), ExpectedPause(), ReentrancyGuardReentrantCall(),
/// SafeERC20FailedOperation(address); and any ManagedPool error bubbled from reposition/sync/withdraw: the pool's own
/// errors (IManagedPoolErrors, e.g. PoolPaused) and its libraries' errors are declared here too, so that the vault's
/// ABI decodes everything a vault call can revert with.
interface ITreasuryVaultErrors is ITreasuryVaultTypes, IManagedPoolErrors {
    /// @notice The caller is not a keeper.
    error NotKeeper(address account);
    /// @notice The caller is neither a guardian nor the owner.
    error NotGuardianOrOwner(address account);
    /// @notice The pool is not registered with this vault.
    error UnknownPool(address pool);
    /// @notice The pool is registered already.
    error PoolAlreadyRegistered(address pool);
    /// @notice The pool's vault() is not this vault.
    error PoolVaultMismatch(address pool, address poolVault);
    /// @notice The vault manages MAX_POOLS pools already.
    error TooManyPools();
    /// @notice A zero address was given where an account is needed.
    error ZeroAddress();
    /// @notice Ownership cannot be renounced (funds would be locked).
    error RenounceOwnershipDisabled();

    /// @notice A policy value lies outside its hard bounds.
    error PolicyOutOfBounds(PolicyParam param, uint256 value, uint256 min, uint256 max);
    /// @notice A (low, high) policy pair has low > high.
    error InvalidPolicyRange(PolicyParam param, uint256 low, uint256 high);

    /// @notice A feed's latest answer is older than the heartbeat: block.timestamp > updatedAt + heartbeat.
    error StaleOracle(address feed, uint256 updatedAt, uint256 heartbeat);
    /// @notice The price feed's answer is <= 0.
    error NonPositivePrice(int256 answer);
    /// @notice The volatility feed's answer is <= 0.
    error NonPositiveVolatility(int256 answer);
    /// @notice The oracle price cannot be expressed in the pool's units (>= 2^128 or rounds to 0).
    error OraclePriceOutOfRange(int256 answer);
    /// @notice |TWAP log price - oracle log price| exceeds the bound (log units: 2^-24 log2 of price).
    error TwapDeviation(int256 twapLogPrice, int256 oracleLogPrice, uint256 maxBps);
    /// @notice The new centre deviates from the oracle price by more than maxBps (price terms, bps).
    /// @param oraclePriceX128 The oracle price in the pool's units, Q128.128.
    error SkewTooLarge(uint256 centreSqrtPriceX96, uint256 oraclePriceX128, uint256 skewBps, uint256 maxBps);
    /// @notice The target fee is outside [min, max].
    error FeeOutOfBounds(uint256 feePips, uint256 min, uint256 max);
    /// @notice The resulting range width (pHigh / pLow - 1, bps) is outside [min, max].
    error WidthOutOfBounds(uint256 widthBps, uint256 min, uint256 max);
    /// @notice The minimum interval has not passed since the pool's last reposition.
    error RebalanceTooSoon(uint256 nextAllowed);
    /// @notice The pool has no hedge policy (no market).
    error NoHedgePolicy(address pool);
    /// @notice The market's quote/base tokens are not the pool's token1/token0.
    error HedgeMarketMismatch(address pool, address market);
    /// @notice Another pool of this vault hedges on `market` already (the vault holds one account per market).
    error HedgeMarketInUse(address market, address pool);
    /// @notice The pool's hedge account on `market` still holds a position or margin (closeHedge first).
    error HedgeOpen(address pool, address market, int256 size, int256 margin);
    /// @notice After an adjustment the hedge's notional exceeds the policy's maximum.
    error HedgeNotionalTooLarge(address pool, uint256 notional, uint256 maxNotional);
    /// @notice After an adjustment the hedge's equity / notional (pips; 0 when equity <= 0) is below the minimum.
    error HedgeMarginRatioTooLow(address pool, uint256 marginRatioPips, uint256 minMarginRatioPips);
    /// @notice The pool's base share of value at the oracle price is outside [min, max] (and the pool's policy does not
    /// allow inventory recovery: setAllowInventoryRecovery).
    error InventoryOutOfBounds(uint256 shareBps, uint256 min, uint256 max);

    /// @notice The centre is skewed against the inventory, or further than the inventory allows: with share the
    /// pool's base share at the oracle price and target = (minBaseShareBps + maxBaseShareBps) / 2, a centre above
    /// the oracle (skewBps > 0) needs share < target, one below needs share > target, and |skewBps| <=
    /// maxSkewBps * |share - target| / ((maxBaseShareBps - minBaseShareBps) / 2) (capped at maxSkewBps).
    /// @param skewBps Signed skew of the centre, bps (> 0: above the oracle).
    /// @param allowedBps The largest |skew| allowed in that direction (0: the wrong direction).
    error SkewAgainstInventory(int256 skewBps, uint256 shareBps, uint256 targetShareBps, uint256 allowedBps);
    /// @notice The pool's value at the oracle is `loss` below the value of holding the loss window's start holdings
    /// at the oracle, more than the budget = floor(that holding value * maxLossBps / 1e4). Rebalances revert until
    /// the window (LOSS_WINDOW) rolls over or the owner calls resetLossWindow.
    error LossBudgetExceeded(address pool, uint256 loss, uint256 budget);
    /// @notice A feed's round is dated after the current block (updatedAt > block.timestamp).
    error OracleRoundInFuture(address feed, uint256 updatedAt, uint256 timestamp);
    /// @notice deposit, withdraw: the pool's spot price deviates from the oracle by more than the policy's
    /// maxTwapDeviationBps (both re-fit the liquidity at the spot price).
    error SpotPriceDeviation(uint256 sqrtPriceX96, uint256 oraclePriceX128, uint256 deviationBps, uint256 maxBps);
    /// @notice adjustHedge: after a keeper margin deposit the account's margin exceeds the cap.
    error HedgeMarginCapExceeded(address pool, int256 margin, uint256 maxMargin);
    /// @notice adjustHedge: the notional traded in the current HEDGE_WINDOW would exceed the budget.
    error HedgeVolumeBudgetExceeded(address pool, uint256 volume, uint256 maxVolume);

    // Errors of ManagedPool's libraries that can bubble through the vault (declared again with the same signature).
    /// @notice ObservationLib: the TWAP window reaches before the oldest observation of the pool's ring.
    error ObservationTooOld(uint32 target, uint32 oldest);
    /// @notice ObservationLib: an invalid seconds-ago (0 window, or before time 0).
    error InvalidSecondsAgo(uint32 secondsAgo);
    /// @notice LiquidityFit: the fitted range would be unbounded.
    error RangeUnbounded();
    /// @notice LiquidityFit: the reserves fit a zero liquidity.
    error ZeroLiquidity();
    /// @notice LiquidityFit: the fitted liquidity does not fit 128 bits.
    error LiquidityOverflow(uint256 liquidity);
    /// @notice FullMath: the result does not fit 256 bits.
    error MulDivOverflow();
}
