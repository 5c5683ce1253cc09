// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title IPerpMarketErrors
/// @notice Custom errors of PerpMarket (also SafeERC20FailedOperation and the quote token's own errors, and
/// ReentrancyGuardReentrantCall).
interface IPerpMarketErrors {
    /// @notice A constructor parameter is invalid: `name` says which, `value` is what was given.
    error InvalidParam(string name, uint256 value);
    /// @notice A feed's latest answer is older than the heartbeat: block.timestamp > updatedAt + heartbeat.
    error StalePrice(address feed, uint256 updatedAt, uint256 heartbeat);
    /// @notice A feed's answer is <= 0, or scales to 0 / beyond 2^128 in the market's unit.
    error NonPositivePrice(address feed, int256 answer);
    /// @notice indexPrice() was asked of a market funded at a configured rate.
    error IndexFeedNotSet();
    /// @notice A zero amount or size.
    error ZeroAmount();
    /// @notice A zero recipient.
    error ZeroAddress();
    /// @notice withdrawMargin asked for more than the account's settled margin.
    error InsufficientMargin(address account, int256 margin, uint256 amount);
    /// @notice After the change the account's equity is below its initial margin.
    error BelowInitialMargin(address account, int256 equity, uint256 initialMargin);
    /// @notice The account has no position, or its equity is at or above maintenance margin.
    error NotLiquidatable(address account, int256 equity, uint256 maintenanceMargin);
}
