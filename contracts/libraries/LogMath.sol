// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title LogMath
/// @notice The pool's "log price": log2 of the price P = (sqrtPriceX96 / 2^96)^2, in units of 2^-24 (Q.24 log2).
/// @dev Algorithm (the C# mirror must do exactly this, with unbounded integers):
///   s   = sqrtPriceX96 (> 0)
///   msb = floor(log2(s))                                   // bit length of s minus 1
///   r   = msb >= 127 ? s >> (msb - 127) : s << (127 - msb)  // s / 2^msb as Q1.127, r in [2^127, 2^128)
///   f   = 0
///   repeat 25 times:  r = (r * r) >> 127;  b = r >> 128;  f = (f << 1) | b;  r = r >> b
///   logPrice = (msb - 96) * 2^25 + f
/// Because log2(P) = 2 * log2(sqrtP), 25 fractional bits of log2(sqrtP) are 24 fractional bits of log2(P):
/// logPrice ~= floor(2^24 * log2(P)) (each squaring truncates, so the result may sit 1-2 units below the exact floor,
/// deterministically). One unit = 2^-24 log2 = ln(2) * 2^-24 ~= 4.13e-8 in natural-log terms.
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
            r := or(r, shl(1, lt(0x3, shr(r, x))))
            r := or(r, lt(0x1, shr(r, x)))
        }
    }

    /// @notice The log price of a Q64.96 sqrt price, see the library notes for the exact algorithm.
    /// @param sqrtPriceX96 A Q64.96 sqrt price (> 0).
    /// @return lp log2(P) in units of 2^-24, P = (sqrtPriceX96 / 2^96)^2 (library notes).
    function logPrice(uint256 sqrtPriceX96) internal pure returns (int256 lp) {
        if (sqrtPriceX96 == 0) revert LogOfZero();
        uint256 msb = mostSignificantBit(sqrtPriceX96);
        uint256 r;
        unchecked {
            r = msb >= 127 ? sqrtPriceX96 >> (msb - 127) : sqrtPriceX96 << (127 - msb); // (each branch's subtraction is >= 0)
        }
        // 25 unrolled squarings: f = (f << 1) | b with b = the integer bit of r^2 (then r is halved when b = 1).
        uint256 f;
        assembly ("memory-safe") {
            let b
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            f := or(add(f, f), shr(128, r))
        }
        unchecked {
            lp = ((int256(msb) - 96) << 25) + int256(f);
        }
    }

    /// @notice A coarser log price from a price in Q128.128, for guards (the vault's oracle price), in the same
    /// units as logPrice but with 16 fractional bits of log2(P) (resolution 2^8 units ~ 1e-5 in ln P):
    /// msb = floor(log2(priceX128)); r = priceX128 normalised to [2^127, 2^128) as in logPrice; 16 squarings
    /// (f = (f << 1) | b as in logPrice); result = ((msb - 128) * 2^16 + f) * 2^8.
    /// @param priceX128 A price in Q128.128 (> 0).
    /// @return lp Its log price in the same units as logPrice, to the precision the notes give.
    function coarseLogPriceFromPriceX128(uint256 priceX128) internal pure returns (int256 lp) {
        if (priceX128 == 0) revert LogOfZero();
        uint256 msb = mostSignificantBit(priceX128);
        uint256 r;
        unchecked {
            r = msb >= 127 ? priceX128 >> (msb - 127) : priceX128 << (127 - msb); // (each branch's subtraction is >= 0)
        }
        uint256 f;
        assembly ("memory-safe") {
            let b
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            b := shr(128, r)
            f := or(add(f, f), b)
            r := shr(b, r)
            r := shr(127, mul(r, r))
            f := or(add(f, f), shr(128, r))
        }
        unchecked {
            lp = (((int256(msb) - 128) << 16) + int256(f)) << 8;
        }
    }
}
