// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {ITreasuryVaultErrors} from "../interfaces/ITreasuryVaultErrors.sol";
import {IOracleFeed, IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";
import {FullMath} from "./FullMath.sol";

/// @title GuardMath
/// @notice The vault's guard formulas for a venue outside TreasuryVault (UniswapV3PositionManager): feed reads, the
/// oracle price in pool units, skew and width in bps, value at the oracle. Same formulas, floors and errors as
/// TreasuryVault's private ones (see its contract notes), which stay inlined there for the ManagedPool path's gas. One
/// rule both use from here: writtenTogether, which decides when the owner sets the feeds whether a rebalance reads the
/// volatility feed at all.
library GuardMath {
    uint256 internal constant Q96 = 0x1000000000000000000000000;

    /// @notice Latest answer of a feed: StaleOracle when older than the heartbeat, OracleRoundInFuture when dated
    /// after the block; a reverting feed's data bubbles, a short answer reverts with empty data.
    function readFeed(AggregatorV3Interface feed, uint256 heartbeat) internal view returns (int256 answer) {
        uint256 updatedAt;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0xfeaf968c00000000000000000000000000000000000000000000000000000000) // latestRoundData()
            let ok := staticcall(gas(), feed, ptr, 4, ptr, 0xa0)
            if iszero(ok) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0xa0) { revert(0, 0) }
            answer := mload(add(ptr, 0x20))
            updatedAt := mload(add(ptr, 0x60))
        }
        if (updatedAt > block.timestamp) {
            revert ITreasuryVaultErrors.OracleRoundInFuture(address(feed), updatedAt, block.timestamp);
        }
        unchecked {
            if (block.timestamp > updatedAt + heartbeat) revert ITreasuryVaultErrors.StaleOracle(address(feed), updatedAt, heartbeat);
        }
    }

    /// @notice Whether `volatilityFeed` is the volatility feed of the VolatilityOracle that writes `priceFeed`: the price
    /// feed names its oracle() and that oracle names `volatilityFeed` as its volatilityFeed(). Such a pair is written in
    /// one update, at one time, and the oracle refuses a volatility <= 0, so the price feed's checks (not in the future,
    /// within the heartbeat, > 0) prove the volatility feed's as well and a rebalance need not read it (about 7,500 gas:
    /// a storage slot, the feed's cold account and its round). This trusts the price feed and the oracle it names to be
    /// an OracleFeed and its VolatilityOracle, as the owner who names the price feed is trusted with it already. A
    /// getter that reverts, is missing or answers short (a Chainlink aggregator, a mock), or another oracle's
    /// volatility feed: false, and the rebalance reads the volatility feed. Called when the owner sets the feeds.
    function writtenTogether(address priceFeed, address volatilityFeed) internal view returns (bool) {
        if (volatilityFeed == address(0)) return false;
        (bool ok, address oracle) = _addressGetter(priceFeed, IOracleFeed.oracle.selector);
        if (!ok || oracle == address(0)) return false;
        address named;
        (ok, named) = _addressGetter(oracle, IVolatilityOracle.volatilityFeed.selector);
        return ok && named == volatilityFeed;
    }

    /// @dev A view getter that answers one address word; (false, 0) when the call reverts or answers short.
    function _addressGetter(address target, bytes4 selector) private view returns (bool ok, address value) {
        assembly ("memory-safe") {
            mstore(0x00, selector)
            ok := and(staticcall(gas(), target, 0x00, 4, 0x00, 0x20), iszero(lt(returndatasize(), 0x20)))
            if ok { value := and(mload(0x00), 0xffffffffffffffffffffffffffffffffffffffff) }
        }
    }

    /// @notice Oracle answer (> 0) to the pool's price in Q128.128: (answer * 10^exp) << 128, or (answer << 128) / 10^-exp;
    /// OraclePriceOutOfRange when answer or the scaled price is >= 2^128, or the result is 0. exp in [-76, 38].
    function toPriceX128(int256 answer, int8 exp) internal pure returns (uint256 priceX128) {
        uint256 a = uint256(answer);
        if (a >= 1 << 128) revert ITreasuryVaultErrors.OraclePriceOutOfRange(answer);
        unchecked {
            if (exp >= 0) {
                uint256 scaled = a * 10 ** uint256(uint8(exp));
                if (scaled >= 1 << 128) revert ITreasuryVaultErrors.OraclePriceOutOfRange(answer);
                priceX128 = scaled << 128;
            } else {
                priceX128 = (a << 128) / 10 ** uint256(uint8(-exp));
            }
        }
        if (priceX128 == 0) revert ITreasuryVaultErrors.OraclePriceOutOfRange(answer);
    }

    /// @notice |pc / po - 1| in bps, pc = floor(s^2 / 2^64) the price of sqrt price s (< 2^128) in Q128.128.
    function skewBps(uint256 sqrtPriceX96, uint256 oraclePriceX128) internal pure returns (uint256) {
        unchecked {
            uint256 pc = (sqrtPriceX96 * sqrtPriceX96) >> 64;
            uint256 diff = pc >= oraclePriceX128 ? pc - oraclePriceX128 : oraclePriceX128 - pc;
            return diff < 1 << 242 ? (diff * 10_000) / oraclePriceX128 : FullMath.mulDiv(diff, 10_000, oraclePriceX128);
        }
    }

    /// @notice Whether the price of sqrt price s lies above the oracle price (pc > po, pc as in skewBps).
    function above(uint256 sqrtPriceX96, uint256 oraclePriceX128) internal pure returns (bool) {
        unchecked {
            return (sqrtPriceX96 * sqrtPriceX96) >> 64 > oraclePriceX128;
        }
    }

    /// @notice |(a/b)^2 - 1| in bps for sqrt prices a, b < 2^160: r = floor(a * 2^96 / b), p = floor(r^2 / 2^96),
    /// floor(|p - 2^96| * 1e4 / 2^96); type(uint256).max when r >= 2^128.
    function deviationBps(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            uint256 r = (a << 96) / b;
            if (r >= 1 << 128) return type(uint256).max;
            uint256 p = (r * r) >> 96;
            uint256 diff = p >= Q96 ? p - Q96 : Q96 - p;
            return (diff * 10_000) >> 96;
        }
    }

    /// @notice floor(amount0 * priceX128 / 2^128), exact for amount0 < 2^128.
    function valueOf(uint256 amount0, uint256 priceX128) internal pure returns (uint256 v0) {
        assembly ("memory-safe") {
            let mm := mulmod(amount0, priceX128, not(0))
            let prod0 := mul(amount0, priceX128)
            let prod1 := sub(sub(mm, prod0), lt(mm, prod0))
            v0 := or(shr(128, prod0), shl(128, prod1))
        }
    }

    /// @notice Base share of value at the oracle, bps: floor(v0 * 1e4 / (v0 + amount1)), v0 = valueOf(amount0); 0
    /// when both are 0. Also returns the total value v0 + amount1 (token1 units).
    function shareBps(uint256 amount0, uint256 amount1, uint256 priceX128)
        internal
        pure
        returns (uint256 share, uint256 total)
    {
        uint256 v0 = valueOf(amount0, priceX128);
        total = v0 + amount1;
        unchecked {
            if (total != 0) share = v0 < 1 << 240 ? (v0 * 10_000) / total : FullMath.mulDiv(v0, 10_000, total);
        }
    }

    /// @notice The skew a Uniswap v3 range's centre may have either way whatever the inventory: half a tick spacing in
    /// bps, rounded up: with h = ceil(spacing / 2) ticks, 10^4 * (1.0001^h - 1) <= h + h^2 / 19,000 + 1 for spacings up to
    /// 3,000 (Uniswap's tiers use 1 to 200); beyond that it is below half a spacing, so stricter, never looser.
    function gridSkewToleranceBps(int24 tickSpacing) internal pure returns (uint256) {
        unchecked {
            uint256 h = (uint256(uint24(tickSpacing)) + 1) / 2; // spacing < 2^14: no overflow
            return h + (h * h) / 19_000 + 1;
        }
    }

    /// @notice The skew-direction rule (the keeper-key bound): a skew of at most toleranceBps either way passes (a
    /// range on a tick grid cannot centre closer to the oracle than half a spacing; 0 for a curve that centres anywhere);
    /// otherwise it must point toward target = floor((lo + hi) / 2) and |skew| <= maxSkew * |share - target| /
    /// floor((hi - lo) / 2), capped at maxSkew (SkewAgainstInventory).
    function checkSkewDirection(uint256 lo, uint256 hi, uint256 maxSkew, uint256 share, int256 skew, uint256 toleranceBps)
        internal
        pure
    {
        unchecked {
            if (uint256(skew < 0 ? -skew : skew) <= toleranceBps) return;
            uint256 targetShare = (lo + hi) / 2;
            uint256 allowed;
            if (skew < 0 ? share > targetShare : share < targetShare) {
                uint256 imbalance = share > targetShare ? share - targetShare : targetShare - share;
                uint256 halfBand = (hi - lo) / 2;
                allowed = imbalance >= halfBand ? maxSkew : (maxSkew * imbalance) / halfBand;
            }
            uint256 magnitude = uint256(skew < 0 ? -skew : skew);
            if (magnitude > allowed) revert ITreasuryVaultErrors.SkewAgainstInventory(skew, share, targetShare, allowed);
        }
    }
}
