// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {FullMath} from "./FullMath.sol";

/// @title LiquidityFit
/// @notice Fits one concentrated position to fixed reserves (docs/models.md, "The fit: liquidity from reserves, centre and one bound"), rounding in the pool's favour:
/// the real amounts the curve can pay out never exceed the reserves.
/// @dev With Q96 = 2^96, x = reserve0, y = reserve1, P = the new sqrt price (all sqrt prices Q64.96):
///   fitFromLower(P, A, x, y)  (A < P given):
///     L = floor(y * Q96 / (P - A))                                  // L = y / (sqrtP - sqrtPa)
///     B = floor((L << 96) * P / ((L << 96) - x * P))                // 1/sqrtPb = 1/sqrtP - x / L
///         (x = 0 gives B = P; x * P >= L << 96 means 1/sqrtPb <= 0: RangeUnbounded)
///   fitFromUpper(P, B, x, y)  (B > P given):
///     L = floor(x * P * B / ((B - P) * Q96))                        // L = x / (1/sqrtP - 1/sqrtPb)
///     A = P - floor(y * Q96 / L)                                    // sqrtPa = sqrtP - y / L
///         (y = 0 gives A = P; floor(y * Q96 / L) >= P means sqrtPa <= 0: RangeUnbounded)
///   refit(P, A, B, x, y)  (range kept; deposit, withdraw, sync):
///     L0 = P < B ? floor(x * P * B / ((B - P) * Q96)) : +inf
///     L1 = P > A ? floor(y * Q96 / (P - A)) : +inf
///     L  = A == B ? 0 : min(L0, L1)
/// Each formula is ONE exact floor of the rational value (FullMath.mulDiv semantics; plain 256-bit arithmetic where
/// it cannot overflow gives the same integers); unlike Uniswap periphery's getLiquidityForAmount0 there is no inner
/// floor of P * B / Q96. This makes L = refit(state) non-decreasing across swaps (exact-floor L0 and L1 both stay
/// >= the L a swap used, because swap input rounds up and output rounds down), and after either fit refit gives
/// back exactly the fitted L. Results above uint128 revert with LiquidityOverflow; P * B needs P, B < 2^128.
library LiquidityFit {
    uint256 internal constant Q96 = 0x1000000000000000000000000;

    /// @notice The fitted liquidity is zero (the side the given bound fits from is empty, or too little).
    error ZeroLiquidity();
    /// @notice The fitted liquidity exceeds uint128.
    error LiquidityOverflow(uint256 liquidity);
    /// @notice The derived bound would be at zero or infinite price (the other side holds too much).
    error RangeUnbounded();

    /// @dev floor(a * 2^96 / d), exact: a plain shift when a < 2^160, else FullMath.mulDiv (same result).
    /// @param a The value scaled by 2^96.
    /// @param d Divisor (> 0).
    /// @return floor(a * 2^96 / d).
    function _mulQ96Div(uint256 a, uint256 d) private pure returns (uint256) {
        if (a < 1 << 160) return (a << 96) / d;
        return FullMath.mulDiv(a, Q96, d);
    }

    /// @dev floor(x * P * B / ((B - P) * 2^96)) for P < B: the liquidity token0 covers on [P, B], one exact floor
    /// (P * B is computed with checked arithmetic: fine for sqrt prices below 2^128, the pool's bound).
    /// @param sqrtPriceX96 Price P (Q64.96).
    /// @param sqrtPriceHighX96 Upper bound B > P (Q64.96).
    /// @param reserve0 Token0 amount x.
    /// @return floor(x * P * B / ((B - P) * 2^96)).
    function _liquidity0(uint256 sqrtPriceX96, uint256 sqrtPriceHighX96, uint256 reserve0)
        private
        pure
        returns (uint256)
    {
        return FullMath.mulDiv(reserve0, sqrtPriceX96 * sqrtPriceHighX96, (sqrtPriceHighX96 - sqrtPriceX96) << 96);
    }

    /// @param l A liquidity.
    /// @return l as uint128 (ZeroLiquidity when 0, LiquidityOverflow above 2^128 - 1).
    function _toUint128(uint256 l) private pure returns (uint128) {
        if (l > type(uint128).max) revert LiquidityOverflow(l);
        return uint128(l);
    }

    /// @notice L from token1 given the lower bound A < P, then the upper bound from token0.
    /// @param sqrtPriceX96 The new price P (Q64.96).
    /// @param sqrtPriceLowX96 The lower bound A < P.
    /// @param reserve0 Token0 reserve x (sets the upper bound).
    /// @param reserve1 Token1 reserve y (sets L).
    /// @return liquidity L = floor(y * 2^96 / (P - A)).
    /// @return sqrtPriceHighX96 The derived upper bound B (RangeUnbounded when x * P >= L << 96).
    function fitFromLower(uint256 sqrtPriceX96, uint256 sqrtPriceLowX96, uint256 reserve0, uint256 reserve1)
        internal
        pure
        returns (uint128 liquidity, uint256 sqrtPriceHighX96)
    {
        liquidity = _toUint128(_mulQ96Div(reserve1, sqrtPriceX96 - sqrtPriceLowX96));
        if (liquidity == 0) revert ZeroLiquidity();
        uint256 numerator1 = uint256(liquidity) << 96;
        uint256 product;
        unchecked {
            product = reserve0 * sqrtPriceX96;
            if (reserve0 != 0 && product / reserve0 != sqrtPriceX96) revert RangeUnbounded();
        }
        if (product >= numerator1) revert RangeUnbounded();
        unchecked {
            sqrtPriceHighX96 = FullMath.mulDiv(numerator1, sqrtPriceX96, numerator1 - product);
        }
    }

    /// @notice L from token0 given the upper bound B > P, then the lower bound from token1.
    /// @param sqrtPriceX96 The new price P (Q64.96).
    /// @param sqrtPriceHighX96 The upper bound B > P.
    /// @param reserve0 Token0 reserve x (sets L).
    /// @param reserve1 Token1 reserve y (sets the lower bound).
    /// @return liquidity L = floor(x * P * B / ((B - P) * 2^96)).
    /// @return sqrtPriceLowX96 The derived lower bound A = P - floor(y * 2^96 / L) (RangeUnbounded when that is <= 0).
    function fitFromUpper(uint256 sqrtPriceX96, uint256 sqrtPriceHighX96, uint256 reserve0, uint256 reserve1)
        internal
        pure
        returns (uint128 liquidity, uint256 sqrtPriceLowX96)
    {
        liquidity = _toUint128(_liquidity0(sqrtPriceX96, sqrtPriceHighX96, reserve0));
        if (liquidity == 0) revert ZeroLiquidity();
        uint256 q = _mulQ96Div(reserve1, liquidity);
        if (q >= sqrtPriceX96) revert RangeUnbounded();
        unchecked {
            sqrtPriceLowX96 = sqrtPriceX96 - q;
        }
    }

    /// @notice Largest L the reserves cover on the unchanged range [A, B] at price P (A <= P <= B).
    /// @param sqrtPriceX96 Current price P.
    /// @param sqrtPriceLowX96 Lower bound A.
    /// @param sqrtPriceHighX96 Upper bound B.
    /// @param reserve0 Token0 reserve x.
    /// @param reserve1 Token1 reserve y.
    /// @return min of the liquidity each side covers (0 when A == B); see the library notes.
    function refit(
        uint256 sqrtPriceX96,
        uint256 sqrtPriceLowX96,
        uint256 sqrtPriceHighX96,
        uint256 reserve0,
        uint256 reserve1
    ) internal pure returns (uint128) {
        if (sqrtPriceLowX96 == sqrtPriceHighX96) return 0;
        uint256 l = type(uint256).max;
        if (sqrtPriceX96 < sqrtPriceHighX96) {
            l = _liquidity0(sqrtPriceX96, sqrtPriceHighX96, reserve0);
        }
        if (sqrtPriceX96 > sqrtPriceLowX96) {
            uint256 l1 = _mulQ96Div(reserve1, sqrtPriceX96 - sqrtPriceLowX96);
            if (l1 < l) l = l1;
        }
        return _toUint128(l);
    }
}
