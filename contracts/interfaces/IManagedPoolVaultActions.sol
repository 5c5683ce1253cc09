// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title IManagedPoolVaultActions
/// @notice Actions only the vault may take on ManagedPool (others revert with NotVault).
interface IManagedPoolVaultActions {
    /// @notice What reposition returns, as one struct (its five words, in this order, are reposition's return values;
    /// the vault reads them as this struct): everything the vault's guards need, in one call; packed words, as stored.
    /// @param range New bounds: sqrtPriceLowX96 | sqrtPriceHighX96 << 128 (both < 2^128).
    /// @param reserves Reserves (unchanged): reserve0 | reserve1 << 128 (both < 2^128).
    /// @param previousRepositionTime lastRepositionTime before this call (0 if never); it is now block.timestamp.
    /// @param twapLogPrice Time-weighted mean log price over the `twapWindow` seconds before this reposition, exactly
    /// consult(twapWindow).meanLogPrice as it read just before the call (0 when twapWindow is 0).
    /// @param previousSpot The pool's state before this call, one word: paused (bit 0: swaps shut; a reposition is
    /// allowed then) | spot at its lower bound (bit 1: sqrtPriceX96 == sqrtPriceLowX96) | spot at its upper bound
    /// (bit 2: sqrtPriceX96 == sqrtPriceHighX96) | sqrtPriceX96 (bits 8..135). The vault's TWAP exemption for a pool
    /// pinned at its range edge reads it (see TreasuryVault).
    struct RepositionResult {
        uint256 range;
        uint256 reserves;
        uint32 previousRepositionTime;
        int256 twapLogPrice;
        uint256 previousSpot;
    }

    /// @notice Moves the curve to a new centre price and range and sets the fee, re-fitted to the current reserves
    /// with no token movement (see LiquidityFit for the exact formulas). The new liquidity is liquidity() = the
    /// fitted L (= refit(new state)), which also puts the fees accrued since the last reposition to work. Writes an observation (once per block) with the price that held until now first.
    /// The new price and bounds lie on SqrtPriceGrid's grid (56 significant bits): the price and the given bound are
    /// rounded down, the derived bound toward the price (by at most 2^-55 of a price each).
    /// Allowed while the pool is paused (swaps stay shut): the vault re-centres a paused pool before unpausing.
    /// @param sqrtPriceX96 New price (centre), Q64.96.
    /// @param sqrtPriceBoundX96 One bound: below the price it is the lower bound (L fitted from reserve1, the upper
    /// bound derived from reserve0); above the price it is the upper bound (L fitted from reserve0, the lower bound
    /// derived from reserve1).
    /// @param feePips New fee in pips (< 1e6).
    /// @param twapWindow Window of the TWAP to report (0 = none).
    /// @param observationHint As in consultWithHint (type(uint16).max = none).
    /// @return range See RepositionResult.
    /// @return reserves See RepositionResult.
    /// @return previousRepositionTime See RepositionResult.
    /// @return twapLogPrice See RepositionResult.
    /// @return previousSpot See RepositionResult.
    function reposition(
        uint160 sqrtPriceX96,
        uint160 sqrtPriceBoundX96,
        uint24 feePips,
        uint32 twapWindow,
        uint16 observationHint
    )
        external
        returns (uint256 range, uint256 reserves, uint32 previousRepositionTime, int256 twapLogPrice, uint256 previousSpot);

    /// @notice Sets the reserves to the token balances (after the vault transferred a deposit in) and re-fits the
    /// liquidity on the current range.
    function sync() external returns (uint128 liquidity, uint256 reserve0, uint256 reserve1);

    /// @notice Sends reserves to `to` and re-fits the liquidity on the current range.
    function withdraw(address to, uint256 amount0, uint256 amount1) external returns (uint128 liquidity);

    /// @notice Sends every token balance to `to`; liquidity becomes zero. A token whose transfer reverts (or returns
    /// false) stays in the pool as its reserve and is reported as 0; the other one still leaves.
    function emergencyWithdraw(address to) external returns (uint256 amount0, uint256 amount1);

    /// @notice Pauses or unpauses swaps (repositions stay allowed).
    function setPaused(bool paused) external;
}
