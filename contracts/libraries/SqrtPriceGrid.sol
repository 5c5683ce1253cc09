// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {LogMath} from "./LogMath.sol";

/// @title SqrtPriceGrid
/// @notice The grid of sqrt prices a ManagedPool stores as range bounds: numbers with at most 56 significant bits,
/// so that each bound packs into 64 bits and the range and the liquidity share one storage slot.
/// @dev A value v is on the grid when v < 2^56, or when its bits below (msb(v) - 55) are all zero. Neighbouring grid
/// values above 2^56 differ by at most 2^-55 of the value (~2.8e-17; a Uniswap v3 tick is 5e-5 in sqrt price).
/// Packed form of a grid value (< 2^64): exponent e (bits 56..63) and mantissa m (bits 0..55), v = m << e;
/// e = 0 below 2^56, else e = msb(v) - 55 and m in [2^55, 2^56). The C# mirror is Models/Curve/SqrtPriceGrid.cs.
library SqrtPriceGrid {
    uint256 internal constant MANTISSA_BITS = 56;
    uint256 private constant MANTISSA_MASK = (1 << 56) - 1;

    /// @notice The largest grid value <= v, and its packed form.
    /// @param v A value < 2^129.
    function roundDown(uint256 v) internal pure returns (uint256 value, uint256 packed) {
        if (v >> MANTISSA_BITS == 0) return (v, v);
        unchecked {
            uint256 e = LogMath.mostSignificantBit(v) - 55; // >= 1
            uint256 m = v >> e;
            return (m << e, (e << MANTISSA_BITS) | m);
        }
    }

    /// @notice The smallest grid value >= v, and its packed form.
    /// @param v A value < 2^129.
    function roundUp(uint256 v) internal pure returns (uint256 value, uint256 packed) {
        if (v >> MANTISSA_BITS == 0) return (v, v);
        unchecked {
            uint256 e = LogMath.mostSignificantBit(v) - 55;
            uint256 m = v >> e;
            if (m << e != v && ++m >> MANTISSA_BITS != 0) {
                // carried into the next power of two: one more bit of exponent
                m >>= 1;
                ++e;
            }
            return (m << e, (e << MANTISSA_BITS) | m);
        }
    }

    /// @notice The value of a packed form (only its low 64 bits are read).
    function unpack(uint256 p) internal pure returns (uint256) {
        unchecked {
            return (p & MANTISSA_MASK) << ((p >> MANTISSA_BITS) & 0xff);
        }
    }
}
