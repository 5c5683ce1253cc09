// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title ITreasuryVaultTypes
/// @notice Structs and enums shared by the vault's interfaces.
interface ITreasuryVaultTypes {
    /// @notice Names the policy parameter in PolicyOutOfBounds / InvalidPolicyRange / PolicyUpdated.
    enum PolicyParam {
        Feeds, // 0
        Heartbeat, // 1
        TwapWindow, // 2
        MaxTwapDeviation, // 3
        MaxSkew, // 4
        FeeBounds, // 5
        WidthBounds, // 6
        MinRebalanceInterval, // 7
        InventoryBounds, // 8
        Hedge, // 9: setHedgePolicy's minMarginRatioPips
        MaxLoss, // 10: setMaxLoss's maxLossBps; also a reserve too large for the loss window's 112-bit holdings
        HedgeLimits, // 11: setHedgeLimits
        InventoryRecovery, // 12: setAllowInventoryRecovery (value0: 1 = on, 0 = off)
        SwapSlippage // 13: UniswapV3PositionManager's maxSwapSlippageBps (the vault itself never names it)
    }

    /// @notice A pool's policy as the owner sets it.
    /// @param priceFeed Price of token0 in token1, human units (any AggregatorV3Interface; decimals <= 36).
    /// @param volatilityFeed Optional (zero = none). When set, rebalance also requires it fresh and > 0; when it is the
    /// volatility feed of the price feed's own VolatilityOracle (written in the same update), the price feed's checks
    /// prove that and the rebalance does not read it (GuardMath.writtenTogether).
    /// @param heartbeat Maximum age of a feed answer, seconds [30, 7 days].
    /// @param twapWindow Window of the pool's TWAP compared with the oracle, seconds [10, 30 minutes]; the vault grows the
    /// pool's observation ring to cover it (one observation per OBSERVATION_SPACING seconds).
    /// @param maxTwapDeviationBps Maximum deviation of the pool's TWAP from the oracle price, bps [1, 2000].
    /// @param maxSkewBps Maximum deviation of a new centre from the oracle price, bps [1, 2000].
    /// @param minFeePips Lowest fee a rebalance may set, pips (min <= max <= 100_000).
    /// @param maxFeePips Highest fee a rebalance may set, pips.
    /// @param minWidthBps Narrowest range, as (pHigh / pLow - 1) in bps (1 <= min <= max <= 10_000_000).
    /// @param maxWidthBps Widest range, same unit.
    /// @param minRebalanceInterval Seconds between rebalances of this pool [60, 7 days] (MIN_REBALANCE_INTERVAL floor).
    /// @param minBaseShareBps Lowest share of token0 in the pool's value at the oracle price, bps.
    /// @param maxBaseShareBps Highest share of token0 (min <= max <= 10_000). Their midpoint is the target share
    /// the keeper's skew must steer toward, and half their distance the band that scales the skew allowed.
    struct PolicyParams {
        AggregatorV3Interface priceFeed;
        AggregatorV3Interface volatilityFeed;
        uint32 heartbeat;
        uint32 twapWindow;
        uint16 maxTwapDeviationBps;
        uint16 maxSkewBps;
        uint24 minFeePips;
        uint24 maxFeePips;
        uint32 minWidthBps;
        uint32 maxWidthBps;
        uint32 minRebalanceInterval;
        uint16 minBaseShareBps;
        uint16 maxBaseShareBps;
    }

    /// @notice The curve a keeper asks for.
    /// @param sqrtPriceX96 New centre (the pool's new price), Q64.96.
    /// @param sqrtPriceBoundX96 One bound: below the centre = lower bound, above = upper bound; the other bound is
    /// derived from the reserves (ManagedPool.reposition).
    /// @param feePips New fee in pips.
    /// @param observationHint Index in the pool's observation ring of the oldest observation at or after
    /// (block time - twapWindow); only saves gas (type(uint16).max = none: binary search). See ObservationLib.
    struct Target {
        uint160 sqrtPriceX96;
        uint160 sqrtPriceBoundX96;
        uint24 feePips;
        uint16 observationHint;
    }

    /// @notice A pool's hedge policy: the perp market where the vault may hold a position against the pool's base
    /// inventory, and the limits every keeper adjustment must leave it within.
    /// @param market The PerpMarket (quote token = the pool's token1, base token = token0); zero = no hedge.
    /// @param maxNotional Largest position notional at the mark, quote units (PerpMarket.accountView.notional).
    /// @param minMarginRatioPips Smallest equity / notional, pips (1e6 = 100%), in [0, 1e6].
    struct HedgePolicy {
        address market;
        uint128 maxNotional;
        uint32 minMarginRatioPips;
    }

    /// @notice Limits on the keeper's hedge adjustments of one pool, on top of HedgePolicy.
    /// @param maxMargin Largest margin (quote units) the vault's account may hold on the market after a keeper
    /// deposit (PerpMarket.accountView.margin).
    /// @param maxVolume Largest traded notional (sum of |sizeDelta| * mark / 1e36, quote units) per HEDGE_WINDOW.
    struct HedgeLimits {
        uint128 maxMargin;
        uint128 maxVolume;
    }

    /// @notice A policy with its derived fields, as stored.
    /// @param params The owner's parameters.
    /// @param registered Whether the pool is registered.
    /// @param priceScaleExp decimals(token1) - decimals(token0) - decimals(priceFeed): pool price = answer * 10^exp.
    /// @param maxTwapDeviationLog maxTwapDeviationBps converted to log-price units (see TreasuryVault).
    /// @param allowInventoryRecovery Whether a rebalance may run with the base share outside the inventory bounds
    /// (setAllowInventoryRecovery; off at registration).
    /// The time of the last rebalance is the pool's lastRepositionTime().
    struct PolicyView {
        PolicyParams params;
        bool registered;
        int8 priceScaleExp;
        uint32 maxTwapDeviationLog;
        bool allowInventoryRecovery;
    }
}
