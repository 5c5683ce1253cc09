// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Test} from "./base/Test.sol";
import {vm} from "./base/Vm.sol";
import {CurveMathHarness} from "../../contracts/test/CurveMathHarness.sol";

/// @notice Fuzz tests of the math libraries through CurveMathHarness (external wrappers that revert exactly when the
/// library does): FullMath against a 512-bit reference written here, SqrtPriceMath rounding direction and
/// monotonicity, LogMath round trips.
contract LibraryFuzz is Test {
    CurveMathHarness internal h;
    uint256 internal constant Q96 = 1 << 96;
    uint256 internal constant MIN_SQRT = 4295128739;
    uint256 internal constant MAX_SQRT = type(uint128).max;

    function setUp() public {
        h = new CurveMathHarness();
    }

    // ------------------------------------------------------------------ reference: 512-bit schoolbook

    /// @dev a * b as (hi, lo) from 128-bit limbs (no mulmod).
    function _mul512(uint256 a, uint256 b) internal pure returns (uint256 hi, uint256 lo) {
        uint256 m = type(uint128).max;
        (uint256 a0, uint256 a1, uint256 b0, uint256 b1) = (a & m, a >> 128, b & m, b >> 128);
        uint256 p00 = a0 * b0;
        uint256 p01 = a0 * b1;
        uint256 p10 = a1 * b0;
        uint256 p11 = a1 * b1;
        unchecked {
            uint256 mid = (p00 >> 128) + (p01 & m) + (p10 & m); // < 3 * 2^128
            lo = (p00 & m) | (mid << 128);
            hi = p11 + (p01 >> 128) + (p10 >> 128) + (mid >> 128);
        }
    }

    /// @dev floor((hi, lo) / d) and the remainder by restoring long division, bit by bit; ok = false when the
    /// quotient needs more than 256 bits or d == 0.
    function _div512(uint256 hi, uint256 lo, uint256 d) internal pure returns (bool ok, uint256 q, uint256 r) {
        if (d == 0 || hi >= d) return (false, 0, 0);
        r = hi; // hi < d: the high half of the quotient is zero
        unchecked {
            for (uint256 i = 256; i > 0; --i) {
                bool carry = r >> 255 == 1;
                r = (r << 1) | ((lo >> (i - 1)) & 1);
                q <<= 1;
                if (carry || r >= d) {
                    r -= d;
                    q |= 1;
                }
            }
        }
        ok = true;
    }

    // ------------------------------------------------------------------ FullMath

    /// @notice mulDiv == floor(a*b/d) of the reference, and reverts exactly when d == 0 or the quotient overflows;
    /// mulDivRoundingUp == that + (remainder != 0), reverting also when that overflows. Half the cases pick d just
    /// above the product's high word so that the quotient fits (the interesting, non-reverting case).
    function testFuzz_mulDivMatchesReference(uint256 a, uint256 b, uint256 d, bool fit) public view {
        (uint256 hi, uint256 lo) = _mul512(a, b);
        if (fit && hi < type(uint256).max) d = bound(d, hi + 1, type(uint256).max);
        (bool ok, uint256 q, uint256 r) = _div512(hi, lo, d);
        try h.mulDiv(a, b, d) returns (uint256 got) {
            assertTrue(ok, "mulDiv returned where the quotient overflows or d == 0");
            assertEq(got, q, "mulDiv != reference");
        } catch {
            assertTrue(!ok, "mulDiv reverted on a representable quotient");
        }
        bool upOk = ok && !(r != 0 && q == type(uint256).max);
        try h.mulDivRoundingUp(a, b, d) returns (uint256 got) {
            assertTrue(upOk, "mulDivRoundingUp returned where it overflows");
            assertEq(got, q + (r != 0 ? 1 : 0), "mulDivRoundingUp != reference");
        } catch {
            assertTrue(!upOk, "mulDivRoundingUp reverted on a representable quotient");
        }
    }

    /// @notice Small operands (the common case in the pool): mulDiv == a*b/d in plain 256-bit arithmetic.
    function testFuzz_mulDivSmallOperands(uint128 a, uint128 b, uint256 d) public view {
        d = bound(d, 1, type(uint256).max);
        assertEq(h.mulDiv(a, b, d), uint256(a) * b / d, "mulDiv small");
        uint256 p = uint256(a) * b;
        assertEq(h.mulDivRoundingUp(a, b, d), p / d + (p % d == 0 ? 0 : 1), "mulDivRoundingUp small");
    }

    // ------------------------------------------------------------------ SqrtPriceMath

    function _sqrt(uint256 x) internal pure returns (uint160) {
        return uint160(bound(x, MIN_SQRT, MAX_SQRT));
    }

    /// @notice Amount deltas: rounding up gives at most one unit more than rounding down (both are the exact floor
    /// and ceil of the rational value), order of the bounds doesn't matter, token1's floor equals the reference
    /// floor(L * (sB - sA) / 2^96).
    function testFuzz_amountDeltasRounding(uint256 x, uint256 y, uint128 l) public view {
        uint160 a = _sqrt(x);
        uint160 b = _sqrt(y);
        uint256 d0 = h.getAmount0Delta(a, b, l, false);
        uint256 u0 = h.getAmount0Delta(a, b, l, true);
        assertTrue(u0 == d0 || u0 == d0 + 1, "amount0: ceil - floor not in {0, 1}");
        assertEq(h.getAmount0Delta(b, a, l, false), d0, "amount0 not symmetric");
        uint256 d1 = h.getAmount1Delta(a, b, l, false);
        uint256 u1 = h.getAmount1Delta(a, b, l, true);
        assertTrue(u1 == d1 || u1 == d1 + 1, "amount1: ceil - floor not in {0, 1}");
        assertEq(h.getAmount1Delta(b, a, l, true), u1, "amount1 not symmetric");
        uint256 diff = a > b ? a - b : b - a;
        (uint256 hi, uint256 lo) = _mul512(l, diff);
        (, uint256 q, uint256 r) = _div512(hi, lo, Q96);
        assertEq(d1, q, "amount1 floor != reference");
        assertEq(u1, q + (r != 0 ? 1 : 0), "amount1 ceil != reference");
    }

    /// @notice Monotonic: more liquidity or a wider interval never gives a smaller amount, and splitting an
    /// interval in two never beats it (floors sum to at most the whole's floor, ceils to at least its ceil).
    function testFuzz_amountDeltasMonotonic(uint256 x, uint256 y, uint256 z, uint128 l1, uint128 l2) public view {
        uint160[3] memory s = [_sqrt(x), _sqrt(y), _sqrt(z)];
        // sort
        if (s[0] > s[1]) (s[0], s[1]) = (s[1], s[0]);
        if (s[1] > s[2]) (s[1], s[2]) = (s[2], s[1]);
        if (s[0] > s[1]) (s[0], s[1]) = (s[1], s[0]);
        if (l1 > l2) (l1, l2) = (l2, l1);
        for (uint256 k; k < 2; ++k) {
            bool up = k == 1;
            assertLe(h.getAmount0Delta(s[0], s[1], l1, up), h.getAmount0Delta(s[0], s[1], l2, up), "amount0 in L");
            assertLe(h.getAmount1Delta(s[0], s[1], l1, up), h.getAmount1Delta(s[0], s[1], l2, up), "amount1 in L");
            assertLe(h.getAmount0Delta(s[0], s[1], l1, up), h.getAmount0Delta(s[0], s[2], l1, up), "amount0 widen up");
            assertLe(h.getAmount0Delta(s[1], s[2], l1, up), h.getAmount0Delta(s[0], s[2], l1, up), "amount0 widen down");
            assertLe(h.getAmount1Delta(s[0], s[1], l1, up), h.getAmount1Delta(s[0], s[2], l1, up), "amount1 widen up");
            assertLe(h.getAmount1Delta(s[1], s[2], l1, up), h.getAmount1Delta(s[0], s[2], l1, up), "amount1 widen down");
        }
        assertLe(
            h.getAmount0Delta(s[0], s[1], l1, false) + h.getAmount0Delta(s[1], s[2], l1, false),
            h.getAmount0Delta(s[0], s[2], l1, false),
            "amount0 floors of the parts > floor of the whole"
        );
        assertGe(
            h.getAmount0Delta(s[0], s[1], l1, true) + h.getAmount0Delta(s[1], s[2], l1, true),
            h.getAmount0Delta(s[0], s[2], l1, true),
            "amount0 ceils of the parts < ceil of the whole"
        );
        assertLe(
            h.getAmount1Delta(s[0], s[1], l1, false) + h.getAmount1Delta(s[1], s[2], l1, false),
            h.getAmount1Delta(s[0], s[2], l1, false),
            "amount1 floors of the parts > floor of the whole"
        );
    }

    /// @notice Rounding in the pool's favour: the price an exact input moves to never asks for more than was paid
    /// (the input needed from P to the next price, rounded up, <= amountIn), and moves the right way.
    function testFuzz_nextPriceFromInputNeverUndercharges(uint256 x, uint128 l, uint256 amountIn, bool zeroForOne)
        public
        view
    {
        uint160 p = _sqrt(x);
        vm.assume(l > 0);
        amountIn = bound(amountIn, 0, type(uint128).max);
        try h.getNextSqrtPriceFromInput(p, l, amountIn, zeroForOne) returns (uint160 next) {
            if (zeroForOne) {
                assertTrue(next <= p, "zeroForOne raised the price");
                if (next > 0) assertLe(h.getAmount0Delta(next, p, l, true), amountIn, "token0 needed > paid");
            } else {
                assertTrue(next >= p, "oneForZero lowered the price");
                assertLe(h.getAmount1Delta(p, next, l, true), amountIn, "token1 needed > paid");
            }
        } catch {}
    }

    // ------------------------------------------------------------------ LogMath

    /// @notice Scaling the sqrt price by 2^k (no bits lost) adds exactly k * 2^25 to the log price.
    function testFuzz_logPriceShiftExact(uint256 x, uint256 k) public view {
        uint256 s = bound(x, 1, (1 << 127) - 1);
        uint256 msb;
        for (uint256 t = s; t > 1; t >>= 1) ++msb;
        k = bound(k, 0, 127 - msb);
        assertEq(h.logPrice(s << k), h.logPrice(s) + int256(k << 25), "logPrice(s << k) != logPrice(s) + k * 2^25");
    }

    /// @notice Monotonic: a higher sqrt price never has a lower log price.
    function testFuzz_logPriceMonotonic(uint256 x, uint256 y) public view {
        uint256 a = bound(x, MIN_SQRT, MAX_SQRT);
        uint256 b = bound(y, MIN_SQRT, MAX_SQRT);
        if (a > b) (a, b) = (b, a);
        assertLe(h.logPrice(a), h.logPrice(b), "logPrice not monotonic");
    }

    /// @notice Round trip through the inverse price: logPrice(s) + logPrice(2^192 / s) == 0 within 6 units
    /// (each log may sit 1-2 units below the exact floor; the floor of 2^192 / s moves it by < 1 unit for these s).
    function testFuzz_logPriceInverseRoundTrip(uint256 x) public view {
        uint256 s = bound(x, 1 << 64, MAX_SQRT);
        int256 sum = h.logPrice(s) + h.logPrice((uint256(1) << 192) / s);
        assertTrue(sum >= -6 && sum <= 6, "logPrice(s) + logPrice(1/s) not within 6 units of 0");
    }

    /// @notice Round trip sqrt price -> price: the coarse log of the Q128.128 price s^2 / 2^64 agrees with the log of
    /// s within its resolution (2^8 units, + 4 for truncations), for s >= 2^72 (the price keeps >= 80 bits).
    function testFuzz_logPriceMatchesCoarseOfSquare(uint256 x) public view {
        uint256 s = bound(x, 1 << 72, MAX_SQRT);
        int256 fine = h.logPrice(s);
        int256 coarse = h.coarseLogPriceFromPriceX128(s * s >> 64);
        int256 d = fine - coarse;
        assertTrue(d >= -4 && d <= 256 + 4, "coarse log of the price too far from the log of the sqrt price");
    }

    // ------------------------------------------------------------------ SqrtPriceGrid

    /// @notice roundDown <= v <= roundUp, both of at most 56 significant bits (a reference written here), exact below
    /// 2^56, no grid value strictly between them (the spacing is the unit of v's 56th bit), and each packed form
    /// unpacks to its value (checked inside the harness, which also refuses a packed form wider than 64 bits).
    function testFuzz_sqrtPriceGridBracketsTheValue(uint256 x, uint8 bits) public view {
        uint256 v = x >> (256 - bound(bits, 1, 129)); // 1..129 significant bits
        (uint256 down, uint256 up, uint256 downUnpacked, uint256 upUnpacked) = h.sqrtPriceGrid(v);
        assertTrue(down <= v && v <= up, "rounding does not bracket the value");
        assertEq(down, downUnpacked, "roundDown's packed form");
        assertEq(up, upUnpacked, "roundUp's packed form");
        uint256 unit = v < 1 << 56 ? 1 : 1 << (Math.log2(v) + 1 - 56);
        assertEq(down, v - v % unit, "roundDown is not v without the bits below its 56 most significant");
        assertEq(up, down == v ? v : down + unit, "roundUp is not the next grid value");
        assertTrue(up < 1 << 56 || up % (1 << (Math.log2(up) + 1 - 56)) == 0, "roundUp off the grid");
    }
}
