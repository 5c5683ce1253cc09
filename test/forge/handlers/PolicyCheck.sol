// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {FullMath} from "../../../contracts/libraries/FullMath.sol";
import {LogMath} from "../../../contracts/libraries/LogMath.sol";
import {ITreasuryVaultTypes} from "../../../contracts/interfaces/ITreasuryVaultTypes.sol";

/// @notice What a successful TreasuryVault.rebalance must satisfy, recomputed from the policy the vault reports and
/// the state seen just before the call, with the formulas of TreasuryVault's NatSpec header written anew. Returns
/// the first broken bound's name ("" when all hold). A new policy bound = one more check here.
library PolicyCheck {
    uint256 private constant Q96 = 1 << 96;

    /// @notice Everything read just before the rebalance (and the pool state just after it).
    struct Seen {
        ITreasuryVaultTypes.PolicyParams policy;
        ITreasuryVaultTypes.Target target;
        int256 answer; // price feed answer
        uint256 updatedAt; // price feed
        int256 volAnswer;
        uint256 volUpdatedAt;
        int256 priceScaleExp;
        bool allowInventoryRecovery; // policyOf(pool).allowInventoryRecovery
        bool twapReadable; // pool.consult(twapWindow) did not revert
        int256 twapLogPrice; // pool.consult(twapWindow).meanLogPrice
        uint32 previousRepositionTime;
        bool pausedBefore;
        uint256 spotBefore; // the pool's sqrt price and range just before the call
        uint256 lowBefore;
        uint256 highBefore;
        // after
        uint256 low;
        uint256 high;
        uint256 priceAfter;
        uint24 feeAfter;
        uint256 reserve0;
        uint256 reserve1;
    }

    function check(Seen memory s) internal view returns (string memory) {
        ITreasuryVaultTypes.PolicyParams memory p = s.policy;
        // a rebalance while paused is allowed (a re-centre before unpausing); swaps stay shut and the TWAP check is skipped
        if (s.target.feePips < p.minFeePips || s.target.feePips > p.maxFeePips) return "fee bounds";
        if (s.feeAfter != s.target.feePips) return "fee not the target's";
        if (block.timestamp > s.updatedAt + p.heartbeat) return "stale price feed";
        if (s.answer <= 0) return "non-positive price";
        if (address(p.volatilityFeed) != address(0)) {
            if (block.timestamp > s.volUpdatedAt + p.heartbeat) return "stale volatility feed";
            if (s.volAnswer <= 0) return "non-positive volatility";
        }
        if (s.previousRepositionTime != 0 && block.timestamp < uint256(s.previousRepositionTime) + p.minRebalanceInterval)
        {
            return "min rebalance interval";
        }
        uint256 oracle = priceX128(s.answer, s.priceScaleExp);
        if (oracle == 0) return "oracle price out of range";
        if (s.target.sqrtPriceX96 >= 1 << 128) return "skew: centre above 2^128";
        uint256 skew = skewBps(s.target.sqrtPriceX96, oracle);
        if (skew > p.maxSkewBps) return "skew";
        // the pool keeps its price and bounds on a grid of 56 significant bits: the centre and the given bound rounded down
        if (s.priceAfter != gridFloor(s.target.sqrtPriceX96)) return "pool price is not the target centre";
        if (!(s.low <= s.priceAfter && s.priceAfter <= s.high && s.low < s.high)) return "centre outside the new range";
        if (gridFloor(s.low) != s.low || gridFloor(s.high) != s.high) return "a bound off the grid";
        bool boundBelow = s.target.sqrtPriceX96 > s.target.sqrtPriceBoundX96;
        if ((boundBelow ? s.low : s.high) != gridFloor(s.target.sqrtPriceBoundX96)) return "bound";
        uint256 width = widthBps(s.low, s.high);
        if (width < p.minWidthBps || width > p.maxWidthBps) return "width bounds";
        uint256 share = baseShareBps(s.reserve0, s.reserve1, oracle);
        // outside the bounds only with inventory recovery on (the skew rule below then steers toward the target)
        if ((share < p.minBaseShareBps || share > p.maxBaseShareBps) && !s.allowInventoryRecovery) {
            return "inventory bounds";
        }
        // the skew only toward the inventory target (the bounds' midpoint), at most maxSkew·|share − target|/halfBand
        if (skew != 0) {
            uint256 target = (uint256(p.minBaseShareBps) + uint256(p.maxBaseShareBps)) / 2;
            uint256 halfBand = (uint256(p.maxBaseShareBps) - uint256(p.minBaseShareBps)) / 2;
            bool above = FullMath.mulDiv(s.target.sqrtPriceX96, s.target.sqrtPriceX96, 1 << 64) > oracle;
            bool toward = above ? share < target : share > target;
            if (!toward) return "skew against the inventory";
            uint256 imbalance = share > target ? share - target : target - share;
            uint256 allowed = imbalance >= halfBand ? p.maxSkewBps : uint256(p.maxSkewBps) * imbalance / halfBand;
            if (skew > allowed) return "skew past the inventory's allowance";
        }
        if (s.pausedBefore) return "";
        if (!s.twapReadable) return "TWAP unreadable yet rebalanced";
        // exempt: the spot sat on a bound and the oracle lies beyond it (edge price floor(e^2 / 2^64), Q128.128)
        if (s.spotBefore == s.lowBefore && oracle < FullMath.mulDiv(s.spotBefore, s.spotBefore, 1 << 64)) return "";
        if (s.spotBefore == s.highBefore && oracle > FullMath.mulDiv(s.spotBefore, s.spotBefore, 1 << 64)) return "";
        uint256 maxLog = uint256(
            LogMath.logPrice(Math.sqrt(FullMath.mulDiv(10_000 + uint256(p.maxTwapDeviationBps), 1 << 192, 10_000)))
        );
        int256 d = s.twapLogPrice - LogMath.coarseLogPriceFromPriceX128(oracle);
        if ((d < 0 ? uint256(-d) : uint256(d)) > maxLog) return "TWAP deviation";
        return "";
    }

    /// @dev v with every bit below its 56 most significant ones cleared (v itself below 2^56).
    function gridFloor(uint256 v) internal pure returns (uint256) {
        if (v < 1 << 56) return v;
        uint256 unit = 1 << (Math.log2(v) + 1 - 56);
        return v - v % unit;
    }

    /// @dev answer * 10^e in Q128.128 (0 when out of range, as the vault's OraclePriceOutOfRange).
    function priceX128(int256 answer, int256 e) internal pure returns (uint256) {
        if (answer <= 0 || uint256(answer) >= 1 << 128) return 0;
        uint256 a = uint256(answer);
        if (e >= 0) {
            uint256 scaled = a * 10 ** uint256(e);
            return scaled >= 1 << 128 ? 0 : scaled << 128;
        }
        return (a << 128) / 10 ** uint256(-e);
    }

    /// @dev |c^2/2^64 - oracle| * 1e4 / oracle, floored (c < 2^128).
    function skewBps(uint256 c, uint256 oracle) internal pure returns (uint256) {
        uint256 pc = FullMath.mulDiv(c, c, 1 << 64);
        uint256 diff = pc >= oracle ? pc - oracle : oracle - pc;
        return FullMath.mulDiv(diff, 10_000, oracle);
    }

    /// @dev ((high/low)^2 - 1) in bps with the floors of the vault's formula; max when the ratio is >= 2^32.
    function widthBps(uint256 low, uint256 high) internal pure returns (uint256) {
        uint256 r = FullMath.mulDiv(high, Q96, low);
        if (r >= 1 << 128) return type(uint256).max;
        uint256 p = FullMath.mulDiv(r, r, Q96);
        return FullMath.mulDiv(p - Q96, 10_000, Q96);
    }

    /// @dev token0's share of the value at the oracle price, bps (0 when empty).
    function baseShareBps(uint256 r0, uint256 r1, uint256 oracle) internal pure returns (uint256) {
        uint256 v0 = FullMath.mulDiv(r0, oracle, 1 << 128);
        if (v0 + r1 == 0) return 0;
        return FullMath.mulDiv(v0, 10_000, v0 + r1);
    }
}
