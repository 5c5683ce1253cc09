// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title LogMath
/// @notice The pool's "log price": log2 of the price P = (sqrtPriceX96 / 2^96)^2, in units of 2^-24 (Q.24 log2).
/// @dev Algorithm (the C# mirror must do exactly this, with unbounded integers; every division and shift floors):
///   s   = sqrtPriceX96 (> 0)
///   msb = floor(log2(s))                                    // bit length of s minus 1
///   r   = msb >= 127 ? s >> (msb - 127) : s << (127 - msb)   // s / 2^msb as Q1.127: m = r / 2^127 in [1, 2)
///   t   = log2Mantissa(r)                                    // ~ log2(m) * 2^217, see there
///   logPrice = (msb - 96) * 2^25 + (t >> 192)
/// log2Mantissa(r): t0 = 0; if r > S (S = floor(sqrt(2) * 2^127)): r = max((r * S) >> 128, 2^127), t0 = 2^216
///                                                            // m / sqrt(2), and log2(sqrt(2)) = 1/2 added back
///   z = ((r - 2^127) << 128) / (r + 2^127)                   // (m - 1)/(m + 1) in Q128, in [0, 0.1716)
///   z2 = (z * z) >> 128;  a = C[7];  a = C[k] + ((a * z2) >> 128) for k = 6 down to 0   // C[k] = floor(2^128/(2k+1))
///   y = (z * a) >> 128                                       // atanh(z) = ln(m)/2 in Q128 (8 terms of its series)
///   t = t0 + y * K,  K = floor(2^90 / ln 2)                  // log2(m) = 2·atanh(z)/ln 2, so t ~ log2(m) * 2^217
/// Because log2(P) = 2 * log2(sqrtP), 25 fractional bits of log2(sqrtP) are 24 fractional bits of log2(P).
/// Every step truncates and the series' remainder (< 2^-45 in log2(m) for z < 0.1716) is left out (its terms have
/// the sign of z >= 0), so t is a lower bound of the exact value (up to 2^-127 where the sqrt(2) step is clamped):
/// logPrice = floor(2^24 * log2(P)), or one unit less where log2(sqrtP) lies within 2^-45 above a unit's boundary,
/// deterministically. The 25-squaring algorithm it replaced (2026-12-04; 1,000 gas dearer) is the tests' reference,
/// and the two agree on every input tried. One unit = 2^-24 log2 = ln(2) * 2^-24 ~= 4.13e-8 in natural-log terms.
/// For sqrt prices in [2^32, 2^128) the result lies in [-2^31, 2^31).
library LogMath {
    /// @notice The argument is zero.
    error LogOfZero();

    /// @notice Number of fractional bits of log2(sqrtP) computed (= fractional bits of log2(P) + 1).
    uint256 internal constant SQRT_FRACTION_BITS = 25;

    /// @notice Index of the most significant set bit of x (x > 0).
    /// @param x A positive integer.
    /// @return r floor(log2(x)).
    function mostSignificantBit(uint256 x) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := shl(7, lt(0xffffffffffffffffffffffffffffffff, x))
            r := or(r, shl(6, lt(0xffffffffffffffff, shr(r, x))))
            r := or(r, shl(5, lt(0xffffffff, shr(r, x))))
            r := or(r, shl(4, lt(0xffff, shr(r, x))))
            r := or(r, shl(3, lt(0xff, shr(r, x))))
            r := or(r, shl(2, lt(0xf, shr(r, x))))
            // x >> r is now in [1, 15]: its bit length minus 1 from a table, byte 16 + v of the word (msb(v) for v < 16)
            r := or(r, byte(add(16, shr(r, x)), 0x0000000000000000000000000000000000000101020202020303030303030303))
        }
    }

    /// @notice The log price of a Q64.96 sqrt price, see the library notes for the exact algorithm.
    /// @param sqrtPriceX96 A Q64.96 sqrt price (> 0).
    /// @return lp log2(P) in units of 2^-24, P = (sqrtPriceX96 / 2^96)^2 (library notes).
    function logPrice(uint256 sqrtPriceX96) internal pure returns (int256 lp) {
        if (sqrtPriceX96 == 0) revert LogOfZero();
        uint256 msb = mostSignificantBit(sqrtPriceX96);
        uint256 t = _log2Mantissa(sqrtPriceX96, msb);
        unchecked {
            lp = ((int256(msb) - 96) << 25) + int256(t >> 192);
        }
    }

    /// @notice A coarser log price from a price in Q128.128, for guards (the vault's oracle price), in the same
    /// units as logPrice but with 16 fractional bits of log2(P) (resolution 2^8 units ~ 1e-5 in ln P):
    /// msb = floor(log2(priceX128)); r and t = log2Mantissa(r) as in logPrice; result = ((msb - 128) * 2^16 +
    /// (t >> 201)) * 2^8.
    /// @param priceX128 A price in Q128.128 (> 0).
    /// @return lp Its log price in the same units as logPrice, to the precision the notes give.
    function coarseLogPriceFromPriceX128(uint256 priceX128) internal pure returns (int256 lp) {
        if (priceX128 == 0) revert LogOfZero();
        uint256 msb = mostSignificantBit(priceX128);
        uint256 t = _log2Mantissa(priceX128, msb);
        unchecked {
            lp = (((int256(msb) - 128) << 16) + int256(t >> 201)) << 8;
        }
    }

    /// @dev t ~ log2(r / 2^127) * 2^217 (a lower bound) for r = x / 2^msb as Q1.127 in [2^127, 2^128): the library
    /// notes' r and log2Mantissa. Bounds: z < 2^125.5, z2 < 2^123, a < 2^128.1, so every product < 2^256; t < 2^217.
    function _log2Mantissa(uint256 x, uint256 msb) private pure returns (uint256 t) {
        assembly ("memory-safe") {
            let r := shl(sub(127, msb), x) // msb < 127 (the subtraction wraps otherwise, and shl gives 0)
            if gt(msb, 126) { r := shr(sub(msb, 127), x) }
            let half := 0x80000000000000000000000000000000 // 2^127
            let sqrt2 := 0xb504f333f9de6484597d89b3754abe9f // S = floor(sqrt(2) * 2^127) = floor(2^128 / sqrt(2))
            if gt(r, sqrt2) {
                r := shr(128, mul(r, sqrt2)) // m / sqrt(2), rounded down
                if lt(r, half) { r := half }
                t := 0x1000000000000000000000000000000000000000000000000000000 // 2^216: log2(sqrt(2)) * 2^217
            }
            let z := div(shl(128, sub(r, half)), add(r, half))
            let z2 := shr(128, mul(z, z))
            let a := 0x11111111111111111111111111111111 // C[7] = floor(2^128 / 15)
            a := add(0x13b13b13b13b13b13b13b13b13b13b13, shr(128, mul(a, z2))) // 1/13
            a := add(0x1745d1745d1745d1745d1745d1745d17, shr(128, mul(a, z2))) // 1/11
            a := add(0x1c71c71c71c71c71c71c71c71c71c71c, shr(128, mul(a, z2))) // 1/9
            a := add(0x24924924924924924924924924924924, shr(128, mul(a, z2))) // 1/7
            a := add(0x33333333333333333333333333333333, shr(128, mul(a, z2))) // 1/5
            a := add(0x55555555555555555555555555555555, shr(128, mul(a, z2))) // 1/3
            a := add(0x100000000000000000000000000000000, shr(128, mul(a, z2))) // 1/1
            t := add(t, mul(shr(128, mul(z, a)), 0x5c551d94ae0bf85ddf43ff6)) // K = floor(2^90 / ln 2)
        }
    }
}
