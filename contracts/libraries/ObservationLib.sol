// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {LogMath} from "./LogMath.sol";

/// @title ObservationLib
/// @notice Ring buffer of price observations, written at most once per block (modelled on Uniswap v3's Oracle).
/// @dev Each observation i, written at time t_i (before the first price change of its block), records:
///   logPrice_i                 = the log price (LogMath units, 2^-24 log2 P) that held on (t_{i-1}, t_i]
///   logPriceCumulative_i       = logPriceCumulative_{i-1} + logPrice_i * (t_i - t_{i-1})
///   squaredReturnCumulative_i  = squaredReturnCumulative_{i-1} + (logPrice_i - logPrice_{i-1})^2
///   secondsSincePrevious_i     = min(t_i - t_{i-1}, 2^24 - 1)   (0 for the first observation)
/// Cumulatives wrap (unchecked int72 / uint80 arithmetic, as Uniswap's int56); differences stay exact.
/// Reading at a time `target` (observeSingle):
///   - target == t of an observation: that observation's cumulatives;
///   - target > t_last: logCum = last.logCum + lpNow * (target - t_last), sqCum = last.sqCum + (lpNow - last.logPrice)^2
///     (lpNow = the current log price: the return since the last observation is counted as soon as it happened);
///   - t_{i-1} < target < t_i: logCum = obs_{i-1}.logCum + obs_i.logPrice * (target - t_{i-1}) (exact: the price was
///     constant on that interval), sqCum = obs_i.sqCum (the return lp_i - lp_{i-1} happened at t_{i-1}).
/// TWAP (geometric) of P over [a, b]: (logCum(b) - logCum(a)) / (b - a); realised variance of ln P over [a, b]:
/// (sqCum(b) - sqCum(a)) * (ln2 / 2^24)^2. Timestamps are uint32 (valid until 2106; no wrap handling).
library ObservationLib {
    struct Observation {
        uint32 blockTimestamp;
        uint24 secondsSincePrevious; // saturates at 2^24 - 1; 0 for the first observation
        int40 logPrice;
        int72 logPriceCumulative;
        uint80 squaredReturnCumulative;
        bool initialized;
    }

    uint256 private constant MAX_GAP = type(uint24).max;
    // bit offsets of Observation's fields in its storage word (write and the hinted read use the raw word)
    uint256 private constant GAP_SHIFT = 32;
    uint256 private constant LOG_PRICE_SHIFT = 56;
    uint256 private constant CUMULATIVE_SHIFT = 96;
    uint256 private constant SQUARED_SHIFT = 168;
    uint256 private constant INITIALIZED_SHIFT = 248;

    /// @notice The requested time is older than the oldest observation.
    /// @param target The requested timestamp.
    /// @param oldest The timestamp of the oldest observation held.
    error ObservationTooOld(uint32 target, uint32 oldest);
    /// @notice secondsAgo reaches before timestamp zero.
    error InvalidSecondsAgo(uint32 secondsAgo);

    /// @notice Writes the first observation; returns cardinality and cardinalityNext (both 1).
    /// @param self The ring.
    /// @param time Block time of the first observation.
    /// @param lp The log price at that time.
    /// @return The cardinality (1).
    /// @return The cardinalityNext (1).
    function initialize(Observation[65535] storage self, uint32 time, int256 lp) internal returns (uint16, uint16) {
        self[0] = Observation({
            blockTimestamp: time,
            secondsSincePrevious: 0,
            logPrice: int40(lp),
            logPriceCumulative: 0,
            squaredReturnCumulative: 0,
            initialized: true
        });
        return (1, 1);
    }

    /// @notice The observation that `last` would become at `time` with the log price `lp` held since `last`.
    /// @param last The most recent observation.
    /// @param time The time of the new observation (>= last.blockTimestamp).
    /// @param lp The log price that held since `last`.
    /// @return The new observation (cumulatives advanced, gap saturated).
    function transform(Observation memory last, uint32 time, int256 lp) internal pure returns (Observation memory) {
        unchecked {
            uint256 dt = time - last.blockTimestamp;
            int256 r = lp - int256(last.logPrice);
            return Observation({
                blockTimestamp: time,
                secondsSincePrevious: uint24(dt > MAX_GAP ? MAX_GAP : dt),
                logPrice: int40(lp),
                logPriceCumulative: last.logPriceCumulative + int72(lp) * int72(uint72(dt)),
                squaredReturnCumulative: last.squaredReturnCumulative + uint80(uint256(r * r)),
                initialized: true
            });
        }
    }

    /// @notice Writes an observation unless one was written in this block already (same rules as Uniswap v3).
    /// @param index Index of the most recent observation.
    /// @param sqrtPriceX96 The price that held since that observation (the pre-change price); its log price
    /// (LogMath.logPrice) is only computed when an observation is written.
    /// @return indexUpdated New most recent index.
    /// @return cardinalityUpdated New cardinality (grows to cardinalityNext when the ring wraps).
    /// @return logPriceCumulative logPriceCumulative of the most recent observation (now at block time).
    /// @param self The ring.
    /// @param time The block time.
    /// @param cardinality The ring's current size.
    /// @param cardinalityNext The size the ring grows to when it wraps.
    function write(
        Observation[65535] storage self,
        uint16 index,
        uint32 time,
        uint256 sqrtPriceX96,
        uint16 cardinality,
        uint16 cardinalityNext
    ) internal returns (uint16 indexUpdated, uint16 cardinalityUpdated, int72 logPriceCumulative) {
        // raw storage words (an Observation fills exactly one slot; field offsets: see the *_SHIFT constants)
        uint256 last;
        assembly ("memory-safe") {
            last := sload(add(self.slot, and(index, 0xffff)))
        }
        uint32 lastTime = uint32(last);
        if (lastTime == time) return (index, cardinality, int72(uint72(last >> CUMULATIVE_SHIFT)));
        unchecked {
            if (cardinalityNext > cardinality && index == (cardinality - 1)) cardinalityUpdated = cardinalityNext;
            else cardinalityUpdated = cardinality;
            indexUpdated = uint16((uint256(index) + 1) % cardinalityUpdated);
        }
        uint256 word;
        (word, logPriceCumulative) = _next(last, time, LogMath.logPrice(sqrtPriceX96));
        assembly ("memory-safe") {
            sstore(add(self.slot, and(indexUpdated, 0xffff)), word)
        }
    }

    /// @dev The raw word transform(last, time, lp) would store, and its logPriceCumulative (the same wrapping int72 /
    /// uint80 arithmetic as transform).
    /// @param last The raw word of the most recent observation.
    /// @param time The new observation's time.
    /// @param lp The log price that held since `last`.
    /// @return word The raw word of the new observation.
    /// @return logPriceCumulative Its logPriceCumulative.
    function _next(uint256 last, uint32 time, int256 lp) private pure returns (uint256 word, int72 logPriceCumulative) {
        unchecked {
            uint256 dt = time - uint32(last);
            int256 r = lp - int256(int40(uint40(last >> LOG_PRICE_SHIFT)));
            logPriceCumulative = int72(uint72(last >> CUMULATIVE_SHIFT)) + int72(lp) * int72(uint72(dt));
            uint80 sq = uint80(last >> SQUARED_SHIFT) + uint80(uint256(r * r));
            word = uint256(time) | ((dt > MAX_GAP ? MAX_GAP : dt) << GAP_SHIFT)
                | (uint256(uint40(int40(lp))) << LOG_PRICE_SHIFT)
                | (uint256(uint72(logPriceCumulative)) << CUMULATIVE_SHIFT) | (uint256(sq) << SQUARED_SHIFT)
                | (uint256(1) << INITIALIZED_SHIFT);
        }
    }

    /// @notice Pre-writes slots [current, next) (timestamp 1, not initialized) so later writes cost less.
    /// @param self The ring.
    /// @param current Its current cardinalityNext.
    /// @param next The wanted cardinalityNext.
    /// @return The new cardinalityNext (max(current, next)).
    function grow(Observation[65535] storage self, uint16 current, uint16 next) internal returns (uint16) {
        if (next <= current) return current;
        for (uint16 i = current; i < next; i++) {
            self[i].blockTimestamp = 1;
        }
        return next;
    }

    /// @notice Cumulatives at `time - secondsAgo`; see the library notes for the exact rules.
    /// @param self The ring.
    /// @param time The current block time.
    /// @param secondsAgo How far back to read.
    /// @param lpNow The current log price (for a target after the newest observation).
    /// @param index Index of the newest observation.
    /// @param cardinality The ring's size.
    /// @return logPriceCumulative The log-price cumulative at time - secondsAgo.
    /// @return squaredReturnCumulative The squared-return cumulative at time - secondsAgo.
    function observeSingle(
        Observation[65535] storage self,
        uint32 time,
        uint32 secondsAgo,
        int256 lpNow,
        uint16 index,
        uint16 cardinality
    ) internal view returns (int72 logPriceCumulative, uint80 squaredReturnCumulative) {
        if (secondsAgo > time) revert InvalidSecondsAgo(secondsAgo);
        uint32 target;
        unchecked {
            target = time - secondsAgo;
        }
        Observation memory last = self[index];
        if (target >= last.blockTimestamp) {
            if (target == last.blockTimestamp) return (last.logPriceCumulative, last.squaredReturnCumulative);
            Observation memory t = transform(last, target, lpNow);
            return (t.logPriceCumulative, t.squaredReturnCumulative);
        }
        (Observation memory beforeOrAt, Observation memory atOrAfter) = _search(self, target, index, cardinality);
        if (target == beforeOrAt.blockTimestamp) {
            return (beforeOrAt.logPriceCumulative, beforeOrAt.squaredReturnCumulative);
        }
        if (target == atOrAfter.blockTimestamp) {
            return (atOrAfter.logPriceCumulative, atOrAfter.squaredReturnCumulative);
        }
        unchecked {
            logPriceCumulative = beforeOrAt.logPriceCumulative
                + int72(atOrAfter.logPrice) * int72(uint72(target - beforeOrAt.blockTimestamp));
        }
        squaredReturnCumulative = atOrAfter.squaredReturnCumulative;
    }

    /// @notice observeSingle with a hint: `hint` should be the index of the OLDEST observation at or after the
    /// target time (its secondsSincePrevious proves that its predecessor lies before the target, so one storage
    /// read suffices: logCum = obs.logCum - obs.logPrice * (obs.t - target), sqCum = obs.sqCum). A wrong or
    /// out-of-range hint (e.g. type(uint16).max) falls back to the binary search: the result never depends on the
    /// hint, only the gas does.
    /// @param self The ring.
    /// @param time The current block time.
    /// @param secondsAgo How far back to read.
    /// @param lpNow The current log price.
    /// @param index Index of the newest observation.
    /// @param cardinality The ring's size.
    /// @param hint Index of the oldest observation at or after the target (type(uint16).max: none; a wrong hint only costs a search).
    /// @return logPriceCumulative As observeSingle.
    /// @return squaredReturnCumulative As observeSingle.
    function observeSingleWithHint(
        Observation[65535] storage self,
        uint32 time,
        uint32 secondsAgo,
        int256 lpNow,
        uint16 index,
        uint16 cardinality,
        uint16 hint
    ) internal view returns (int72 logPriceCumulative, uint80 squaredReturnCumulative) {
        if (hint < cardinality && secondsAgo <= time) {
            uint32 target;
            unchecked {
                target = time - secondsAgo;
            }
            uint256 w;
            assembly ("memory-safe") {
                w := sload(add(self.slot, and(hint, 0xffff)))
            }
            uint32 t = uint32(w);
            if (w >> INITIALIZED_SHIFT != 0 && t >= target) {
                uint32 dt;
                unchecked {
                    dt = t - target;
                }
                int72 c = int72(uint72(w >> CUMULATIVE_SHIFT));
                uint80 q = uint80(w >> SQUARED_SHIFT);
                if (dt == 0) return (c, q);
                if (dt < uint24(w >> GAP_SHIFT)) {
                    unchecked {
                        logPriceCumulative = c - int72(int40(uint40(w >> LOG_PRICE_SHIFT))) * int72(uint72(dt));
                    }
                    return (logPriceCumulative, q);
                }
            }
        }
        return observeSingle(self, time, secondsAgo, lpNow, index, cardinality);
    }

    /// @notice observeSingleWithHint's logPriceCumulative for a caller whose newest observation is at `time` (so
    /// lpNow is never needed): the same hinted read, the same fallback.
    /// @param self The ring.
    /// @param time The current block time (the newest observation is at it).
    /// @param secondsAgo How far back to read (> 0).
    /// @param index Index of the newest observation.
    /// @param cardinality The ring's size.
    /// @param hint As observeSingleWithHint.
    /// @return logPriceCumulative The log-price cumulative at time - secondsAgo.
    function logPriceCumulativeWithHint(
        Observation[65535] storage self,
        uint32 time,
        uint32 secondsAgo,
        uint16 index,
        uint16 cardinality,
        uint16 hint
    ) internal view returns (int72 logPriceCumulative) {
        if (hint < cardinality && secondsAgo <= time) {
            uint256 w;
            assembly ("memory-safe") {
                w := sload(add(self.slot, and(hint, 0xffff)))
            }
            unchecked {
                uint32 target = time - secondsAgo;
                uint32 t = uint32(w);
                if (w >> INITIALIZED_SHIFT != 0 && t >= target) {
                    uint32 dt = t - target;
                    logPriceCumulative = int72(uint72(w >> CUMULATIVE_SHIFT));
                    if (dt == 0) return logPriceCumulative;
                    if (dt < uint24(w >> GAP_SHIFT)) {
                        return logPriceCumulative - int72(int40(uint40(w >> LOG_PRICE_SHIFT))) * int72(uint72(dt));
                    }
                }
            }
        }
        (logPriceCumulative,) = observeSingle(self, time, secondsAgo, 0, index, cardinality);
    }

    /// @dev Binary search for the observations around `target` (target < newest timestamp).
    /// @param self The ring.
    /// @param target The time searched (before the newest observation).
    /// @param index Index of the newest observation.
    /// @param cardinality The ring's size.
    /// @return beforeOrAt The observation at or just before target.
    /// @return atOrAfter The observation at or just after target.
    function _search(Observation[65535] storage self, uint32 target, uint16 index, uint16 cardinality)
        private
        view
        returns (Observation memory beforeOrAt, Observation memory atOrAfter)
    {
        unchecked {
            Observation memory oldest = self[(uint256(index) + 1) % cardinality];
            if (!oldest.initialized) oldest = self[0];
            if (target < oldest.blockTimestamp) revert ObservationTooOld(target, oldest.blockTimestamp);

            uint256 l = (uint256(index) + 1) % cardinality;
            uint256 r = l + cardinality - 1;
            while (true) {
                uint256 i = (l + r) / 2;
                beforeOrAt = self[i % cardinality];
                if (!beforeOrAt.initialized) {
                    l = i + 1;
                    continue;
                }
                atOrAfter = self[(i + 1) % cardinality];
                bool targetAtOrAfter = beforeOrAt.blockTimestamp <= target;
                if (targetAtOrAfter && target <= atOrAfter.blockTimestamp) break;
                if (!targetAtOrAfter) r = i - 1;
                else l = i + 1;
            }
        }
    }
}
