// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title IManagedPoolErrors
/// @notice Custom errors of ManagedPool. Library errors that can also surface: FullMath.MulDivOverflow(),
/// SqrtPriceMath.ZeroPriceOrLiquidity(), SqrtPriceMath.SqrtPriceOverflow(), LiquidityFit.ZeroLiquidity(),
/// LiquidityFit.LiquidityOverflow(uint256), LiquidityFit.RangeUnbounded(), ObservationLib.ObservationTooOld(uint32,uint32),
/// ObservationLib.InvalidSecondsAgo(uint32); from OpenZeppelin: ReentrancyGuardReentrantCall(),
/// SafeERC20FailedOperation(address).
interface IManagedPoolErrors {
    /// @notice Only the vault may call this function.
    /// @param caller The caller.
    error NotVault(address caller);
    /// @notice The pool is paused by its vault: no swaps (repositions stay allowed).
    error PoolPaused();
    /// @notice The swap's deadline has passed.
    /// @param deadline The deadline given.
    /// @param timestamp The current block timestamp.
    error DeadlineExpired(uint256 deadline, uint256 timestamp);
    /// @notice A zero amount was given.
    error ZeroAmount();
    /// @notice An amount above 2^128 - 1 was given.
    error AmountTooLarge(uint256 amount);
    /// @notice The pool has no liquidity.
    error NoLiquidity();
    /// @notice The price already sits at the range edge in the swap's direction: nothing to sell that way.
    /// @param sqrtPriceX96 The current (edge) sqrt price.
    error RangeEdgeReached(uint160 sqrtPriceX96);
    /// @notice The output is below the caller's minimum.
    error InsufficientOutput(uint256 amountOut, uint256 minAmountOut);
    /// @notice Fewer input tokens arrived than were pulled: fee-on-transfer or rebasing tokens are refused.
    /// @param expected The amount pulled with transferFrom.
    /// @param received The pool's balance increase.
    error FeeOnTransferNotSupported(uint256 expected, uint256 received);
    /// @notice The fee is not below 1e6 pips (100%).
    error InvalidFee(uint24 feePips);
    /// @notice A sqrt price lies outside [MIN_SQRT_PRICE, MAX_SQRT_PRICE].
    error PriceOutOfBounds(uint256 sqrtPriceX96);
    /// @notice The range is not low <= price <= high with low < high.
    error InvalidRange(uint256 sqrtPriceLowX96, uint256 sqrtPriceX96, uint256 sqrtPriceHighX96);
    /// @notice The reposition bound equals the new price.
    error InvalidBound(uint256 sqrtPriceBoundX96);
    /// @notice A withdrawal asks for more than the reserve holds.
    /// @param token The token (token0 or token1).
    error InsufficientReserves(address token, uint256 requested, uint256 available);
    /// @notice A token address is zero or both tokens are the same.
    error InvalidToken(address token);
    /// @notice A token reports decimals outside 6..18.
    error UnsupportedDecimals(address token, uint8 decimals);
    /// @notice A reserve would exceed 2^128 - 1.
    error ReserveOverflow();
}
