// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title IManagedPoolEvents
/// @notice Events of ManagedPool; one for every state change.
interface IManagedPoolEvents {
    /// @notice The pool was created.
    event Initialized(uint160 sqrtPriceX96, uint160 sqrtPriceLowX96, uint160 sqrtPriceHighX96, uint24 feePips);

    /// @notice A swap happened.
    /// @param sender Payer of the input.
    /// @param recipient Receiver of the output.
    /// @param zeroForOne True when token0 was sold for token1.
    /// @param amountIn Input pulled, fee included.
    /// @param amountOut Output sent.
    /// @param feeAmount Part of amountIn that is fee (stays in the reserves).
    /// @param sqrtPriceX96 Price after the swap.
    event Swap(
        address indexed sender,
        address indexed recipient,
        bool zeroForOne,
        uint256 amountIn,
        uint256 amountOut,
        uint256 feeAmount,
        uint160 sqrtPriceX96
    );

    /// @notice The vault reshaped the curve (no token movement); the new liquidity is liquidity().
    /// Packed in two data words (8 gas per data byte; every value fits):
    /// @param sqrtPriceAndFee sqrtPriceX96 | feePips << 160 (the new price and fee).
    /// @param range sqrtPriceLowX96 | sqrtPriceHighX96 << 128 (the new bounds, both < 2^128).
    event Repositioned(uint256 sqrtPriceAndFee, uint256 range);

    /// @notice Reserves were set to the token balances (after a deposit) and the liquidity re-fitted on the same range.
    event Synced(uint256 reserve0, uint256 reserve1, uint128 liquidity);

    /// @notice The vault withdrew reserves; the liquidity was re-fitted on the same range.
    event Withdrawn(address indexed to, uint256 amount0, uint256 amount1, uint128 liquidity);

    /// @notice The vault withdrew every token balance; the liquidity is zero.
    event EmergencyWithdrawn(address indexed to, uint256 amount0, uint256 amount1);

    /// @notice The vault paused or unpaused swaps.
    event PausedSet(bool paused);

    /// @notice The observation ring will grow to `cardinalityNext` when it next wraps.
    event ObservationCardinalityIncreased(uint16 cardinalityNextOld, uint16 cardinalityNextNew);
}
