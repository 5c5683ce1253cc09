// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title IManagedPoolActions
/// @notice Permissionless actions on ManagedPool.
interface IManagedPoolActions {
    /// @notice Sells exactly `amountIn` of one token for the other along the curve.
    /// @dev The fee (feePips / 1e6 of the input) is taken from the input, as Uniswap v3. The swap never leaves the
    /// range: if `amountIn` would push the price past the edge, the price stops at the edge and only the input
    /// needed to get there (fee included) is pulled — `amountInUsed` < `amountIn` then. Input is pulled with
    /// transferFrom (approve the pool first) and checked by balance delta; a short receipt reverts with
    /// FeeOnTransferNotSupported. Writes at most one observation per block (before the price moves).
    /// @param zeroForOne True to sell token0 (base) for token1 (quote).
    /// @param amountIn Maximum input, fee included (1 .. 2^128-1).
    /// @param minAmountOut Reverts with InsufficientOutput when the output is smaller.
    /// @param recipient Receiver of the output.
    /// @param deadline Reverts with DeadlineExpired when block.timestamp > deadline.
    /// @return amountInUsed Input actually pulled (fee included).
    /// @return amountOut Output sent to `recipient`.
    function swapExactIn(bool zeroForOne, uint256 amountIn, uint256 minAmountOut, address recipient, uint256 deadline)
        external
        returns (uint256 amountInUsed, uint256 amountOut);

    /// @notice Grows the observation ring to at least `cardinalityNext` slots (paid by the caller).
    function increaseObservationCardinality(uint16 cardinalityNext) external;
}
