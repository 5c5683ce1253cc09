// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title FullMath
/// @notice 512-bit multiply-then-divide with the exact semantics of Uniswap v3-core's FullMath
/// (floor and ceiling of a*b/denominator without intermediate overflow).
/// @dev Algorithm by Remco Bloemen (MIT). The C# mirror `FullMath.MulDiv` / `MulDivRoundingUp` must give the
/// same integers; both revert (here with {MulDivOverflow}) when the denominator is zero or the result exceeds 2^256-1.
library FullMath {
    /// @notice The denominator is zero or the result does not fit in 256 bits.
    error MulDivOverflow();

    /// @notice floor(a * b / denominator) with full 512-bit precision.
    /// @param a First factor.
    /// @param b Second factor.
    /// @param denominator Divisor (> 0).
    /// @return result floor(a * b / denominator) (MulDivOverflow when it exceeds 2^256 - 1 or denominator is 0).
    function mulDiv(uint256 a, uint256 b, uint256 denominator) internal pure returns (uint256 result) {
        unchecked {
            uint256 prod0;
            uint256 prod1;
            assembly ("memory-safe") {
                let mm := mulmod(a, b, not(0))
                prod0 := mul(a, b)
                prod1 := sub(sub(mm, prod0), lt(mm, prod0))
            }
            if (prod1 == 0) {
                if (denominator == 0) revert MulDivOverflow();
                assembly ("memory-safe") {
                    result := div(prod0, denominator)
                }
                return result;
            }
            if (denominator <= prod1) revert MulDivOverflow();

            uint256 remainder;
            assembly ("memory-safe") {
                remainder := mulmod(a, b, denominator)
                prod1 := sub(prod1, gt(remainder, prod0))
                prod0 := sub(prod0, remainder)
            }
            uint256 twos = (0 - denominator) & denominator;
            assembly ("memory-safe") {
                denominator := div(denominator, twos)
                prod0 := div(prod0, twos)
                twos := add(div(sub(0, twos), twos), 1)
            }
            prod0 |= prod1 * twos;
            uint256 inv = (3 * denominator) ^ 2;
            inv *= 2 - denominator * inv; // mod 2^8
            inv *= 2 - denominator * inv; // mod 2^16
            inv *= 2 - denominator * inv; // mod 2^32
            inv *= 2 - denominator * inv; // mod 2^64
            inv *= 2 - denominator * inv; // mod 2^128
            inv *= 2 - denominator * inv; // mod 2^256
            result = prod0 * inv;
        }
    }

    /// @notice ceil(a * b / denominator) with full 512-bit precision.
    /// @param a First factor.
    /// @param b Second factor.
    /// @param denominator Divisor (> 0).
    /// @return result ceil(a * b / denominator) (MulDivOverflow as mulDiv, or when the rounding overflows).
    function mulDivRoundingUp(uint256 a, uint256 b, uint256 denominator) internal pure returns (uint256 result) {
        result = mulDiv(a, b, denominator);
        unchecked {
            if (mulmod(a, b, denominator) > 0) {
                if (result == type(uint256).max) revert MulDivOverflow();
                result++;
            }
        }
    }

    /// @notice ceil(x / y); division by zero returns 0 (callers guarantee y > 0), as Uniswap's UnsafeMath.
    /// @param x Dividend.
    /// @param y Divisor (callers guarantee y > 0).
    /// @return z ceil(x / y) (0 when y is 0).
    function divRoundingUp(uint256 x, uint256 y) internal pure returns (uint256 z) {
        assembly ("memory-safe") {
            z := add(div(x, y), gt(mod(x, y), 0))
        }
    }
}
