// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {ITreasuryVaultErrors} from "./ITreasuryVaultErrors.sol";

/// @title IUniswapV3PositionManagerErrors
/// @notice Custom errors of UniswapV3PositionManager. It reverts with the vault's own errors wherever a guard is the
/// vault's (NotKeeper, NotGuardianOrOwner, UnknownPool, PolicyOutOfBounds, InvalidPolicyRange, StaleOracle,
/// OracleRoundInFuture, NonPositivePrice, NonPositiveVolatility, OraclePriceOutOfRange, SkewTooLarge, FeeOutOfBounds,
/// WidthOutOfBounds, RebalanceTooSoon, NotVault (a push of keepers or pause from another than the vault), InventoryOutOfBounds, SkewAgainstInventory, LossBudgetExceeded,
/// SpotPriceDeviation, ...: same selectors, so one decoder reads both), and with these for what only a v3 position
/// has. Uniswap's own pool reverts with short strings (e.g. "TLU", "OLD"), which bubble.
interface IUniswapV3PositionManagerErrors is ITreasuryVaultErrors {
    /// @notice The caller is not the vault's owner (the name and selector OpenZeppelin's Ownable uses).
    error OwnableUnauthorizedAccount(address account);
    /// @notice The vault is paused (OpenZeppelin's Pausable error).
    error EnforcedPause();
    /// @notice The vault is not paused (OpenZeppelin's Pausable error).
    error ExpectedPause();
    /// @notice The pool is not the factory's pool for its (token0, token1, fee).
    error NotFactoryPool(address pool, address factoryPool);
    /// @notice The ticks are not lower < upper, multiples of the tick spacing, inside Uniswap's tick bounds.
    error InvalidTickRange(int24 tickLower, int24 tickUpper, int24 tickSpacing);
    /// @notice The pool's TWAP (mean tick over the policy's window, as observe gives it) deviates from the oracle price by more
    /// than maxTwapDeviationBps (price terms, bps).
    error TwapTickDeviation(int24 twapTick, uint256 oraclePriceX128, uint256 deviationBps, uint256 maxBps);
    /// @notice The observation hint does not bracket the TWAP window's start `target` (block time - twapWindow): the
    /// pool's observation at `hint` must be initialized and at or before it, and the next one in the ring after it.
    error InvalidObservationHint(uint16 hint, uint32 target);
    /// @notice The swap paid out less, valued at the oracle price, than (1 - maxSwapSlippageBps/1e4) of its input.
    error SwapSlippage(bool zeroForOne, uint256 amountIn, uint256 amountOut, uint256 minAmountOut);
    /// @notice The swap does not steer the base share toward the target, or carries it past the target.
    error SwapPastTarget(bool zeroForOne, uint256 shareBeforeBps, uint256 shareAfterBps, uint256 targetShareBps);
    /// @notice The swap's input exceeds what the pool's holdings have of that token.
    error SwapExceedsHoldings(uint256 amountIn, uint256 holding);
    /// @notice withdraw: the pool's holdings (idle plus the whole position) are less than asked.
    error InsufficientHoldings(uint256 amount0, uint256 amount1, uint256 holding0, uint256 holding1);
    /// @notice A Uniswap callback came from an address other than the pool being acted on.
    error UnexpectedCallback(address caller);
}
