// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IManagedPool} from "./interfaces/IManagedPool.sol";
import {IManagedPoolState} from "./interfaces/IManagedPoolState.sol";
import {IManagedPoolActions} from "./interfaces/IManagedPoolActions.sol";
import {IManagedPoolVaultActions} from "./interfaces/IManagedPoolVaultActions.sol";
import {SwapMath} from "./libraries/SwapMath.sol";
import {LiquidityFit} from "./libraries/LiquidityFit.sol";
import {LogMath} from "./libraries/LogMath.sol";
import {ObservationLib} from "./libraries/ObservationLib.sol";
import {SqrtPriceGrid} from "./libraries/SqrtPriceGrid.sol";

/// @title ManagedPool
/// @notice A two-token market on one concentrated constant-product position on [sqrtPriceLow, sqrtPriceHigh]
/// (Q64.96 sqrt prices; price = token1 base units per token0 base unit), owned entirely by its vault.
/// @dev Accounting:
///  - reserve0/reserve1 are stored and equal the token balances (a direct transfer to the pool is ignored until
///    the vault calls sync).
///  - The liquidity L is stored and constant across swaps, like a Uniswap v3 position between mints and burns. It is
///    (re)fitted only by the vault's actions: reposition sets the L LiquidityFit.fitFromLower/fitFromUpper fit (equal
///    to LiquidityFit.refit of the new state), sync and withdraw set L = LiquidityFit.refit(sqrtPrice, sqrtPriceLow,
///    sqrtPriceHigh, reserve0, reserve1) on the unchanged range. Swap fees stay in the reserves as a surplus and are
///    put to work at the next reposition (they compound at every rebalance, not at every swap).
///    Why not refit at every swap: at a range edge the refit drops the side the position no longer holds, so idle
///    surplus of the other token (fees, an unfitted deposit) would become liquidity there, and a trader who pushes the
///    price onto the edge and swaps back would take it (a profitable round trip: 2.7% in
///    EdgeRoundTripTests). No L that is a function of the state alone avoids that and stays non-decreasing.
///  - reposition only moves the price and the range (LiquidityFit.fitFromLower/fitFromUpper choose the other
///    bound); no token moves.
///  - Solvency: the real amounts the curve holds at the current price, L*(1/sqrtP - 1/sqrtPb) and
///    L*(sqrtP - sqrtPa), never exceed reserve0 and reserve1 (L <= refit(state) at all times: true when L is fitted,
///    and swaps round in the pool's favour).
///  - Sqrt prices live in [MIN_SQRT_PRICE, MAX_SQRT_PRICE] = [4295128739, 2^128 - 1]. The bounds, and the price a
///    reposition or the constructor sets, lie on SqrtPriceGrid's grid (56 significant bits), so that L and both bounds
///    share one storage slot: a swap reads them with one cold SLOAD and a reposition writes them with one SSTORE.
contract ManagedPool is IManagedPool, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using ObservationLib for ObservationLib.Observation[65535];

    /// @notice Smallest sqrt price accepted (Uniswap v3's MIN_SQRT_RATIO).
    uint256 public constant MIN_SQRT_PRICE = 4295128739;
    /// @notice Largest sqrt price accepted (bounds are stored in 128 bits).
    uint256 public constant MAX_SQRT_PRICE = type(uint128).max;
    /// @notice Fees are in pips: 1e6 = 100%.
    uint24 public constant FEE_DENOMINATOR = 1e6;

    /// @inheritdoc IManagedPoolState
    address public immutable override token0;
    /// @inheritdoc IManagedPoolState
    address public immutable override token1;
    /// @inheritdoc IManagedPoolState
    address public immutable override vault;

    /// @dev slot 0: everything a swap and a reposition read first.
    struct Slot0 {
        uint128 sqrtPriceX96; // <= MAX_SQRT_PRICE = 2^128 - 1
        uint24 feePips;
        uint16 observationIndex;
        uint16 observationCardinality;
        uint16 observationCardinalityNext;
        bool paused;
        uint32 lastRepositionTime;
    }

    Slot0 private _slot0;
    // bit offsets of Slot0's fields in its storage word (reposition reads and writes the raw word)
    uint256 private constant SLOT0_FEE_SHIFT = 128;
    uint256 private constant SLOT0_INDEX_SHIFT = 152;
    uint256 private constant SLOT0_CARDINALITY_SHIFT = 168;
    uint256 private constant SLOT0_CARDINALITY_NEXT_SHIFT = 184;
    uint256 private constant SLOT0_PAUSED_SHIFT = 200;
    uint256 private constant SLOT0_TIME_SHIFT = 208;
    // slot 1: the curve, one word: the liquidity in use (bits 0..127; set by reposition, sync, withdraw; constant
    // across swaps) and the range's bounds in SqrtPriceGrid's packed form (lower: bits 128..191, upper: 192..255).
    // A swap reads L and one bound from it, a reposition rewrites all three in one write.
    uint256 private _curve;
    uint256 private constant CURVE_LOW_SHIFT = 128;
    uint256 private constant CURVE_HIGH_SHIFT = 192;
    // slot 2: the reserves
    uint128 private _reserve0;
    uint128 private _reserve1;
    /// @inheritdoc IManagedPoolState
    ObservationLib.Observation[65535] public override observations;

    modifier onlyVault() {
        if (msg.sender != vault) revert NotVault(msg.sender);
        _;
    }

    /// @param token0_ Base token (6..18 decimals).
    /// @param token1_ Quote token (6..18 decimals).
    /// @param vault_ The vault (TreasuryVault) that owns the liquidity.
    /// @param sqrtPriceX96_ Initial price.
    /// @param sqrtPriceLowX96_ Initial lower bound (<= price).
    /// @param sqrtPriceHighX96_ Initial upper bound (>= price, > lower bound).
    /// @param feePips_ Initial fee in pips (< 1e6).
    constructor(
        address token0_,
        address token1_,
        address vault_,
        uint160 sqrtPriceX96_,
        uint160 sqrtPriceLowX96_,
        uint160 sqrtPriceHighX96_,
        uint24 feePips_
    ) {
        if (token0_ == address(0)) revert InvalidToken(token0_);
        if (token1_ == address(0) || token1_ == token0_) revert InvalidToken(token1_);
        _checkDecimals(token0_);
        _checkDecimals(token1_);
        if (feePips_ >= FEE_DENOMINATOR) revert InvalidFee(feePips_);
        _checkPrice(sqrtPriceLowX96_);
        _checkPrice(sqrtPriceHighX96_);
        if (!(sqrtPriceLowX96_ <= sqrtPriceX96_ && sqrtPriceX96_ <= sqrtPriceHighX96_)
            || sqrtPriceLowX96_ == sqrtPriceHighX96_) {
            revert InvalidRange(sqrtPriceLowX96_, sqrtPriceX96_, sqrtPriceHighX96_);
        }
        token0 = token0_;
        token1 = token1_;
        vault = vault_;
        // onto the bounds' grid, all rounded down (the order low <= price <= high is kept; L is 0 until sync)
        (uint256 price,) = SqrtPriceGrid.roundDown(sqrtPriceX96_);
        (uint256 low, uint256 packedLow) = SqrtPriceGrid.roundDown(sqrtPriceLowX96_);
        (uint256 high, uint256 packedHigh) = SqrtPriceGrid.roundDown(sqrtPriceHighX96_);
        if (low == high) revert InvalidRange(sqrtPriceLowX96_, sqrtPriceX96_, sqrtPriceHighX96_);
        (uint16 cardinality, uint16 cardinalityNext) =
            observations.initialize(uint32(block.timestamp), LogMath.logPrice(price));
        _slot0 = Slot0({
            sqrtPriceX96: uint128(price),
            feePips: feePips_,
            observationIndex: 0,
            observationCardinality: cardinality,
            observationCardinalityNext: cardinalityNext,
            paused: false,
            lastRepositionTime: 0
        });
        _curve = (packedLow << CURVE_LOW_SHIFT) | (packedHigh << CURVE_HIGH_SHIFT); // L = 0
        emit Initialized(uint160(price), uint160(low), uint160(high), feePips_);
    }

    // ---------------------------------------------------------------- swaps

    /// @inheritdoc IManagedPoolActions
    function swapExactIn(bool zeroForOne, uint256 amountIn, uint256 minAmountOut, address recipient, uint256 deadline)
        external
        override
        nonReentrant
        returns (uint256 amountInUsed, uint256 amountOut)
    {
        if (block.timestamp > deadline) revert DeadlineExpired(deadline, block.timestamp);
        uint256 feeAmount;
        uint160 sqrtPriceNext;
        (amountInUsed, amountOut, feeAmount, sqrtPriceNext) = _swapState(zeroForOne, amountIn, minAmountOut);
        _settle(zeroForOne, amountInUsed, amountOut, recipient);
        emit Swap(msg.sender, recipient, zeroForOne, amountInUsed, amountOut, feeAmount, sqrtPriceNext);
    }

    /// @dev Computes the swap and writes all pool state (observation, price, reserves) before any token moves.
    function _swapState(bool zeroForOne, uint256 amountIn, uint256 minAmountOut)
        private
        returns (uint256 amountInUsed, uint256 amountOut, uint256 feeAmount, uint160 sqrtPriceNext)
    {
        Slot0 memory s = _slot0;
        if (s.paused) revert PoolPaused();
        (amountInUsed, amountOut, feeAmount, sqrtPriceNext) = _quote(s, zeroForOne, amountIn);
        if (amountOut < minAmountOut) revert InsufficientOutput(amountOut, minAmountOut);

        _writeObservation(s);
        s.sqrtPriceX96 = uint128(sqrtPriceNext);
        _slot0 = s;

        uint256 r0 = _reserve0;
        uint256 r1 = _reserve1;
        if (zeroForOne) {
            r0 += amountInUsed;
            r1 -= amountOut;
        } else {
            r1 += amountInUsed;
            r0 -= amountOut;
        }
        if (r0 > type(uint128).max || r1 > type(uint128).max) revert ReserveOverflow();
        _reserve0 = uint128(r0);
        _reserve1 = uint128(r1);
    }

    /// @dev Pulls the input (balance-delta checked) and pays the output.
    function _settle(bool zeroForOne, uint256 amountInUsed, uint256 amountOut, address recipient) private {
        (address tokenIn, address tokenOut) = zeroForOne ? (token0, token1) : (token1, token0);
        uint256 balanceBefore = IERC20(tokenIn).balanceOf(address(this));
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), amountInUsed);
        uint256 received = IERC20(tokenIn).balanceOf(address(this)) - balanceBefore;
        if (received < amountInUsed) revert FeeOnTransferNotSupported(amountInUsed, received);
        if (amountOut != 0) IERC20(tokenOut).safeTransfer(recipient, amountOut);
    }

    /// @inheritdoc IManagedPoolState
    function quoteExactIn(bool zeroForOne, uint256 amountIn)
        external
        view
        override
        returns (uint256 amountInUsed, uint256 amountOut, uint256 feeAmount, uint160 sqrtPriceAfterX96)
    {
        return _quote(_slot0, zeroForOne, amountIn);
    }

    /// @dev One SwapMath step from the current price toward the range edge in the swap's direction, with the stored
    /// L and amountRemaining = amountIn (exact input); amountInUsed = amountIn + feeAmount of the step.
    function _quote(Slot0 memory s, bool zeroForOne, uint256 amountIn)
        private
        view
        returns (uint256 amountInUsed, uint256 amountOut, uint256 feeAmount, uint160 sqrtPriceNext)
    {
        if (amountIn == 0) revert ZeroAmount();
        if (amountIn > type(uint128).max) revert AmountTooLarge(amountIn);
        (uint128 l, uint160 target) = _liquidityAndTarget(s.sqrtPriceX96, zeroForOne);
        // (sqrt prices are stored in 128 bits; SwapMath takes them as uint160)
        (sqrtPriceNext, amountInUsed, amountOut, feeAmount) =
            SwapMath.computeSwapStep(s.sqrtPriceX96, target, l, int256(amountIn), s.feePips);
        amountInUsed += feeAmount;
    }

    function _liquidityAndTarget(uint160 sqrtPriceX96, bool zeroForOne)
        private
        view
        returns (uint128 l, uint160 target)
    {
        uint256 curve = _curve;
        l = uint128(curve);
        if (l == 0) revert NoLiquidity();
        target = uint160(SqrtPriceGrid.unpack(curve >> (zeroForOne ? CURVE_LOW_SHIFT : CURVE_HIGH_SHIFT)));
        if (sqrtPriceX96 == target) revert RangeEdgeReached(target);
    }

    // ---------------------------------------------------------------- observations

    /// @dev Writes an observation (at most once per block) with the price that held until now; updates s and
    /// returns the newest observation's logPriceCumulative.
    function _writeObservation(Slot0 memory s) private returns (int72 logPriceCumulative) {
        (s.observationIndex, s.observationCardinality, logPriceCumulative) = observations.write(
            s.observationIndex,
            uint32(block.timestamp),
            s.sqrtPriceX96,
            s.observationCardinality,
            s.observationCardinalityNext
        );
    }

    /// @inheritdoc IManagedPoolActions
    function increaseObservationCardinality(uint16 cardinalityNext) external override nonReentrant {
        uint16 old = _slot0.observationCardinalityNext;
        uint16 updated = observations.grow(old, cardinalityNext);
        _slot0.observationCardinalityNext = updated;
        if (updated != old) emit ObservationCardinalityIncreased(old, updated);
    }

    /// @inheritdoc IManagedPoolState
    function observe(uint32[] calldata secondsAgos)
        external
        view
        override
        returns (int256[] memory logPriceCumulatives, uint256[] memory squaredReturnCumulatives)
    {
        Slot0 memory s = _slot0;
        int256 lpNow = LogMath.logPrice(s.sqrtPriceX96);
        uint256 n = secondsAgos.length;
        logPriceCumulatives = new int256[](n);
        squaredReturnCumulatives = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            (int72 c, uint80 q) = observations.observeSingle(
                uint32(block.timestamp), secondsAgos[i], lpNow, s.observationIndex, s.observationCardinality
            );
            logPriceCumulatives[i] = c;
            squaredReturnCumulatives[i] = q;
        }
    }

    /// @inheritdoc IManagedPoolState
    function consult(uint32 window) external view override returns (int256 meanLogPrice, uint256 squaredReturnSum) {
        return _consult(window, type(uint16).max);
    }

    /// @inheritdoc IManagedPoolState
    function consultWithHint(uint32 window, uint16 observationHint)
        external
        view
        override
        returns (int256 meanLogPrice, uint256 squaredReturnSum)
    {
        return _consult(window, observationHint);
    }

    function _consult(uint32 window, uint16 hint) private view returns (int256 meanLogPrice, uint256 squaredReturnSum) {
        if (window == 0) revert ObservationLib.InvalidSecondsAgo(0);
        Slot0 memory s = _slot0;
        (int72 cNow, uint80 qNow, int256 lpNow) = _observeNow(s);
        (int72 cThen, uint80 qThen) = observations.observeSingleWithHint(
            uint32(block.timestamp), window, lpNow, s.observationIndex, s.observationCardinality, hint
        );
        unchecked {
            meanLogPrice = int256(int72(cNow - cThen)) / int256(uint256(window));
            squaredReturnSum = uint80(qNow - qThen);
        }
    }

    /// @dev Cumulatives now: the newest observation when written in this block (no log needed), else the
    /// counterfactual with the current log price.
    function _observeNow(Slot0 memory s) private view returns (int72 c, uint80 q, int256 lpNow) {
        ObservationLib.Observation memory last = observations[s.observationIndex];
        uint32 time = uint32(block.timestamp);
        // written in this block already: lpNow is not needed (any target before now lies at or before it)
        if (last.blockTimestamp == time) return (last.logPriceCumulative, last.squaredReturnCumulative, 0);
        lpNow = LogMath.logPrice(s.sqrtPriceX96);
        ObservationLib.Observation memory t = ObservationLib.transform(last, time, lpNow);
        return (t.logPriceCumulative, t.squaredReturnCumulative, lpNow);
    }

    /// @inheritdoc IManagedPoolState
    function currentLogPrice() external view override returns (int256) {
        return LogMath.logPrice(_slot0.sqrtPriceX96);
    }

    // ---------------------------------------------------------------- vault actions

    /// @inheritdoc IManagedPoolVaultActions
    function reposition(
        uint160 sqrtPriceX96,
        uint160 sqrtPriceBoundX96,
        uint24 feePips,
        uint32 twapWindow,
        uint16 observationHint
    ) external override onlyVault returns (uint256, uint256, uint32, int256, uint256) {
        // No re-entrancy lock, by decision: reposition makes no external call and moves no token, and a swap writes its
        // whole state (observation, price, reserves) before any token moves, so a reposition entered during a swap's
        // transfer (a keeper contract getting control) sees consistent books and equals the rebalance right after the
        // swap (pinned by ReentrancyAttackTests). Measured by scripts/gas-report.sh's vault.rebalance: 79,210 without,
        // 79,498 with OpenZeppelin's transient nonReentrant (+288; and its release would also need an explicit tstore
        // before the assembly return below, ~+100 more): not worth ~0.5% of the keeper's gas for no state it protects.
        _reposition(sqrtPriceX96, sqrtPriceBoundX96, feePips, twapWindow, observationHint); // returns from assembly
    }

    /// @dev reposition's body; ends the call with its five return words (see there).
    function _reposition(
        uint160 sqrtPriceX96,
        uint160 sqrtPriceBoundX96,
        uint24 feePips,
        uint32 twapWindow,
        uint16 observationHint
    ) private {
        if (feePips >= FEE_DENOMINATOR) revert InvalidFee(feePips);
        // slot 0 and the reserves are handled as raw words (layout: see Slot0; reserve0 low, reserve1 high half)
        uint256 w0;
        uint256 reserves;
        uint256 oldCurve; // read before _fitCurve writes the slot: the cold access is paid here, not by the write
        assembly ("memory-safe") {
            w0 := sload(_slot0.slot)
            reserves := sload(_reserve0.slot)
            oldCurve := sload(_curve.slot)
        }
        uint256 oldLow = SqrtPriceGrid.unpack(oldCurve >> CURVE_LOW_SHIFT);
        uint256 oldHigh = SqrtPriceGrid.unpack(oldCurve >> CURVE_HIGH_SHIFT);
        // allowed while paused (swaps stay shut): the vault re-centres a paused pool before it unpauses
        (uint256 price, uint256 range) = _fitCurve(sqrtPriceX96, sqrtPriceBoundX96, reserves);
        (uint256 indexAndCardinality, int256 twapLogPrice) = _observeForReposition(w0, twapWindow, observationHint);
        _writeSlot0(w0, price, feePips, indexAndCardinality); // keeps the paused flag
        emit Repositioned(price | (uint256(feePips) << 160), range);
        // the five static return words from scratch memory (0x00..0x9f; the free-memory pointer and zero slot are
        // not needed again: the call returns here), without the ABI encoder; previousRepositionTime is
        // lastRepositionTime from the old slot 0, previousSpot its paused flag, whether its price sat on the old
        // range's lower or upper bound, and that price
        assembly {
            mstore(0x00, range)
            mstore(0x20, reserves)
            mstore(0x40, and(shr(SLOT0_TIME_SHIFT, w0), 0xffffffff))
            mstore(0x60, twapLogPrice)
            let spot := and(w0, 0xffffffffffffffffffffffffffffffff)
            mstore(
                0x80,
                or(
                    or(and(shr(SLOT0_PAUSED_SHIFT, w0), 0xff), shl(8, spot)),
                    or(shl(1, eq(spot, oldLow)), shl(2, eq(spot, oldHigh)))
                )
            )
            return(0x00, 0xa0)
        }
    }

    /// @dev Fits L and the range to the reserves word (reserve0 | reserve1 << 128) and stores the curve; returns the
    /// new price (on the grid) and the range word (low | high << 128; both checked <= MAX_SQRT_PRICE = 2^128 - 1).
    function _fitCurve(uint160 sqrtPriceX96, uint160 sqrtPriceBoundX96, uint256 reserves)
        private
        returns (uint256 price, uint256 range)
    {
        uint128 l;
        uint256 low;
        uint256 high;
        uint256 packedBounds;
        (l, price, low, high, packedBounds) =
            _bounds(sqrtPriceX96, sqrtPriceBoundX96, uint128(reserves), reserves >> 128);
        range = low | (high << 128);
        uint256 curve = l | (packedBounds << CURVE_LOW_SHIFT);
        assembly ("memory-safe") {
            sstore(_curve.slot, curve)
        }
    }

    /// @dev New slot 0 after a reposition: price, fee, index, cardinality, time; cardinalityNext and paused kept.
    function _writeSlot0(uint256 w0, uint256 sqrtPriceX96, uint24 feePips, uint256 indexAndCardinality) private {
        w0 = sqrtPriceX96 | (uint256(feePips) << SLOT0_FEE_SHIFT)
            | (indexAndCardinality << SLOT0_INDEX_SHIFT)
            | (w0 & (uint256(0xffffff) << SLOT0_CARDINALITY_NEXT_SHIFT))
            | (uint256(uint32(block.timestamp)) << SLOT0_TIME_SHIFT);
        assembly ("memory-safe") {
            sstore(_slot0.slot, w0)
        }
    }

    /// @dev Writes the observation (once per block) with the price that held until now and reads the TWAP over
    /// `twapWindow` (0: none). Returns the new index and cardinality packed as in slot 0 (index | cardinality << 16).
    function _observeForReposition(uint256 w0, uint32 twapWindow, uint16 observationHint)
        private
        returns (uint256 indexAndCardinality, int256 twapLogPrice)
    {
        (uint16 index, uint16 cardinality, int72 cNow) = observations.write(
            uint16(w0 >> SLOT0_INDEX_SHIFT),
            uint32(block.timestamp),
            uint128(w0),
            uint16(w0 >> SLOT0_CARDINALITY_SHIFT),
            uint16(w0 >> SLOT0_CARDINALITY_NEXT_SHIFT)
        );
        if (twapWindow != 0) {
            // the newest observation is at now (written above or earlier in this block): no log price needed
            int72 cThen = observations.logPriceCumulativeWithHint(
                uint32(block.timestamp), twapWindow, index, cardinality, observationHint
            );
            unchecked {
                twapLogPrice = int256(int72(cNow - cThen)) / int256(uint256(twapWindow));
            }
        }
        indexAndCardinality = uint256(index) | (uint256(cardinality) << 16);
    }

    /// @inheritdoc IManagedPoolState
    function previewReposition(uint160 sqrtPriceX96, uint160 sqrtPriceBoundX96)
        external
        view
        override
        returns (uint128 l, uint160 low, uint160 high)
    {
        uint256 lowBound;
        uint256 highBound;
        (l,, lowBound, highBound,) = _bounds(sqrtPriceX96, sqrtPriceBoundX96, _reserve0, _reserve1);
        (low, high) = (uint160(lowBound), uint160(highBound));
    }

    /// @dev The fitted L, the new price and the new range, all prices on SqrtPriceGrid's grid: the price and the given
    /// bound rounded down, L fitted from the given bound's side (LiquidityFit), the derived bound rounded toward the
    /// price (down for an upper, up for a lower bound), which only narrows the other side: refit(price, low, high,
    /// r0, r1) still equals L. packedBounds: the two bounds' packed forms, low | high << 64.
    function _bounds(uint160 sqrtPriceX96, uint160 bound, uint256 reserve0, uint256 reserve1)
        private
        pure
        returns (uint128 l, uint256 price, uint256 low, uint256 high, uint256 packedBounds)
    {
        _checkPrice(sqrtPriceX96);
        _checkPrice(bound);
        (price,) = SqrtPriceGrid.roundDown(sqrtPriceX96);
        (uint256 given, uint256 packedGiven) = SqrtPriceGrid.roundDown(bound);
        uint256 other;
        uint256 packedOther;
        if (given < price) {
            (l, other) = LiquidityFit.fitFromLower(price, given, reserve0, reserve1);
            _checkPrice(other);
            (other, packedOther) = SqrtPriceGrid.roundDown(other);
            (low, high, packedBounds) = (given, other, packedGiven | (packedOther << 64));
        } else if (given > price) {
            (l, other) = LiquidityFit.fitFromUpper(price, given, reserve0, reserve1);
            _checkPrice(other);
            (other, packedOther) = SqrtPriceGrid.roundUp(other);
            (low, high, packedBounds) = (other, given, packedOther | (packedGiven << 64));
        } else {
            revert InvalidBound(bound);
        }
        if (low == high) revert InvalidRange(low, price, high);
    }

    /// @inheritdoc IManagedPoolVaultActions
    function sync() external override onlyVault nonReentrant returns (uint128 l, uint256 reserve0, uint256 reserve1) {
        reserve0 = IERC20(token0).balanceOf(address(this));
        reserve1 = IERC20(token1).balanceOf(address(this));
        if (reserve0 > type(uint128).max || reserve1 > type(uint128).max) revert ReserveOverflow();
        _reserve0 = uint128(reserve0);
        _reserve1 = uint128(reserve1);
        l = _refit(reserve0, reserve1);
        emit Synced(reserve0, reserve1, l);
    }

    /// @inheritdoc IManagedPoolVaultActions
    function withdraw(address to, uint256 amount0, uint256 amount1)
        external
        override
        onlyVault
        nonReentrant
        returns (uint128 l)
    {
        uint256 r0 = _reserve0;
        uint256 r1 = _reserve1;
        if (amount0 > r0) revert InsufficientReserves(token0, amount0, r0);
        if (amount1 > r1) revert InsufficientReserves(token1, amount1, r1);
        unchecked {
            r0 -= amount0;
            r1 -= amount1;
        }
        _reserve0 = uint128(r0);
        _reserve1 = uint128(r1);
        l = _refit(r0, r1);
        if (amount0 != 0) IERC20(token0).safeTransfer(to, amount0);
        if (amount1 != 0) IERC20(token1).safeTransfer(to, amount1);
        emit Withdrawn(to, amount0, amount1, l);
    }

    /// @inheritdoc IManagedPoolVaultActions
    function emergencyWithdraw(address to)
        external
        override
        onlyVault
        nonReentrant
        returns (uint256 amount0, uint256 amount1)
    {
        _setLiquidity(0);
        amount0 = _tryTransferAll(token0, to);
        amount1 = _tryTransferAll(token1, to);
        // a token that could not leave stays as the reserve (its balance), the other one is gone
        _reserve0 = uint128(IERC20(token0).balanceOf(address(this)));
        _reserve1 = uint128(IERC20(token1).balanceOf(address(this)));
        emit EmergencyWithdrawn(to, amount0, amount1);
    }

    /// @dev Sends the whole balance of `token` to `to`; returns 0 (and moves nothing) when the transfer reverts or
    /// returns false, so that one blocked token does not keep the other in the pool.
    function _tryTransferAll(address token, address to) private returns (uint256 amount) {
        amount = IERC20(token).balanceOf(address(this));
        if (amount == 0) return 0;
        (bool ok, bytes memory ret) = token.call(abi.encodeCall(IERC20.transfer, (to, amount)));
        if (!ok || (ret.length != 0 && !abi.decode(ret, (bool)))) return 0;
    }

    /// @inheritdoc IManagedPoolVaultActions
    function setPaused(bool paused_) external override onlyVault nonReentrant {
        _slot0.paused = paused_;
        emit PausedSet(paused_);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IManagedPoolState
    function slot0()
        external
        view
        override
        returns (
            uint160 sqrtPriceX96,
            uint24 feePips,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            bool paused,
            uint32 lastRepositionTime_
        )
    {
        Slot0 memory s = _slot0;
        return (
            s.sqrtPriceX96,
            s.feePips,
            s.observationIndex,
            s.observationCardinality,
            s.observationCardinalityNext,
            s.paused,
            s.lastRepositionTime
        );
    }

    /// @inheritdoc IManagedPoolState
    function lastRepositionTime() external view override returns (uint32) {
        return _slot0.lastRepositionTime;
    }

    /// @inheritdoc IManagedPoolState
    function liquidity() external view override returns (uint128) {
        return uint128(_curve);
    }

    /// @inheritdoc IManagedPoolState
    function sqrtPriceLowX96() external view override returns (uint128) {
        return uint128(SqrtPriceGrid.unpack(_curve >> CURVE_LOW_SHIFT));
    }

    /// @inheritdoc IManagedPoolState
    function sqrtPriceHighX96() external view override returns (uint128) {
        return uint128(SqrtPriceGrid.unpack(_curve >> CURVE_HIGH_SHIFT));
    }

    /// @inheritdoc IManagedPoolState
    function getReserves() external view override returns (uint256, uint256) {
        return (_reserve0, _reserve1);
    }

    /// @inheritdoc IManagedPoolState
    function getState() external view override returns (PoolState memory st) {
        Slot0 memory s = _slot0;
        st.sqrtPriceX96 = s.sqrtPriceX96;
        uint256 curve = _curve;
        st.sqrtPriceLowX96 = uint160(SqrtPriceGrid.unpack(curve >> CURVE_LOW_SHIFT));
        st.sqrtPriceHighX96 = uint160(SqrtPriceGrid.unpack(curve >> CURVE_HIGH_SHIFT));
        st.reserve0 = _reserve0;
        st.reserve1 = _reserve1;
        st.liquidity = uint128(curve);
        st.feePips = s.feePips;
        st.observationIndex = s.observationIndex;
        st.observationCardinality = s.observationCardinality;
        st.observationCardinalityNext = s.observationCardinalityNext;
        st.paused = s.paused;
        st.lastRepositionTime = s.lastRepositionTime;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Sets L = LiquidityFit.refit on the stored price and range and returns it.
    function _refit(uint256 r0, uint256 r1) private returns (uint128 l) {
        uint256 curve = _curve;
        l = LiquidityFit.refit(
            _slot0.sqrtPriceX96,
            SqrtPriceGrid.unpack(curve >> CURVE_LOW_SHIFT),
            SqrtPriceGrid.unpack(curve >> CURVE_HIGH_SHIFT),
            r0,
            r1
        );
        _curve = (curve >> CURVE_LOW_SHIFT << CURVE_LOW_SHIFT) | l;
    }

    /// @dev Sets L, keeping the range.
    function _setLiquidity(uint128 l) private {
        _curve = (_curve >> CURVE_LOW_SHIFT << CURVE_LOW_SHIFT) | l;
    }

    function _checkPrice(uint256 sqrtPriceX96) private pure {
        if (sqrtPriceX96 < MIN_SQRT_PRICE || sqrtPriceX96 > MAX_SQRT_PRICE) revert PriceOutOfBounds(sqrtPriceX96);
    }

    function _checkDecimals(address token) private view {
        uint8 d = IERC20Metadata(token).decimals();
        if (d < 6 || d > 18) revert UnsupportedDecimals(token, d);
    }
}
